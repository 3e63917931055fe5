"""Roll calls (查岗): called by the city office, answered with one tap, silence passed up, a report per post."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from duty_roster.failures import four_failures
from duty_roster.models import DutyShift
from notifications import sweeps
from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind
from organizations.models import PositionAssignment, User

from ..factories import PositionFactory, UserFactory, assign
from .conftest import SHANGHAI


@pytest.fixture
def posts(world):
    """Duty posts of the two districts, each held by one officer; the 海滨区 post reports to its leader."""
    leader = world.users["district"].assignments.get().position
    d1_post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                              title="海滨区值班室", superior=leader)  # fmt: skip
    d2_post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d2,
                              title="新城区值班室")  # fmt: skip
    world.users["duty1"] = UserFactory(username="duty1", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    world.users["duty2"] = UserFactory(username="duty2", unit_kind=UnitKind.GOVERNMENT, region=world.d2)
    assign(world.users["duty1"], d1_post)
    assign(world.users["duty2"], d2_post)
    return d1_post, d2_post


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_roll_call_answered_late_and_silent(world, posts):
    d1_post, d2_post = posts
    body = {"positions": [d1_post.id, d2_post.id], "message": "国庆值班查岗", "answer_minutes": 5}
    assert api(world.users["district"]).post("/api/v1/roll-calls/", body, format="json").status_code == 403
    assert (
        api(world.users["city"]).post("/api/v1/roll-calls/", {**body, "positions": []}, format="json").status_code
        == 400
    )
    called = api(world.users["city"]).post("/api/v1/roll-calls/", body, format="json")
    assert called.status_code == 201, called.json()
    roll_id = called.json()["id"]
    notice = Notification.objects.get(recipient=world.users["duty1"])
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        assert api(world.users["duty1"]).post(f"/api/v1/notifications/{notice.pk}/acknowledge/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        sweeps.run()
    rows = {r["title"]: r for r in api(world.users["city"]).get(f"/api/v1/roll-calls/{roll_id}/report/").json()}
    assert rows["海滨区值班室"]["answered_by"] == "duty1" and 110 <= rows["海滨区值班室"]["seconds"] <= 130
    assert rows["海滨区值班室"]["late"] is False and rows["海滨区值班室"]["passed_up"] is False
    assert rows["新城区值班室"]["answered_at"] is None and rows["新城区值班室"]["late"] is True
    assert rows["新城区值班室"]["passed_up"] is True  # silence escalates (no superior set: to the city office)
    told = Notification.objects.get(key__startswith="up:", recipient=world.users["city"])
    assert "新城区值班室没有上级岗位" in told.vacancy_note
    assert AuditEvent.objects.filter(action="rollcall.call", actor=world.users["city"]).exists()


def test_silence_goes_to_the_posts_superior(world, posts):
    d1_post, _ = posts
    api(world.users["city"]).post("/api/v1/roll-calls/", {"positions": [d1_post.id], "message": "查岗"}, format="json")
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        sweeps.run()
    assert Notification.objects.filter(recipient=world.users["district"], must_answer=True).exists()


def test_console_and_report_pages(client, world, posts):
    client.force_login(world.users["city"])
    page = client.get("/duty/roll-calls/").content.decode()
    assert "海滨区值班室" in page and "新城区值班室" in page
    called = client.post("/duty/roll-calls/", {"positions": [posts[0].id], "message": "查岗"})
    assert called.status_code == 302
    assert "海滨区值班室" in client.get(called["Location"]).content.decode()
    client.force_login(world.users["district"])
    assert client.get("/duty/roll-calls/").status_code == 403


# --- who is called: the rota first, the post's holders where no shift covers the moment (#15) ------------------

NEW_YEAR = datetime(2027, 1, 1, 8, 30, tzinfo=SHANGHAI)  # a shift starts at 08:30 and lasts a day


@pytest.fixture
def rota(world, posts):
    """GIVEN 海滨区值班室 (held by duty1) with shifts on New Year's Day (leader L1, officers O1 O2) and the day after
    (leader L2, officer O3), and 新城区值班室 (held by duty2) with no rota at all."""
    PositionAssignment.objects.update(started_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))
    people = {n: UserFactory(username=n, full_name=n, unit_kind=UnitKind.GOVERNMENT, region=world.d1)
              for n in ("L1", "L2", "O1", "O2", "O3")}  # fmt: skip
    d1_post = posts[0]
    for day, leader, officers in ((0, "L1", ("O1", "O2")), (1, "L2", ("O3",))):
        start = NEW_YEAR + timedelta(days=day)
        shift = DutyShift.objects.create(post=d1_post, date=start.date(), starts_at=start,
                                         ends_at=start + timedelta(days=1), leader=people[leader])  # fmt: skip
        shift.officers.set([people[o] for o in officers])
    world.users.update(people)
    return posts


def called_at(world, moment: datetime, posts, **extra) -> dict:
    with time_machine.travel(moment, tick=False):
        body = {"positions": [p.id for p in posts], "message": "元旦值班查岗", **extra}
        response = api(world.users["city"]).post("/api/v1/roll-calls/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def recipients(roll_id: int, post) -> set[str]:
    return set(
        Notification.objects.filter(key__startswith=f"rollcall:{roll_id}:{post.pk}:").values_list(
            "recipient__username", flat=True
        )
    )


def test_roll_call_goes_to_the_current_shift_not_to_the_posts_other_holders(world, rota):
    d1_post, _ = rota
    roll = called_at(world, NEW_YEAR + timedelta(hours=14), [d1_post, d1_post])  # named twice, called once
    assert recipients(roll["id"], d1_post) == {"L1", "O1", "O2"}  # duty1 holds the post but is not on shift
    (target,) = roll["targets"]
    assert target["source"] == "rota" and set(target["called"]) == {"L1", "O1", "O2"} and not target["flagged"]
    assert roll["flagged"] == []
    notices = Notification.objects.filter(key__startswith=f"rollcall:{roll['id']}:")
    assert {n.position_id for n in notices} == {d1_post.pk}  # counted for the post (the four failures)
    assert all(n.link == f"/duty/roll-calls/{roll['id']}/" for n in notices)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(seconds=-1), {"L1", "O1", "O2"}),  # just before the handover: the first day's shift
        (timedelta(0), {"L2", "O3"}),  # at 08:30 the next shift stands
        (timedelta(seconds=1), {"L2", "O3"}),
    ],
)
def test_roll_call_at_a_shift_boundary(world, rota, offset, expected):
    d1_post, _ = rota
    roll = called_at(world, NEW_YEAR + timedelta(days=1) + offset, [d1_post])
    assert recipients(roll["id"], d1_post) == expected


@pytest.mark.parametrize(
    ("offset", "expected", "source"),
    [
        (timedelta(seconds=-1), {"L2", "O3"}, "rota"),  # the last shift's last second
        (timedelta(0), {"duty1"}, "holders"),  # the rota has ended: the post's holders
    ],
)
def test_roll_call_without_a_rota_for_the_moment_falls_back_to_the_holders(world, rota, offset, expected, source):
    d1_post, d2_post = rota
    roll = called_at(world, NEW_YEAR + timedelta(days=2) + offset, [d1_post, d2_post])
    assert recipients(roll["id"], d1_post) == expected
    assert recipients(roll["id"], d2_post) == {"duty2"}  # no rota ever: its holder
    assert {t["title"]: t["source"] for t in roll["targets"]} == {"海滨区值班室": source, "新城区值班室": "holders"}
    assert roll["flagged"] == []


def test_a_post_nobody_can_be_reached_at_is_flagged_at_once(world, rota, client):
    GIVEN = "新城区值班室 has no rota and its only holder's account is disabled"
    d1_post, d2_post = rota
    User.objects.filter(username="duty2").update(is_active=False)
    roll = called_at(world, NEW_YEAR + timedelta(hours=2), [d1_post, d2_post])
    assert [(f["title"], f["flag_reason"]) for f in roll["flagged"]] == [
        ("新城区值班室", "排班表此刻没有班次，该岗位也没有在用账号的任职人。")
    ], GIVEN
    assert recipients(roll["id"], d2_post) == set()  # nobody to notify
    audit = AuditEvent.objects.get(action="rollcall.call", object_id=str(roll["id"]))
    assert audit.changes["flagged"] == ["新城区值班室"] and audit.changes["posts"] == 2
    rows = {r["title"]: r for r in api(world.users["city"]).get(f"/api/v1/roll-calls/{roll['id']}/report/").json()}
    assert rows["新城区值班室"]["flagged"] is True and rows["新城区值班室"]["late"] is True
    assert rows["海滨区值班室"]["flagged"] is False and set(rows["海滨区值班室"]["called"]) == {"L1", "O1", "O2"}
    # The console says so at once, and the report page names the post.
    with time_machine.travel(NEW_YEAR + timedelta(hours=3), tick=False):
        client.force_login(world.users["city"])
        called = client.post("/duty/roll-calls/", {"positions": [d1_post.id, d2_post.id], "message": "查岗"},
                             follow=True)  # fmt: skip
    page = called.content.decode()
    assert "1 个所查岗位无法联系到任何人：新城区值班室" in page
    assert 'id="flagged"' in page and "排班表此刻没有班次" in page


def test_a_shift_whose_people_are_all_disabled_is_flagged(world, rota):
    d1_post, _ = rota
    User.objects.filter(username__in=["L1", "O1", "O2"]).update(is_active=False)
    roll = called_at(world, NEW_YEAR + timedelta(hours=2), [d1_post])
    assert roll["flagged"][0]["title"] == "海滨区值班室" and roll["flagged"][0]["source"] == "rota"
    assert recipients(roll["id"], d1_post) == set()  # not the holder duty1: the rota says who stands now


def test_roll_call_of_the_leaders_on_duty_alone(world, rota):
    d1_post, d2_post = rota
    flood = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                            title="海滨区防汛值班室")  # fmt: skip
    leaderless = DutyShift.objects.create(post=flood, date=NEW_YEAR.date(), starts_at=NEW_YEAR,
                                          ends_at=NEW_YEAR + timedelta(days=1))  # fmt: skip
    leaderless.officers.set([world.users["O3"]])
    roll = called_at(world, NEW_YEAR + timedelta(hours=2), [d1_post, d2_post, flood], leaders_only=True)
    assert recipients(roll["id"], d1_post) == {"L1"}  # not the officers, not the holder
    assert recipients(roll["id"], flood) == set() and recipients(roll["id"], d2_post) == set()
    assert {f["title"]: f["flag_reason"] for f in roll["flagged"]} == {
        "海滨区防汛值班室": "当前班次没有带班领导。",
        "新城区值班室": "排班表此刻没有班次。",
    }
    notice = Notification.objects.get(key__startswith=f"rollcall:{roll['id']}:")
    assert notice.title.startswith("带班领导查岗") and roll["leaders_only"] is True


def test_the_four_failures_count_each_post_called_once(world, rota):
    GIVEN = "three people called at 海滨区值班室, one answers in time; 新城区值班室 flagged (nobody reachable)"
    d1_post, d2_post = rota
    User.objects.filter(username="duty2").update(is_active=False)
    roll = called_at(world, NEW_YEAR + timedelta(hours=2), [d1_post, d2_post])
    notice = Notification.objects.get(key__startswith=f"rollcall:{roll['id']}:", recipient__username="O1")
    with time_machine.travel(NEW_YEAR + timedelta(hours=2, minutes=4), tick=False):
        assert api(world.users["O1"]).post(f"/api/v1/notifications/{notice.pk}/acknowledge/").status_code == 200
    rows = {r["title"]: r for r in four_failures(world.users["city"], NEW_YEAR.date(), NEW_YEAR.date())}
    assert (rows["海滨区值班室"]["roll_calls"], rows["海滨区值班室"]["roll_calls_failed"]) == (1, 0), GIVEN
    assert (rows["新城区值班室"]["roll_calls"], rows["新城区值班室"]["roll_calls_failed"]) == (1, 1), GIVEN


def test_the_passed_up_roll_call_keeps_its_limit_and_link(world, rota):
    d1_post, _ = rota
    moment = NEW_YEAR + timedelta(hours=2)
    roll = called_at(world, moment, [d1_post], answer_minutes=5)
    with time_machine.travel(moment + timedelta(minutes=5, seconds=-1), tick=False):
        sweeps.run()
    assert not Notification.objects.filter(key__startswith="up:").exists()  # just before the limit
    with time_machine.travel(moment + timedelta(minutes=5), tick=False):
        sweeps.run()
        sweeps.run()
    passed = Notification.objects.filter(key__startswith="up:", recipient=world.users["district"])
    assert passed.count() == 3  # one per unanswered notice (L1, O1, O2), once each
    for notice in passed:
        assert notice.answer_due_at - notice.created_at == timedelta(minutes=5)
        assert notice.link == f"/duty/roll-calls/{roll['id']}/" and notice.body == "元旦值班查岗"


def test_the_notice_link_opens_the_units_own_posts_of_the_roll_call(world, rota, client):
    d1_post, d2_post = rota
    roll = called_at(world, NEW_YEAR + timedelta(hours=2), [d1_post, d2_post])
    url = f"/duty/roll-calls/{roll['id']}/"
    client.force_login(world.users["O1"])  # on shift at 海滨区: sees its district's posts, not 新城区's
    page = client.get(url).content.decode()
    assert "海滨区值班室" in page and "新城区值班室" not in page
    client.force_login(world.users["district"])  # the post's superior, told when nobody answers
    assert client.get(url).status_code == 200
    titles = [r["title"] for r in api(world.users["district"]).get(f"/api/v1/roll-calls/{roll['id']}/report/").json()]
    assert titles == ["海滨区值班室"]
    client.force_login(world.users["enterprise"])
    assert client.get(url).status_code == 404
    assert api(world.users["enterprise"]).get(f"/api/v1/roll-calls/{roll['id']}/report/").status_code == 404
    assert api(world.users["district"]).post("/api/v1/roll-calls/", {}, format="json").status_code == 403
