"""Incident information: Decree 493 grades at every threshold, late reports, supplements, the city office told."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from duty_roster.grading import grade
from notifications import sweeps
from notifications.models import Notification

M = Decimal(1_000_000)


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "expected"),
    [
        (0, 0, Decimal(0), "general"),
        (2, 9, 10 * M - 1, "general"),
        (3, 0, Decimal(0), "large"),
        (0, 10, Decimal(0), "large"),
        (0, 0, 10 * M, "large"),
        (9, 49, 50 * M - 1, "large"),
        (10, 0, Decimal(0), "major"),
        (0, 50, Decimal(0), "major"),
        (0, 0, 50 * M, "major"),
        (29, 99, 100 * M - 1, "major"),
        (30, 0, Decimal(0), "especially_serious"),
        (0, 100, Decimal(0), "especially_serious"),
        (0, 0, 100 * M, "especially_serious"),
        (1, 60, Decimal(0), "major"),  # the highest column wins
    ],
)
def test_grade_at_every_threshold(deaths, injuries, loss, expected):
    assert grade(deaths, injuries, loss) == expected


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(world, minutes_ago_known: int, **extra):
    now = timezone.now()
    return {
        "kind": "production", "enterprise": world.e1.id, "place": "海滨化工有限公司二号罐区",
        "occurred_at": (now - timedelta(minutes=minutes_ago_known + 5)).isoformat(),
        "known_at": (now - timedelta(minutes=minutes_ago_known)).isoformat(),
        "course": "储罐区发生泄漏着火，已扑灭。", **extra,
    }  # fmt: skip


def test_on_time_and_late_reports_and_the_city_office_is_told(world):
    on_time = api(world.users["district"]).post("/api/v1/incidents/", body(world, 30, deaths=1), format="json")
    assert on_time.status_code == 201, on_time.json()
    assert (on_time.json()["grade"], on_time.json()["is_late"]) == ("general", False)  # general: 2 hours
    late = api(world.users["district"]).post("/api/v1/incidents/", body(world, 95, deaths=4), format="json")
    assert (late.json()["grade"], late.json()["is_late"], late.json()["delay_minutes"]) == ("large", True, 35)
    told = Notification.objects.filter(recipient=world.users["city"])
    assert told.count() == 2 and all(n.must_answer for n in told)
    assert any("迟" in n.body or "late" in n.body for n in told)


def test_enterprise_reports_its_own_and_sees_only_its_own(world):
    own = api(world.users["enterprise"]).post(
        "/api/v1/incidents/", body(world, 10, enterprise=world.e2.id), format="json"
    )
    assert own.status_code == 201 and own.json()["enterprise"] == world.e1.id  # always its own enterprise
    assert api(world.users["dept_head"]).get(f"/api/v1/incidents/{own.json()['id']}/").status_code == 404
    assert api(world.users["district"]).get(f"/api/v1/incidents/{own.json()['id']}/").status_code == 200


def test_a_supplement_raises_the_grade_and_it_is_recorded(world):
    first = api(world.users["district"]).post("/api/v1/incidents/", body(world, 10, deaths=2), format="json").json()
    more = api(world.users["district"]).post(
        f"/api/v1/incidents/{first['id']}/supplement/", {"deaths": 3}, format="json"
    )
    assert more.status_code == 201, more.json()
    assert (more.json()["grade"], more.json()["grade_raised_from"]) == ("large", "general")
    same = api(world.users["district"]).post(f"/api/v1/incidents/{first['id']}/supplement/", {"missing": 1},
                                             format="json")  # fmt: skip
    assert (same.json()["grade"], same.json()["grade_raised_from"], same.json()["deaths"]) == ("large", "", 3)
    assert Notification.objects.filter(recipient=world.users["city"]).count() == 2  # the first, and the raise


def test_supplements_close_after_30_days_or_7_for_fire(world):
    fire = api(world.users["district"]).post("/api/v1/incidents/", body(world, 10, kind="fire"), format="json").json()
    work = api(world.users["district"]).post("/api/v1/incidents/", body(world, 10), format="json").json()
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        refused = api(world.users["district"]).post(f"/api/v1/incidents/{fire['id']}/supplement/", {"deaths": 1},
                                                    format="json")  # fmt: skip
        assert refused.status_code == 400 and "7" in refused.json()["first_report"][0]
        accepted = api(world.users["district"]).post(f"/api/v1/incidents/{work['id']}/supplement/", {"deaths": 1},
                                                     format="json")  # fmt: skip
        assert accepted.status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"known_at": "2020-01-01T00:00:00+08:00"}, "known_at"),
        ({"occurred_at": "2099-01-01T00:00:00+08:00", "known_at": "2099-01-01T00:01:00+08:00"}, "occurred_at"),
        ({"deaths": -1}, "deaths"),
        ({"direct_loss": "-5"}, "direct_loss"),
        ({"kind": "earthquake"}, "kind"),
        ({"place": ""}, "place"),
    ],
)
def test_bad_reports_are_field_errors(world, changes, field):
    from duty_roster.models import IncidentReport

    response = api(world.users["district"]).post("/api/v1/incidents/", {**body(world, 10), **changes}, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not IncidentReport.objects.exists()


def test_unanswered_incident_notice_passes_up(world, settings):
    from organizations.choices import PositionKind, UnitKind
    from organizations.models import Position

    from ..factories import PositionFactory, UserFactory, assign

    director = UserFactory(username="director", unit_kind=UnitKind.CITY_OFFICE, region=world.city)
    head = PositionFactory(kind=PositionKind.CITY_OFFICE_STAFF, unit_kind=UnitKind.CITY_OFFICE, region=world.city,
                           title="市安委办主任")  # fmt: skip
    assign(director, head)
    Position.objects.filter(pk=world.users["city"].assignments.get().position_id).update(superior=head)
    api(world.users["district"]).post("/api/v1/incidents/", body(world, 10, deaths=5), format="json")
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.INCIDENT_ANSWER_MINUTES + 1), tick=False):
        sweeps.run()
    assert Notification.objects.filter(recipient=director, must_answer=True).exists()


def test_report_form_and_pages(client, world):
    client.force_login(world.users["district"])
    assert client.get("/duty/incidents/new/").status_code == 200
    now = timezone.localtime()
    form = {"kind": "production", "enterprise": world.e1.id, "place": "二号罐区", "deaths": 0, "serious_injuries": 1,
            "missing": 0, "direct_loss": "1000", "course": "泄漏",
            "occurred_at": (now - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"),
            "known_at": (now - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
    bad = client.post("/duty/incidents/new/", form)
    assert bad.status_code == 400  # known before it happened
    form["known_at"] = (now - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    done = client.post("/duty/incidents/new/", form)
    assert done.status_code == 302
    assert "二号罐区" in client.get("/duty/incidents/").content.decode()
    assert client.get(done["Location"]).status_code == 200
