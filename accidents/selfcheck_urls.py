"""Pages of the enterprise's comparison self-check and the spot checks (namespace `lesson_tasks`)."""

from __future__ import annotations

from django.urls import path

from . import selfcheck_views

app_name = "lesson_tasks"

urlpatterns = [
    path("lessons/mine/", selfcheck_views.my_tasks, name="mine"),
    path("lessons/tasks/<int:pk>/", selfcheck_views.task_detail, name="task"),
    path("lessons/tasks/<int:pk>/start/", selfcheck_views.task_start, name="start"),
    path("lessons/<int:pk>/spot-checks/", selfcheck_views.spot_checks, name="spot-checks"),
    path("lessons/<int:pk>/hazards/", selfcheck_views.lesson_hazards, name="hazards"),
]
