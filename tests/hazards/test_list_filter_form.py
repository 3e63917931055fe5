"""The hazard list's filter form with nothing chosen is kept per scope (hazards.views.unfiltered_form) until a
reference table changes: it must show each user their own scope's choices, and a change at once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hazards.models import HazardCategory

pytestmark = pytest.mark.django_db


def options(client, name: str, **params) -> list[str]:
    """The labels of the <select name=...> of the list page's filter form."""
    response = client.get(reverse("hazards:list"), params)
    assert response.status_code == 200
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', response.content.decode(), re.S)
    return [label.strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", select.group(1), re.S)]


def test_each_scope_gets_its_own_choices(client, hz):
    client.force_login(hz.users["city"])
    city = options(client, "region")
    assert any(hz.d2.name in label for label in city)
    client.force_login(hz.users["county_dept"])  # the same process, a narrower scope
    county = options(client, "region")
    assert any(hz.d1.name in label for label in county)
    assert not any(hz.d2.name in label for label in county)
    assert options(client, "region", page_size=10) == county  # the same form whatever the page
    client.force_login(hz.users["city"])
    assert options(client, "region") == city


def test_a_changed_category_shows_at_once(client, hz):
    client.force_login(hz.users["city"])
    category = HazardCategory.objects.filter(is_active=True).order_by("sort", "code").first()
    assert any(category.name in label for label in options(client, "category"))
    category.name = "改过名的类别"
    category.save()
    assert "改过名的类别" in " ".join(options(client, "category"))
