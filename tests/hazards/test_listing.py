"""Listed supervision (挂牌督办) on the official calendar: listed within 3 working days of the confirmation as major,
the order published within 5, a listing of at most a year, extensions asked 20 working days ahead and decided within
10, and the supervising leader's own actions with the reminder after 30 idle days. Each limit at, just before and just
after, across the 2024 National Day holiday (1-7 October off; Sunday 29 September and Saturday 12 October worked)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from hazards import listing_clock, workflow
from hazards.models import Hazard, HazardEvent, HazardPhoto, ListedSupervision
from notifications import sweeps
from notifications.models import Notification
from organizations.choices import PositionKind
from organizations.models import Position, PositionAssignment
from safety_platform.lib.errors import Conflict

from .conftest import FULL_PLAN, MAJOR_PLAN, filing, jpeg_bytes

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, clock: str = "10:00:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def lst(hz, settings):
    """The hazard world with everyone in post since 2020 (the tests travel to 2024) and the district's territorial
    leader as the supervising leader of every listing."""
    settings.NOTIFY_WEBHOOK_URL = ""
    PositionAssignment.objects.update(started_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))
    hz.leader = Position.objects.get(kind=PositionKind.TERRITORIAL_LEADER, region=hz.d1)
    return hz


def major(hz, when: datetime) -> Hazard:
    """A major hazard filed and confirmed at `when`, its rectification deadline 60 days later."""
    with time_machine.travel(when, tick=False):
        hazard, _ = workflow.file_hazard(hz.users["inspector"], filing(hz, level="major"))
        return workflow.confirm(hz.users["county_dept"], hazard, when + timedelta(days=60))


def list_it(hz, hazard: Hazard, when: datetime, deadline: datetime, notice: str = "") -> Hazard:
    with time_machine.travel(when, tick=False):
        listing = workflow.Listing("department", hz.leader, "海应急督〔2024〕1号", deadline, notice)
        return workflow.list_supervision(hz.users["county_head"], hazard, listing)


def told(hazard: Hazard, kind: str) -> set[str]:
    notices = Notification.objects.filter(hazard=hazard, kind=kind).select_related("recipient")
    return {n.recipient.username for n in notices}


def sweep_at(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        sweeps.run()


# --- listed within 3 working days, the order published within 5 ---------------------------------------------------


@pytest.mark.parametrize(
    ("confirmed", "due"),
    [
        ("2024-09-26", "2024-09-30"),  # Friday 27th, make-up Sunday 29th, Monday 30th
        ("2024-09-27", "2024-10-08"),  # 29th, 30th, then the holiday week: Tuesday 8 October
    ],
)
def test_a_major_hazard_not_listed_within_3_working_days_escalates_once(lst, confirmed, due):
    hazard = major(lst, at(confirmed))
    assert listing_clock.listing_due(at(confirmed)) == at(due, "23:59:59")
    sweep_at(at(due, "09:00:00"))  # just before
    sweep_at(at(due, "23:59:59"))  # at the limit: still in time
    assert told(hazard, "hz_unlisted") == set()
    after = at(due, "23:59:59") + timedelta(seconds=1)  # just after
    sweep_at(after)
    sweep_at(after + timedelta(minutes=1))  # a second sweep tells nobody again
    assert told(hazard, "hz_unlisted") == {"county_head", "district", "city"}
    assert Notification.objects.filter(hazard=hazard, kind="hz_unlisted", must_answer=True).count() == 3
    event = HazardEvent.objects.get(hazard=hazard, action="not_listed_in_time")
    assert due in event.reason and set(event.data["recipients"]) == {"county_head", "district", "city"}


def test_a_hazard_listed_in_time_or_general_never_escalates(lst):
    listed = major(lst, at("2024-09-27"))
    list_it(lst, listed, at("2024-10-08", "23:00:00"), at("2025-06-30"), "公告")
    general, _ = workflow.file_hazard(lst.users["inspector"], filing(lst, level="general"))
    sweep_at(at("2024-10-20"))
    assert told(listed, "hz_unlisted") == set() and told(general, "hz_unlisted") == set()
    assert not HazardEvent.objects.filter(action="not_listed_in_time").exists()


def test_the_order_not_published_within_5_working_days_escalates(lst):
    """GIVEN confirmed on Friday 27 September and listed without its order WHEN the clock passes the end of 10 October
    (29th, 30th, 8th, 9th, 10th) THEN the listing authority and the city office are told, once."""
    hazard = major(lst, at("2024-09-27"))
    published = major(lst, at("2024-09-27"))
    list_it(lst, hazard, at("2024-09-29"), at("2025-06-30"))
    list_it(lst, published, at("2024-09-29"), at("2025-06-30"))
    with time_machine.travel(at("2024-10-10", "16:00:00"), tick=False):
        workflow.publish_order(lst.users["county_head"], published, "督办令：限期整改")
    assert ListedSupervision.objects.get(hazard=published).order_published_at == at("2024-10-10", "16:00:00")
    sweep_at(at("2024-10-10", "12:00:00"))
    sweep_at(at("2024-10-10", "23:59:59"))
    assert told(hazard, "hz_order_late") == set()
    sweep_at(at("2024-10-11", "00:00:00"))
    sweep_at(at("2024-10-11", "00:05:00"))
    assert told(hazard, "hz_order_late") == {"county_head", "city"}
    assert told(published, "hz_order_late") == set()
    assert HazardEvent.objects.filter(hazard=hazard, action="order_not_published").count() == 1


def test_a_listing_with_its_public_notice_publishes_the_order(lst):
    hazard = list_it(lst, major(lst, at("2024-09-27")), at("2024-09-27", "11:00:00"), at("2025-06-30"), "公告")
    assert ListedSupervision.objects.get(hazard=hazard).order_published_at == at("2024-09-27", "11:00:00")
    with time_machine.travel(at("2024-09-28"), tick=False):
        again = api(lst.users["county_head"]).post(
            f"/api/v1/hazards/{hazard.id}/publish_order/", {"public_notice": "再次公告"}, format="json"
        )
    assert again.status_code == 409


# --- a listing lasts at most a year ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "status"),
    [("2025-09-27T12:00:00", 200), ("2025-09-27T23:59:59", 200), ("2025-09-28T00:00:00", 400)],
)
def test_a_listing_deadline_lies_within_a_year_of_the_listing(lst, deadline, status):
    hazard = major(lst, at("2024-09-27"))
    body = {"authority": "department", "supervising_leader": lst.leader.id, "order_number": "督-1",
            "deadline": f"{deadline}+08:00"}  # fmt: skip
    with time_machine.travel(at("2024-09-27", "11:00:00"), tick=False):
        response = api(lst.users["county_head"]).post(
            f"/api/v1/hazards/{hazard.id}/list_supervision/", body, format="json"
        )
    assert response.status_code == status, response.json()
    if status == 400:
        assert "2025-09-27" in response.json()["deadline"][0]
        assert not ListedSupervision.objects.filter(hazard=hazard).exists()


# --- extensions: asked 20 working days ahead, decided within 10 -----------------------------------------------------


def rectifying_listed(lst, deadline: datetime) -> Hazard:
    hazard = major(lst, at("2024-09-02"))
    with time_machine.travel(at("2024-09-03"), tick=False):
        workflow.submit_plan(lst.users["enterprise"], hazard, {**FULL_PLAN, **MAJOR_PLAN, "deadline": at("2024-10-20")})
    return list_it(lst, hazard, at("2024-09-03"), deadline, "公告")


def ask(lst, hazard: Hazard, when: datetime, deadline: str = "2024-12-31T23:59:59+08:00"):
    with time_machine.travel(when, tick=False):
        return api(lst.users["enterprise"]).post(
            f"/api/v1/hazards/{hazard.id}/ask_extension/",
            {"deadline": deadline, "reason": "设备到货延迟"},
            format="json",
        )


@pytest.mark.parametrize(
    ("moment", "status"),
    [("2024-09-26T09:00:00", 200), ("2024-09-26T23:59:59", 200), ("2024-09-27T00:00:00", 409)],
)
def test_an_extension_is_asked_at_least_20_working_days_before_the_deadline(lst, moment, status):
    """GIVEN a listing ending Tuesday 29 October 2024 THEN 20 working days before it is Thursday 26 September (the
    count back passes make-up Saturday 12 October, the holiday week and make-up Sunday 29 September): an ask that day
    is taken, one the next day is refused with the last day named."""
    hazard = rectifying_listed(lst, at("2024-10-29", "23:59:59"))
    assert listing_clock.last_ask_day(at("2024-10-29", "23:59:59")) == date(2024, 9, 26)
    response = ask(lst, hazard, datetime.fromisoformat(moment).replace(tzinfo=SHANGHAI))
    assert response.status_code == status, response.json()
    listing = ListedSupervision.objects.get(hazard=hazard)
    if status == 409:
        assert "2024-09-26" in response.json()["detail"] and "20" in response.json()["detail"]
        assert listing.extension_asked_at is None
    else:
        assert listing.extension_deadline == at("2024-12-31", "23:59:59")
        assert response.json()["listing"]["extension_asked_at"]


def test_an_extension_cannot_pass_a_year_from_the_listing_nor_be_asked_twice(lst):
    hazard = rectifying_listed(lst, at("2024-12-31"))
    too_far = ask(lst, hazard, at("2024-09-10"), "2025-09-04T00:00:00+08:00")  # listed 3 September 2024
    assert too_far.status_code == 400 and "2025-09-03" in too_far.json()["deadline"][0]
    assert ask(lst, hazard, at("2024-09-10"), "2025-09-03T23:59:59+08:00").status_code == 200
    assert ask(lst, hazard, at("2024-09-11"), "2025-08-01T00:00:00+08:00").status_code == 409  # one at a time


def test_an_extension_not_decided_within_10_working_days_escalates(lst):
    """GIVEN asked on Friday 27 September WHEN not decided by the end of Wednesday 16 October (29th, 30th, 8th-12th
    with make-up Saturday 12th, 14th-16th) THEN the listing authority and the city office must answer, once; a
    decided ask is never escalated."""
    hazard = rectifying_listed(lst, at("2024-12-31"))
    decided = rectifying_listed(lst, at("2024-12-31"))
    assert ask(lst, hazard, at("2024-09-27")).status_code == 200
    assert ask(lst, decided, at("2024-09-27")).status_code == 200
    with time_machine.travel(at("2024-10-16", "17:00:00"), tick=False):
        workflow.decide_extension(lst.users["county_head"], decided, True)
    sweep_at(at("2024-10-16", "08:00:00"))
    sweep_at(at("2024-10-16", "23:59:59"))
    assert told(hazard, "hz_ext_late") == set()
    sweep_at(at("2024-10-17", "00:00:00"))
    sweep_at(at("2024-10-17", "00:01:00"))
    assert told(hazard, "hz_ext_late") == {"county_head", "city"}
    assert told(decided, "hz_ext_late") == set()
    assert HazardEvent.objects.filter(hazard=hazard, action="extension_undecided").count() == 1


def test_deciding_an_extension_moves_both_deadlines_or_refuses_with_a_reason(lst):
    hazard = rectifying_listed(lst, at("2024-12-31"))
    ask(lst, hazard, at("2024-09-27"), "2025-03-31T23:59:59+08:00")
    url = f"/api/v1/hazards/{hazard.id}/decide_extension/"
    with time_machine.travel(at("2024-09-30"), tick=False):
        assert api(lst.users["enterprise"]).post(url, {"approve": True}, format="json").status_code == 403
        assert api(lst.users["county_head"]).post(url, {"approve": False}, format="json").status_code == 400
        approved = api(lst.users["county_head"]).post(url, {"approve": True}, format="json")
        assert approved.status_code == 200, approved.json()
        assert approved.json()["listing"]["deadline"] == "2025-03-31T23:59:59+08:00"
        assert approved.json()["deadline"] == "2025-03-31T23:59:59+08:00"
        assert api(lst.users["county_head"]).post(url, {"approve": True}, format="json").status_code == 409
    event = HazardEvent.objects.get(hazard=hazard, action="extension_approved")
    assert event.data["new"].startswith("2025-03-31")
    assert told(hazard, "hz_ext_decided") == {"enterprise"}


def test_a_listed_hazard_is_not_extended_by_the_plain_extension(lst):
    hazard = rectifying_listed(lst, at("2024-12-31"))
    with time_machine.travel(at("2024-09-10"), tick=False):
        response = api(lst.users["county_head"]).post(
            f"/api/v1/hazards/{hazard.id}/extend_deadline/",
            {"deadline": "2024-12-01T00:00:00+08:00", "reason": "延期"},
            format="json",
        )
    assert response.status_code == 409


# --- the supervising leader's own actions ----------------------------------------------------------------------------


def leader_post(user, hazard: Hazard, **fields):
    body = {"kind": "supervised", "date": "2024-10-09", "note": "现场督办阀门更换", **fields}
    return api(user).post(f"/api/v1/hazards/{hazard.id}/leader_action/", body, format="multipart")


def test_the_leader_records_an_action_with_photos_on_the_timeline(lst):
    hazard = list_it(lst, major(lst, at("2024-09-27")), at("2024-09-27"), at("2025-06-30"), "公告")
    photo = SimpleUploadedFile("现场.jpg", jpeg_bytes(), "image/jpeg")
    with time_machine.travel(at("2024-10-09", "15:00:00"), tick=False):
        response = leader_post(lst.users["district"], hazard, photos=[photo])
    assert response.status_code == 200, response.json()
    event = HazardEvent.objects.get(hazard=hazard, action="leader_supervised")
    assert event.actor == lst.users["district"]
    assert event.data["date"] == "2024-10-09" and event.data["note"] == "现场督办阀门更换"
    stored = HazardPhoto.objects.get(hazard=hazard, kind="supervision")
    assert event.data["photo_ids"] == [stored.pk]
    assert ListedSupervision.objects.get(hazard=hazard).leader_acted_at == at("2024-10-09", "15:00:00")


def test_only_the_leader_records_actions_and_only_on_a_listed_hazard(lst):
    listed = list_it(lst, major(lst, at("2024-09-27")), at("2024-09-27"), at("2025-06-30"), "公告")
    unlisted = major(lst, at("2024-09-27"))
    with time_machine.travel(at("2024-10-09"), tick=False):
        for other in ("county_head", "enterprise", "city", "inspector"):
            assert leader_post(lst.users[other], listed).status_code == 403, other
        assert leader_post(lst.users["outsider"], listed).status_code == 404
        # the workflow refuses in the house order, 404, 409 (not listed), 403, then the input (400)
        record = workflow.record_leader_action
        with pytest.raises(Http404):
            record(lst.users["outsider"], listed, "studied", date(2024, 10, 9), "")
        with pytest.raises(PermissionDenied):
            record(lst.users["county_head"], listed, "studied", date(2024, 10, 9), "")
        with pytest.raises(Conflict):
            record(lst.users["district"], unlisted, "studied", date(2024, 10, 9), "")
        with pytest.raises(ValidationError):
            record(lst.users["district"], listed, "studied", date(2024, 10, 9), "")
        assert leader_post(lst.users["district"], unlisted).status_code == 409
        future = leader_post(lst.users["district"], listed, date="2024-10-10")
        assert future.status_code == 400 and "date" in future.json()
        before = leader_post(lst.users["district"], listed, date="2024-09-26")
        assert before.status_code == 400 and "date" in before.json()
        assert leader_post(lst.users["district"], listed, note=" ").status_code == 400
        bad = SimpleUploadedFile("x.jpg", b"not a picture", "image/jpeg")
        assert leader_post(lst.users["district"], listed, photos=[bad]).status_code == 400
    assert not HazardEvent.objects.filter(action__startswith="leader_").exists()
    assert not HazardPhoto.objects.filter(kind="supervision").exists()


def test_a_leader_without_action_for_30_days_is_reminded(lst):
    """GIVEN listed on 27 September 10:00 THEN reminded on 27 October 10:00, not a second earlier, once; an action on
    1 November 15:00 starts the 30 days again."""
    hazard = list_it(lst, major(lst, at("2024-09-27")), at("2024-09-27"), at("2025-06-30"), "公告")
    sweep_at(at("2024-10-27", "09:59:59"))
    assert told(hazard, "hz_leader_idle") == set()
    sweep_at(at("2024-10-27", "10:00:00"))
    sweep_at(at("2024-10-27", "10:01:00"))
    assert told(hazard, "hz_leader_idle") == {"district"}
    assert Notification.objects.get(hazard=hazard, kind="hz_leader_idle").must_answer is False
    with time_machine.travel(at("2024-11-01", "15:00:00"), tick=False):
        workflow.record_leader_action(lst.users["district"], hazard, "coordinated", date(2024, 11, 1), "协调资金")
    sweep_at(at("2024-12-01", "14:59:59"))
    assert Notification.objects.filter(hazard=hazard, kind="hz_leader_idle").count() == 1
    sweep_at(at("2024-12-01", "15:00:01"))
    assert Notification.objects.filter(hazard=hazard, kind="hz_leader_idle").count() == 2
    assert HazardEvent.objects.filter(hazard=hazard, action="leader_idle").count() == 2


def test_the_idle_days_are_a_setting(lst, settings):
    settings.LEADER_IDLE_DAYS = 10
    hazard = list_it(lst, major(lst, at("2024-09-27")), at("2024-09-27"), at("2025-06-30"), "公告")
    sweep_at(at("2024-10-07", "09:59:00"))
    assert told(hazard, "hz_leader_idle") == set()
    sweep_at(at("2024-10-07", "10:00:00"))
    assert told(hazard, "hz_leader_idle") == {"district"}


def test_the_leader_records_an_action_on_the_page(lst, client):
    hazard = list_it(lst, major(lst, at("2024-09-27")), at("2024-09-27"), at("2025-06-30"), "公告")
    url = reverse("hazards:action", args=[hazard.pk, "leader_action"])
    with time_machine.travel(at("2024-10-09", "15:00:00"), tick=False):
        client.force_login(lst.users["district"])
        page = client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
        assert 'id="id_leader_action-note"' in page and 'id="id_leader_action-photos"' in page
        empty = client.post(url, {"kind": "studied", "date": "2024-10-09", "note": ""})
        assert empty.status_code == 400 and 'id="id_leader_action-note"' in empty.content.decode()
        photo = SimpleUploadedFile("现场.jpg", jpeg_bytes(), "image/jpeg")
        body = {"kind": "studied", "date": "2024-10-08", "note": "专题会研究整改方案", "photos": [photo]}
        assert client.post(url, body).status_code == 302
        shown = client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
        assert "专题会研究整改方案" in shown and "2024-10-08" in shown
        client.force_login(lst.users["enterprise"])
        assert (
            'id="id_leader_action-note"' not in client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
        )
        assert client.post(url, {"kind": "studied", "date": "2024-10-09", "note": "x"}).status_code == 403
    assert HazardEvent.objects.filter(hazard=hazard, action="leader_studied").count() == 1


def test_the_extension_is_asked_and_decided_on_the_page(lst, client):
    hazard = rectifying_listed(lst, at("2024-12-31"))
    detail = reverse("hazards:detail", args=[hazard.pk])
    with time_machine.travel(at("2024-09-27"), tick=False):
        client.force_login(lst.users["enterprise"])
        page = client.get(detail).content.decode()
        assert 'id="id_ask_extension-deadline"' in page
        assert listing_clock.last_ask_day(at("2024-12-31")).isoformat() in page  # the last day to ask is shown
        asked = {"deadline": "2025-03-31T23:59", "reason": "设备到货延迟"}
        assert client.post(reverse("hazards:action", args=[hazard.pk, "ask_extension"]), asked).status_code == 302
        assert "2024-10-16" in client.get(detail).content.decode()  # to be decided by
        client.force_login(lst.users["county_head"])
        assert 'id="id_decide_extension-approve_0"' in client.get(detail).content.decode()
        decide = reverse("hazards:action", args=[hazard.pk, "decide_extension"])
        refused = client.post(decide, {"approve": "0", "reason": ""})
        assert refused.status_code == 400 and 'id="id_decide_extension-reason"' in refused.content.decode()
        assert client.post(decide, {"approve": "1"}).status_code == 302
    listing = ListedSupervision.objects.get(hazard=hazard)
    assert listing.deadline == at("2025-03-31", "23:59:00") and not listing.extension_pending


def test_a_dry_run_of_the_sweep_writes_nothing(lst):
    hazard = major(lst, at("2024-09-27"))
    with time_machine.travel(at("2024-10-09"), tick=False):
        result = sweeps.run(dry_run=True)
    assert any(hazard.code in line for line in result.planned)
    assert not Notification.objects.filter(kind="hz_unlisted").exists()
    assert not HazardEvent.objects.filter(action="not_listed_in_time").exists()
    sweep_at(at("2024-10-09"))
    assert told(hazard, "hz_unlisted") == {"county_head", "district", "city"}
