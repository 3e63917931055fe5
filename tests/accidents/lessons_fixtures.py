"""Helpers for the lessons' tests: the World's city with posts at its enterprises (risks' theme fixture), an
accident at e1 (海滨化工, chemicals, fire type 08) and a valid lesson's fields."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accidents import lessons
from inspections.models import ChecklistVersion

from ..risks.themes_fixtures import posts  # noqa: F401  (the fixture)
from .factories import make_accident


@pytest.fixture
def accident(world):
    return make_accident(world.e1, world.users["city"])


def fields(**changes) -> dict:
    values = {
        "title": "吸取海滨化工火灾事故教训",
        "lesson": "动火作业未审批引发火灾，各企业对照检查动火作业管理。",
        "deadline": timezone.now() + timedelta(days=7),
        "version": ChecklistVersion.objects.order_by("pk").first(),
    }
    values.update(changes)
    return values


def published(user, accident, **changes):
    return lessons.publish(user, lessons.create(user, accident, **fields(**changes)))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
