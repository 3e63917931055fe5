"""Pages of oversight's people part (namespace `principals`), included by safety_platform/urls.py."""

from __future__ import annotations

from django.urls import path

from . import people_views as views

app_name = "principals"

urlpatterns: list = [
    path("oversight/certificates/", views.certificate_list, name="certificates"),
    path("oversight/enterprises/<int:pk>/certificates/new/", views.certificate_new, name="certificate-new"),
    path("oversight/verifications/", views.verification_list, name="verifications"),
    path("oversight/enterprises/<int:pk>/verify/", views.verify, name="verify"),
]
