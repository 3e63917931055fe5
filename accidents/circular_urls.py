"""Pages of the warning circulars under /circulars/ and the issue form under a lesson (namespace `circulars`)."""

from __future__ import annotations

from django.urls import path

from . import circular_views

app_name = "circulars"

urlpatterns = [
    path("circulars/", circular_views.circular_list, name="list"),
    path("circulars/<int:pk>/", circular_views.circular_detail, name="detail"),
    path("circulars/<int:pk>.pdf", circular_views.circular_pdf, name="pdf"),
    path("lessons/<int:lesson_pk>/circular/new/", circular_views.circular_issue, name="issue"),
]
