"""Pages of the lessons and their comparison self-checks under /lessons/ (namespace `lessons`)."""

from __future__ import annotations

from django.urls import path

from . import lesson_views

app_name = "lessons"

urlpatterns = [
    path("lessons/", lesson_views.lesson_list, name="list"),
    path("lessons/new/", lesson_views.lesson_new, name="create"),
    path("lessons/<int:pk>/", lesson_views.lesson_detail, name="detail"),
    path("lessons/<int:pk>/edit/", lesson_views.lesson_edit, name="edit"),
    path("lessons/<int:pk>/publish/", lesson_views.lesson_publish, name="publish"),
    path("lessons/<int:pk>/withdraw/", lesson_views.lesson_withdraw, name="withdraw"),
    path("lessons/<int:pk>/tasks/", lesson_views.lesson_tasks, name="tasks"),
    path("lessons/<int:pk>/look-back/", lesson_views.lesson_look_back, name="look-back"),
]
