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


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_are_written_as_the_row_template_writes_them(hz, language):
    """`{% hazard_rows %}` (the list page) says exactly what `hazards/_row.html` says for each hazard: a major one,
    an overdue one, a recurrence, one without a deadline, and text that needs escaping."""
    from datetime import timedelta

    from django.template import Context, Template
    from django.template.loader import render_to_string
    from django.utils import timezone, translation

    from hazards import workflow
    from hazards.models import Hazard

    from .conftest import advance, filing

    late = advance(hz, "rectifying", level="major")
    Hazard.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(days=1, hours=2))
    advance(hz, "closed")
    workflow.file_hazard(hz.users["inspector"], filing(hz, title='<b>"灭火器" & 过期</b>', place="仓库 <二号>"))
    hz.fire.name_en = "Fire & safety"
    hz.fire.save()
    hazards = list(Hazard.objects.with_overdue().select_related("enterprise", "category").order_by("-id"))
    Hazard.objects.filter(pk=hazards[0].pk).update(recurrence_of=late)
    hazards = list(Hazard.objects.with_overdue().select_related("enterprise", "category").order_by("-id"))
    assert any(h.recurrence_of_id for h in hazards) and any(h.deadline is None for h in hazards)
    with translation.override(language):
        expected = "".join(render_to_string("hazards/_row.html", {"h": h}) for h in hazards)
        fast = Template("{% load hazard_rows %}{% hazard_rows hazards %}").render(Context({"hazards": hazards}))
    assert fast == expected
    assert "overdue" in fast or "逾期" in fast
