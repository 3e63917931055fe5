"""The accident records' pages (/accidents/…): the list and its filters, a record's page, the confirm form from the
incident's page, an accident elsewhere, edit and close, for a few roles."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accidents.models import Accident

from .factories import make_accident, make_external
from .records_fixtures import pdf, reported

pytestmark = pytest.mark.django_db


def test_the_incidents_page_offers_the_confirm_button_and_the_form_records_it(client, world):
    """GIVEN an incident at e1 WHEN the district leader opens it THEN a 确认为事故 link; the inspector sees none;
    WHEN the leader posts the form THEN the record's page shows the three parties; the incident's page then links
    the record."""
    incident = reported(world.users["city"], world.e1)
    confirm_url = reverse("accidents:from-incident", args=[incident.pk])
    client.force_login(world.users["inspector"])
    page = client.get(reverse("duty_roster:incident", args=[incident.pk])).content.decode()
    assert confirm_url not in page
    assert client.get(confirm_url).status_code == 403
    client.force_login(world.users["district"])
    page = client.get(reverse("duty_roster:incident", args=[incident.pk])).content.decode()
    assert confirm_url in page and "确认为事故" in page
    bad = client.post(confirm_url, {"kind": "production", "accident_type": "99"})
    assert bad.status_code == 400 and not Accident.objects.exists()
    done = client.post(confirm_url, {"kind": "production", "accident_type": "08", "direct_causes": ["unsafe_act"]})
    accident = Accident.objects.get()
    assert done.status_code == 302 and done.url == reverse("accidents:detail", args=[accident.pk])
    detail = client.get(done.url).content.decode()
    for text in ("海滨街道", "海滨区应急管理局", "海滨化工有限公司", "人的不安全行为", "调查中"):
        assert text in detail, text
    assert f"/lessons/new/?accident={accident.pk}" in detail
    page = client.get(reverse("duty_roster:incident", args=[incident.pk])).content.decode()
    assert reverse("accidents:detail", args=[accident.pk]) in page
    assert client.get(confirm_url).status_code == 302  # recorded: to the record


def test_the_list_filters_and_roles(client, world):
    """GIVEN a record at e1 and one elsewhere THEN the city office's list shows both and the elsewhere button, filtered
    by ?external=true one; the enterprise sees its own, no button and no lesson link; a bad grade is 400."""
    city = world.users["city"]
    here = make_accident(world.e1, city)
    there = make_external(world.city, world.chem, city)
    client.force_login(city)
    page = client.get(reverse("accidents:list")).content.decode()
    assert here.title in page and there.title in page and reverse("accidents:external") in page
    page = client.get(reverse("accidents:list"), {"external": "true"}).content.decode()
    assert here.title not in page and there.title in page
    assert client.get(reverse("accidents:list"), {"grade": "huge"}).status_code == 400
    client.force_login(world.users["enterprise"])
    page = client.get(reverse("accidents:list")).content.decode()
    assert here.title in page and there.title not in page and reverse("accidents:external") not in page
    detail = client.get(reverse("accidents:detail", args=[here.pk])).content.decode()
    assert "/lessons/new/" not in detail and reverse("accidents:edit", args=[here.pk]) not in detail
    assert client.get(reverse("accidents:edit", args=[here.pk])).status_code == 403
    assert client.get(reverse("accidents:external")).status_code == 403


def test_elsewhere_edit_and_close_forms(client, world, settings, tmp_path):
    """GIVEN the city office WHEN it enters an accident elsewhere, changes its name and closes it with a PDF THEN the
    page shows the report link, which serves the PDF; the edit page then goes back to the record with a message. Its
    edit form has the fields of an accident elsewhere too (source, time, place, enterprise, industry)."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.users["city"])
    made = client.post(reverse("accidents:external"), {
        "title": "外省某化工企业爆炸事故", "source": "国务院安委会办公室通报", "occurred_at": "2026-01-05T10:00",
        "place": "某省某市", "industry": world.chem.pk, "kind": "production", "accident_type": "18", "grade": "large",
        "deaths": 3, "serious_injuries": 0, "minor_injuries": 0, "missing": 0, "direct_loss": "0",
    })  # fmt: skip
    assert made.status_code == 302, made.content.decode()[:2000]
    accident = Accident.objects.get()
    values = {"title": "改名", "accident_type": "18", "deaths": 3, "serious_injuries": 0, "minor_injuries": 0,
              "missing": 0, "direct_loss": "0", "direct_causes": ["unsafe_condition"]}  # fmt: skip
    form = client.get(reverse("accidents:edit", args=[accident.pk])).content.decode()
    assert 'value="国务院安委会办公室通报"' in form and 'name="industry"' in form  # elsewhere: its own fields too
    elsewhere = {"source": "应急管理部通报", "occurred_at": "2026-01-05T10:00", "place": "某省某市化工园区",
                 "enterprise_name": "某化工公司", "industry": world.chem.pk}  # fmt: skip
    assert client.post(reverse("accidents:edit", args=[accident.pk]), {**values, **elsewhere}).status_code == 302
    accident.refresh_from_db()
    assert accident.title == "改名" and accident.grade == "large"
    assert (accident.source, accident.place, accident.enterprise_name) == (
        "应急管理部通报",
        "某省某市化工园区",
        "某化工公司",
    )
    closed = client.post(reverse("accidents:close", args=[accident.pk]), {
        **values, "report": pdf(), "findings": "负有责任。", "measures": "整改。"})  # fmt: skip
    assert closed.status_code == 302
    detail = client.get(reverse("accidents:detail", args=[accident.pk])).content.decode()
    assert reverse("accidents:report", args=[accident.pk]) in detail and "结案" in detail
    response = client.get(reverse("accidents:report", args=[accident.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(reverse("accidents:edit", args=[accident.pk])).status_code == 302
