"""The four-colour picture, an enterprise's picture, the risk notice card and the dashboard's risk panel."""

from __future__ import annotations

from django.urls import path

from . import risk_views

app_name = "risk_picture"

urlpatterns = [
    path("risks/picture/", risk_views.picture, name="picture"),
    path("risks/enterprises/<int:pk>/picture/", risk_views.enterprise_picture, name="enterprise"),
    path("risks/points/<int:pk>/card.pdf", risk_views.card, name="card"),
    path("dashboard/panels/risks/", risk_views.panel, name="panel"),
]
