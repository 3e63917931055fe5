"""Rewards: propose, approve, pay, the list (see docs/tipoffs.md, "Rewards"); namespace `tipoff_rewards`, included
by safety_platform/urls.py before the handlers' `/tipoffs/<int:pk>/`."""

from __future__ import annotations

from django.urls import path

from . import reward_views as views

app_name = "tipoff_rewards"

urlpatterns: list = [
    path("tipoffs/rewards/", views.reward_list, name="list"),
    path("tipoffs/<int:pk>/reward/", views.propose, name="propose"),
    path("tipoffs/rewards/<int:pk>/decide/", views.decide, name="decide"),
    path("tipoffs/rewards/<int:pk>/pay/", views.pay, name="pay"),
]
