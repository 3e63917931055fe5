"""Look-back (回头看): closing a major hazard schedules one LOOKBACK_MONTHS later for its department; overdue ones
are on the department's queue, the dashboard panel and the list; a failed one reopens the hazard."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from hazards import workflow
from hazards.choices import Action, Status
from hazards.models import Hazard, LookBack
from safety_platform.lib.errors import Conflict
from work import queues

from .conftest import advance, later, pdf_bytes
from .test_rules import api

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def in_post_long_ago(hz):
    """Everyone holds their post since 2020, so the tests can travel to 2026's dates."""
    from organizations.models import PositionAssignment

    PositionAssignment.objects.update(started_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))


def close_major(hz) -> Hazard:
    hazard = advance(hz, "awaiting_acceptance", level="major")
    evaluation = SimpleUploadedFile("评估.pdf", pdf_bytes(), "application/pdf")
    workflow.attach_evaluation(hz.users["enterprise"], hazard, evaluation, "专家评估")
    workflow.accept(hz.users["county_dept"], hazard)
    return Hazard.objects.get(pk=hazard.pk)


@pytest.mark.parametrize(
    ("closed", "due"),
    [
        (datetime(2026, 5, 31, 10, 0), date(2026, 8, 31)),
        (datetime(2026, 11, 30, 23, 30), date(2027, 2, 28)),  # no 30 February: the month's last day
        (datetime(2026, 3, 31, 0, 30), date(2026, 6, 30)),  # 00:30 in Shanghai is still the 31st there
    ],
)
def test_closing_a_major_hazard_schedules_its_look_back(hz, closed, due):
    with time_machine.travel(closed.replace(tzinfo=SHANGHAI), tick=False):
        hazard = close_major(hz)
    look_back = LookBack.objects.get(hazard=hazard)
    assert (look_back.due_on, look_back.department, look_back.done_at) == (due, hz.d1_yjj, None)
    assert look_back.closed_at == hazard.closed_at


def test_a_general_hazard_has_no_look_back_and_the_interval_is_a_setting(hz, settings):
    advance(hz, "closed")
    assert not LookBack.objects.exists()
    settings.LOOKBACK_MONTHS = 1
    with time_machine.travel(datetime(2026, 1, 31, 9, 0, tzinfo=SHANGHAI), tick=False):
        hazard = close_major(hz)
    assert LookBack.objects.get(hazard=hazard).due_on == date(2026, 2, 28)


@pytest.mark.parametrize(("day", "overdue"), [(date(2026, 8, 30), 0), (date(2026, 8, 31), 0), (date(2026, 9, 1), 1)])
def test_overdue_the_day_after_it_is_due(hz, client, day, overdue):
    """GIVEN a look-back due on 31 August WHEN the day before, the day itself and the day after THEN it is overdue
    only the day after: on the department's queue (whose count its list page shows), the panel and the API."""
    with time_machine.travel(datetime(2026, 5, 31, 10, 0, tzinfo=SHANGHAI), tick=False):
        close_major(hz)
    with time_machine.travel(datetime.combine(day, datetime.min.time()).replace(hour=12, tzinfo=SHANGHAI)):
        user = hz.users["county_dept"]
        assert LookBack.objects.overdue().count() == overdue
        entry = next(e for s in queues.build(user) for e in s.entries if e.key == "dept_look_backs")
        assert entry.count == overdue and entry.urgent == bool(overdue)
        if overdue:
            assert entry.items[0].late and entry.items[0].url.startswith("/hazards/look-backs/")
        client.force_login(user)
        page = client.get(entry.url).content.decode()
        assert page.count('class="row-title"') == overdue
        panel = client.get(reverse("dashboards:panel-look-backs"))
        assert panel.status_code == 200 and panel.context["counts"] == {"overdue": overdue, "soon": 1 - overdue,
                                                                        "pending": 1}  # fmt: skip
        listed = api(user).get("/api/v1/look-backs/", {"state": "overdue"}).json()["results"]
        assert len(listed) == overdue


def test_a_passed_look_back_keeps_the_hazard_closed(hz):
    hazard = close_major(hz)
    look_back = workflow.record_look_back(hz.users["inspector"], LookBack.objects.get().pk, "passed", "未见复发")
    assert (look_back.result, look_back.done_by, look_back.note) == ("passed", hz.users["inspector"], "未见复发")
    hazard.refresh_from_db()
    assert hazard.status == Status.CLOSED
    assert hazard.events.filter(action=Action.LOOK_BACK, data__result="passed").count() == 1
    with pytest.raises(Conflict):
        workflow.record_look_back(hz.users["county_dept"], look_back.pk, "failed", "又出现", later(10))


