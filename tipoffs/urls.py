"""The handlers' pages: the queue, a report, its actions, registering a report received by phone (part: handling);
namespace `tipoffs`, included by safety_platform/urls.py. See docs/tipoffs.md."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "tipoffs"

urlpatterns: list = [
    path("tipoffs/<int:pk>/", views.detail, name="detail"),
]
