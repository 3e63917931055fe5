"""Dates have sensible bounds (issue 12, point 8): a deadline at most DEADLINE_HORIZON_DAYS ahead wherever one is
set, `found_at` not before EARLIEST_DATE nor in the future, and every timestamp the API returns an RFC 3339
date-time. Evaluation documents are PDFs only if they parse (point 12)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from hazards import workflow
from hazards.models import EvaluationDocument, Hazard, HazardEvent, ListedSupervision, RectificationPlan

from .conftest import FULL_PLAN, advance, filing, pdf_bytes

FAR = "9999-12-31T23:59:00+08:00"
# RFC 3339 (what OpenAPI's date-time format means): four-digit year, and an offset in hours and minutes only.
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(user)
    return client


def body(hz, **changes) -> dict:
    return {"enterprise": hz.e1.id, "title": "t", "place": "p", "category": "fire", "level": "general", **changes}


@pytest.mark.parametrize("deadline", [FAR, "2100-01-01T00:00:00+08:00"])
def test_filing_with_a_deadline_beyond_the_horizon_is_refused_in_chinese(hz, deadline):
    response = api(hz.users["inspector"]).post("/api/v1/hazards/", body(hz, deadline=deadline), format="json")
    assert response.status_code == 400, response.json()
    assert "不能晚于" in response.json()["deadline"][0]
    assert Hazard.objects.count() == 0


def test_the_horizon_is_a_setting_and_its_last_day_is_allowed(hz, settings):
    settings.DEADLINE_HORIZON_DAYS = 30
    last = timezone.localdate() + timedelta(days=30)
    client = api(hz.users["inspector"])
    inside = client.post("/api/v1/hazards/", body(hz, deadline=f"{last}T23:00:00+08:00"), format="json")
    assert inside.status_code == 201, inside.json()
    outside = client.post("/api/v1/hazards/", body(hz, deadline=f"{last + timedelta(days=1)}T00:00:00+08:00"),
                          format="json")  # fmt: skip
    assert outside.status_code == 400 and "deadline" in outside.json()
    assert Hazard.objects.count() == 1


def test_every_transition_that_sets_a_deadline_refuses_one_beyond_the_horizon(hz):
    users = hz.users
    reported = advance(hz, "reported")
    assert api(users["county_dept"]).post(f"/api/v1/hazards/{reported.id}/confirm/", {"deadline": FAR},
                                          format="json").status_code == 400  # fmt: skip
    confirmed = Hazard.objects.get(pk=advance(hz, "confirmed").pk)
    deadline = confirmed.deadline
    plan = {**FULL_PLAN, "deadline": FAR}
    refused = api(users["enterprise"]).post(f"/api/v1/hazards/{confirmed.id}/submit_plan/", plan, format="json")
    assert refused.status_code == 400 and "deadline" in refused.json()
    assert not RectificationPlan.objects.filter(hazard=confirmed).exists()
    extend = {"deadline": FAR, "reason": "需要更多时间"}
    refused = api(users["city"]).post(f"/api/v1/hazards/{confirmed.id}/extend_deadline/", extend, format="json")
    assert refused.status_code == 400 and "不能晚于" in refused.json()["deadline"][0]
    closed = advance(hz, "closed")
    refused = api(users["county_dept"]).post(f"/api/v1/hazards/{closed.id}/reopen/", extend, format="json")
    assert refused.status_code == 400 and "deadline" in refused.json()
    confirmed.refresh_from_db()
    closed.refresh_from_db()
    assert (confirmed.status, confirmed.deadline, closed.status) == ("confirmed", deadline, "closed")
    reported.refresh_from_db()
    assert reported.status == "reported"
    assert not HazardEvent.objects.filter(action__in=["extend_deadline", "reopen"]).exists()


def test_listing_deadline_beyond_the_horizon_is_refused(hz):
    hazard = advance(hz, "rectifying", level="major")
    leader = hz.users["district"].assignments.get().position
    listing = {"authority": "department", "supervising_leader": leader.id, "order_number": "A-1", "deadline": FAR}
    refused = api(hz.users["county_head"]).post(f"/api/v1/hazards/{hazard.id}/list_supervision/", listing,
                                                format="json")  # fmt: skip
    assert refused.status_code == 400 and "deadline" in refused.json()
    assert not ListedSupervision.objects.exists()


def test_page_refuses_a_deadline_beyond_the_horizon(hz, client):
    hazard = Hazard.objects.get(pk=advance(hz, "confirmed").pk)
    client.force_login(hz.users["city"])
    response = client.post(
        reverse("hazards:action", args=[hazard.id, "extend_deadline"]),
        {"deadline": "9999-12-31T23:59", "reason": "再延"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "不能晚于" in response.content.decode()
    old = hazard.deadline
    hazard.refresh_from_db()
    assert hazard.deadline == old


@pytest.mark.parametrize(
    ("found_at", "words"),
    [
        ("1999-12-31T23:59:00+08:00", "不能早于2000-01-01"),
        ("1900-01-01T00:00:00+08:00", "不能早于"),
        ("0001-01-01T00:00:00Z", "不能早于"),
        ("2999-01-01T00:00:00+08:00", "不能晚于当前时间"),
    ],
)
def test_found_at_before_the_floor_or_in_the_future_is_refused(hz, found_at, words):
    response = api(hz.users["inspector"]).post("/api/v1/hazards/", body(hz, found_at=found_at), format="json")
    assert response.status_code == 400, response.json()
    assert words in response.json()["found_at"][0]
    assert Hazard.objects.count() == 0


def test_found_at_floor_is_a_setting_and_a_little_clock_skew_is_allowed(hz, settings):
    settings.EARLIEST_DATE = timezone.localdate() - timedelta(days=10)
    client = api(hz.users["inspector"])
    too_old = (timezone.now() - timedelta(days=11)).isoformat()
    assert client.post("/api/v1/hazards/", body(hz, found_at=too_old), format="json").status_code == 400
    skewed = (timezone.now() + timedelta(minutes=2)).isoformat()
    assert client.post("/api/v1/hazards/", body(hz, found_at=skewed), format="json").status_code == 201


def test_timestamps_the_api_returns_are_rfc3339(hz):
    """GIVEN a hazard found on the floor day and one with the farthest deadline allowed THEN every date-time in the
    detail is RFC 3339 (no LMT offset such as +08:05:43, no five-digit year)."""
    last = timezone.localdate() + timedelta(days=hz_settings_days())
    created = api(hz.users["inspector"]).post(
        "/api/v1/hazards/", body(hz, found_at="2000-01-01T00:00:00+08:00", deadline=f"{last}T23:00:00+08:00"),
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    data = api(hz.users["inspector"]).get(f"/api/v1/hazards/{created.json()['id']}/").json()
    for key in ("found_at", "deadline", "created_at", "updated_at"):
        assert RFC3339.match(data[key]), (key, data[key])


def hz_settings_days() -> int:
    from django.conf import settings

    return settings.DEADLINE_HORIZON_DAYS


def test_workflow_refuses_far_deadlines_for_every_caller(hz):
    """The bound lives in the workflow, so admin actions and tasks get it too, not only the API."""
    far = timezone.now() + timedelta(days=hz_settings_days() + 2)
    with pytest.raises(Exception) as refused:
        workflow.file_hazard(hz.users["inspector"], filing(hz, deadline=far))
    assert "deadline" in refused.value.message_dict


# --- evaluation documents (point 12) --------------------------------------------------------------------------------


def test_a_file_starting_pdf_but_holding_html_is_not_a_pdf(hz, media):
    hazard = advance(hz, "rectifying", level="major")
    html = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>"
    upload = SimpleUploadedFile("评估.pdf", html, "application/pdf")
    response = api(hz.users["enterprise"]).post(f"/api/v1/hazards/{hazard.id}/evaluation/", {"file": upload},
                                                format="multipart")  # fmt: skip
    assert response.status_code == 400
    assert "PDF" in response.json()["file"][0]
    assert not EvaluationDocument.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_real_pdf_is_kept_as_it_came(hz):
    hazard = advance(hz, "rectifying", level="major")
    content = pdf_bytes(pages=2)
    upload = SimpleUploadedFile("评估.pdf", content, "application/pdf")
    response = api(hz.users["enterprise"]).post(f"/api/v1/hazards/{hazard.id}/evaluation/", {"file": upload},
                                                format="multipart")  # fmt: skip
    assert response.status_code == 200, response.json()
    document = EvaluationDocument.objects.get()
    assert document.content_type == "application/pdf"
    assert document.file.read() == content


def test_page_refuses_a_fake_pdf_with_a_message(hz, client):
    hazard = advance(hz, "rectifying", level="major")
    client.force_login(hz.users["enterprise"])
    fake = SimpleUploadedFile("e.pdf", b"%PDF-1.7\n<html></html>", "application/pdf")
    response = client.post(reverse("hazards:action", args=[hazard.id, "attach_evaluation"]), {"file": fake},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert response.status_code == 400
    assert "PDF" in response.content.decode()
    assert not EvaluationDocument.objects.exists()
