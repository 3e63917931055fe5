"""Without DATABASE_REPLICA_URL the router changes nothing (docs/replica.md)."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hazards.models import HazardCategory
from safety_platform.lib import replica
from safety_platform.lib.replica import REPLICA, ReplicaRouter, replica_reads


def test_without_a_replica_nothing_changes(world):
    assert REPLICA not in connections.settings
    with replica_reads():
        assert ReplicaRouter().db_for_read(HazardCategory) == "default"
    user = world.users["inspector"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert client.get("/api/v1/hazards/").status_code == 200
    client.post("/api/v1/hazards/", {}, format="json")
    assert cache.get(replica._pin_key(user.pk)) is None  # no pin is kept