def test_a_failed_look_back_reopens_the_hazard_with_a_new_deadline(hz):
    hazard = close_major(hz)
    pk = LookBack.objects.get().pk
    with pytest.raises(ValidationError) as refused:
        workflow.record_look_back(hz.users["county_dept"], pk, "failed")
    assert set(refused.value.message_dict) == {"note", "deadline"}
    assert LookBack.objects.get().done_at is None  # nothing half-stored
    deadline = later(20)
    workflow.record_look_back(hz.users["county_dept"], pk, "failed", "阀门再次渗漏", deadline)
    hazard.refresh_from_db()
    assert (hazard.status, hazard.deadline, hazard.closed_at) == (Status.RECTIFYING, deadline, None)
    actions = list(hazard.events.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == [Action.LOOK_BACK, Action.REOPEN]
    assert LookBack.objects.get(pk=pk).result == "failed"
    # Rectified and closed again: a new look-back for the new closure.
    workflow.submit_rectification(hz.users["enterprise"], hazard, "已更换阀门")
    workflow.accept(hz.users["county_dept"], hazard)
    assert LookBack.objects.filter(hazard=hazard).count() == 2 and LookBack.objects.pending().count() == 1


def test_who_may_record_a_look_back(hz):
    close_major(hz)
    pk = LookBack.objects.get().pk
    with pytest.raises(PermissionDenied):
        workflow.record_look_back(hz.users["enterprise"], pk, "passed")  # sees it, is not the department
    with pytest.raises(PermissionDenied):
        workflow.record_look_back(hz.users["district"], pk, "passed")  # the territory, not the department
    with pytest.raises(Http404):
        workflow.record_look_back(hz.users["outsider"], pk, "passed")
    assert api(hz.users["outsider"]).post(f"/api/v1/look-backs/{pk}/record/", {"result": "passed"}).status_code == 404
    assert api(hz.users["enterprise"]).post(f"/api/v1/look-backs/{pk}/record/", {"result": "passed"}).status_code == 403
    bad = api(hz.users["county_dept"]).post(f"/api/v1/look-backs/{pk}/record/", {"result": "maybe"})
    assert bad.status_code == 400 and "result" in bad.json()
    done = api(hz.users["county_dept"]).post(f"/api/v1/look-backs/{pk}/record/", {"result": "passed"})
    assert done.status_code == 200 and done.json()["result"] == "passed"
    again = api(hz.users["county_dept"]).post(f"/api/v1/look-backs/{pk}/record/", {"result": "passed"})
    assert again.status_code == 409


def test_reopening_a_hazard_drops_its_pending_look_back(hz):
    hazard = close_major(hz)
    workflow.reopen(hz.users["county_dept"], hazard, "群众举报又出现", later(10))
    assert not LookBack.objects.exists()


def test_the_record_page(hz, client):
    hazard = close_major(hz)
    look_back = LookBack.objects.get()
    client.force_login(hz.users["county_dept"])
    url = reverse("hazards:look-back", args=[look_back.pk])
    assert 'name="result"' in client.get(url).content.decode()
    refused = client.post(url, {"result": "failed"})
    assert refused.status_code == 400 and LookBack.objects.get().done_at is None
    done = client.post(url, {"result": "failed", "note": "又渗漏", "deadline_working_days": 5})
    assert done.status_code == 302 and done.url == reverse("hazards:detail", args=[hazard.pk])
    assert Hazard.objects.get(pk=hazard.pk).status == Status.RECTIFYING
    client.force_login(hz.users["enterprise"])
    assert 'name="result"' not in client.get(url).content.decode()  # sees it, may not record it
    client.force_login(hz.users["outsider"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("dashboards:panel-look-backs")).status_code == 403


def test_the_list_shows_done_ones_apart(hz, client):
    close_major(hz)
    look_back = LookBack.objects.get()
    workflow.record_look_back(hz.users["county_dept"], look_back, "passed", "")
    client.force_login(hz.users["county_dept"])
    assert "row-title" not in client.get(reverse("hazards:look-backs")).content.decode()
    assert client.get(reverse("hazards:look-backs"), {"state": "done"}).content.decode().count("row-title") == 1
    assert api(hz.users["county_dept"]).get("/api/v1/look-backs/", {"state": "nope"}).status_code == 400


def test_the_hazard_page_shows_its_look_backs(hz, client):
    """GIVEN a closed major hazard THEN its page shows the look-back due, linked to its record page; once recorded,
    the result, day and who; a general hazard's page has no such section."""
    hazard = close_major(hz)
    look_back = LookBack.objects.get()
    client.force_login(hz.users["district"])
    page = client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
    assert "<h2>回头看</h2>" in page and reverse("hazards:look-back", args=[look_back.pk]) in page
    assert f"到期日 {look_back.due_on:%Y-%m-%d}" in page and "尚未进行" in page
    workflow.record_look_back(hz.users["county_dept"], look_back, "passed", "未见复发")
    page = client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
    assert "尚未进行" not in page and LookBack.objects.get().get_result_display() in page
    general = advance(hz, "closed")
    assert "<h2>回头看</h2>" not in client.get(reverse("hazards:detail", args=[general.pk])).content.decode()
