"""The handlers' pages: the queue, a report, its actions, registering a report received by phone (part: handling);
namespace `tipoffs`, included by safety_platform/urls.py. See docs/tipoffs.md."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "tipoffs"

urlpatterns: list = [
    path("tipoffs/", views.report_list, name="list"),
    path("tipoffs/export.xlsx", views.export, name="export"),
    path("tipoffs/new/", views.new, name="new"),
    path("tipoffs/photos/<int:pk>/", views.photo, name="photo"),
    path("tipoffs/<int:pk>/", views.detail, name="detail"),
    path("tipoffs/<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("tipoffs/<int:pk>/informant/", views.informant, name="informant"),
]
