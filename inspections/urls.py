from __future__ import annotations

from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("inspections/", views.today, name="today"),
    path("inspections/new/", views.start, name="start"),
    path("inspections/<int:pk>/", views.detail, name="detail"),
    path("inspections/<int:pk>/fill/<int:section>/", views.fill, name="fill"),
    path("inspections/<int:pk>/review/", views.review, name="review"),
    path("inspections/<int:pk>/findings/new/", views.finding, name="finding"),
    path("inspections/offline-pages/", views.offline_pages, name="offline-pages"),
    path("inspections/<int:pk>/record.pdf", views.record_pdf, name="record-pdf"),
    path("inspections/supervision/", views.checkers, name="checkers"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
]
