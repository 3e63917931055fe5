"""Each person checks in for themselves, with proof of presence (issue #15, items 2, 3, 6, 8): the rotating code
of the duty screen, its QR code, the phone's location within the post's radius, or none (unverified); the leader
on duty not checked in is "leader not at post" whoever else has; the handover is due 10 minutes before the shift;
no rota for days already over. Each threshold at, just before and just after."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from duty_roster import checkin, failures, rota
from duty_roster.models import DutyCheckIn, DutyShift
from notifications.models import Notification
from organizations.choices import UnitKind
from safety_platform.lib.errors import Conflict

from ..factories import UserFactory
from .conftest import SHANGHAI
from .test_rota_pages import OCT, plan_october

START = datetime(2026, 10, 1, 8, 30, tzinfo=SHANGHAI)  # the first October shift starts
POST_AT = (Decimal("36.066900"), Decimal("120.382600"))
METRES_PER_DEGREE = checkin.EARTH_RADIUS_M * math.pi / 180  # along a meridian


def first_shift(u) -> DutyShift:
    plan_october(u, end=OCT[1])
    return DutyShift.objects.select_related("leader").get(post=u.post, date=OCT[0])


def officer_of(shift):
    return shift.officers.order_by("username").first()


def north_of_post(metres: float) -> tuple[str, str]:
    return f"{float(POST_AT[0]) + metres / METRES_PER_DEGREE:.7f}", str(POST_AT[1])


def located(u, radius_m=None):
    return rota.set_check_in_point(u.world.users["district"], u.post, *POST_AT, radius_m)


# --- item 2: the leader's own check-in -------------------------------------------------------------------------


def test_an_officers_check_in_does_not_hide_the_leaders_absence(unit):
    """GIVEN a shift WHEN only an officer checks in (with a valid code even) THEN the leader is not at the post:
    counted in the four failures and alerted; once the leader checks in too, neither."""
    u = unit
    shift = first_shift(u)
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        code, _left = checkin.current_code(checkin.point_of(u.post))
        rota.check_in(officer_of(shift), shift, code=code)
    with time_machine.travel(START + timedelta(minutes=20), tick=False):
        assert rota.alert_missed_check_ins() == 1
    notice = Notification.objects.filter(key__startswith=f"checkin:{shift.pk}").first()
    assert notice is not None and shift.leader.username in notice.body
    row = next(r for r in failures.four_failures(u.world.users["district"], OCT[0], OCT[0]) if r["post"] == u.post.pk)
    assert (row["shifts"], row["no_check_in"], row["unverified_check_ins"]) == (1, 1, 0)
    with time_machine.travel(START + timedelta(minutes=25), tick=False):
        rota.check_in(shift.leader, shift)  # without proof: at the post, unverified
    row = next(r for r in failures.four_failures(u.world.users["district"], OCT[0], OCT[0]) if r["post"] == u.post.pk)
    assert (row["no_check_in"], row["leader_unverified"], row["unverified_check_ins"]) == (0, 1, 1)


@pytest.mark.parametrize(("after", "alerted"), [(timedelta(minutes=14, seconds=59), 0), (timedelta(minutes=15), 1),
                                                (timedelta(minutes=15, seconds=1), 1)])  # fmt: skip
def test_the_missed_check_in_alert_at_15_minutes(unit, after, alerted):
    u = unit
    shift = first_shift(u)
    with time_machine.travel(START, tick=False):
        rota.check_in(officer_of(shift), shift)
    with time_machine.travel(START + after, tick=False):
        assert rota.alert_missed_check_ins() == alerted


def test_the_leaders_check_in_stops_the_alert(unit):
    u = unit
    shift = first_shift(u)
    with time_machine.travel(START - timedelta(minutes=30), tick=False):
        rota.check_in(shift.leader, shift)  # 30 minutes early: the first moment it is taken
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        assert rota.alert_missed_check_ins() == 0


@pytest.mark.parametrize(("before", "taken"), [(timedelta(minutes=30, seconds=1), False), (timedelta(minutes=30), True),
                                               (timedelta(minutes=29, seconds=59), True)])  # fmt: skip
def test_check_in_opens_30_minutes_before_the_shift(unit, before, taken):
    u = unit
    shift = first_shift(u)
    with time_machine.travel(START - before, tick=False):
        if taken:
            rota.check_in(shift.leader, shift)
        else:
            with pytest.raises(ValidationError):
                rota.check_in(shift.leader, shift)
    assert DutyCheckIn.objects.filter(shift=shift).exists() is taken


# --- item 3: proof of presence ---------------------------------------------------------------------------------


def test_the_code_of_this_window_and_the_previous_one_is_taken(unit, settings):
    """60-second windows: the code read at the start of a window is taken until the end of the next one."""
    u = unit
    shift = first_shift(u)
    point = checkin.point_of(u.post)
    base = datetime.fromtimestamp((int(START.timestamp()) // 60 + 1) * 60, tz=SHANGHAI)  # a window's first second
    code, left = checkin.current_code(point, base)
    assert left == 60 and len(code) == 6 and code.isdigit()
    assert checkin.code_holds(point, code, base + timedelta(seconds=119))  # the previous window's, still taken
    assert not checkin.code_holds(point, code, base + timedelta(seconds=120))  # two windows on: expired
    assert not checkin.code_holds(point, code, base - timedelta(seconds=1))  # not before its window
    with time_machine.travel(base + timedelta(seconds=120), tick=False), pytest.raises(ValidationError) as exc:
        rota.check_in(shift.leader, shift, code=code)
    assert "code" in exc.value.message_dict and not DutyCheckIn.objects.exists()  # an expired code stores nothing
    with time_machine.travel(base + timedelta(seconds=119), tick=False):
        mine = rota.check_in(shift.leader, shift, code=code)
    assert (mine.proof, mine.verified) == ("code", True)


def test_a_qr_code_scan_is_recorded_as_such_and_a_post_has_its_own_codes(unit):
    u = unit
    shift = first_shift(u)
    with time_machine.travel(START, tick=False):
        code, _left = checkin.current_code(checkin.point_of(u.post))
        other_code, _left = checkin.current_code(checkin.point_of(u.flood))
        assert code != other_code
        with pytest.raises(ValidationError):
            rota.check_in(shift.leader, shift, code=other_code)  # another post's screen
        mine = rota.check_in(shift.leader, shift, code=code, via_qr=True)
    assert (mine.proof, mine.verified) == ("qr", True)


@pytest.mark.parametrize(("metres", "verified"), [(199, True), (200, True), (201, False)])
def test_the_phones_location_counts_within_the_posts_radius(unit, metres, verified):
    u = unit
    shift = first_shift(u)
    located(u)  # the default radius, DUTY_CHECKIN_RADIUS_METERS = 200
    with time_machine.travel(START, tick=False):
        mine = rota.check_in(shift.leader, shift, latitude=north_of_post(metres)[0], longitude=north_of_post(0)[1])
    assert (mine.proof, mine.verified, mine.distance_m) == ("geo", verified, metres)


def test_a_posts_own_radius_and_a_post_without_coordinates(unit):
    u = unit
    shift = first_shift(u)
    officer = officer_of(shift)
    with time_machine.travel(START, tick=False):
        far = rota.check_in(officer, shift, latitude="36.0669", longitude="120.3826")
    assert (far.proof, far.verified, far.distance_m) == ("geo", False, None)  # the post has no coordinates yet
    located(u, radius_m=50)
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        assert rota.check_in(shift.leader, shift, *("", ""), False, *north_of_post(51)).verified is False
    with pytest.raises(ValidationError):
        rota.set_check_in_point(u.world.users["district"], u.post, POST_AT[0], None, None)  # half a location
    with time_machine.travel(START, tick=False), pytest.raises(ValidationError):
        rota.check_in(officer, shift, latitude="north", longitude="120")


def test_an_unverified_check_in_is_proven_later_and_each_is_audited(unit):
    u = unit
    shift = first_shift(u)
    with time_machine.travel(START, tick=False):
        first = rota.check_in(shift.leader, shift, "在家")
        rota.check_in(shift.leader, shift)  # again, still without proof: nothing changes
        code, _left = checkin.current_code(checkin.point_of(u.post))
    with time_machine.travel(START + timedelta(seconds=30), tick=False):
        proven = rota.check_in(shift.leader, shift, code=code)
        rota.check_in(shift.leader, shift)  # after a proven one: nothing changes
    assert proven.pk == first.pk and proven.verified and proven.at == START + timedelta(seconds=30)
    assert proven.location == "在家"  # the place said first is kept
    events = AuditEvent.objects.filter(action="duty.check_in").order_by("id")
    assert [(e.changes["verified"], e.changes["again"]) for e in events] == [(False, False), (True, True)]


def test_the_api_checks_in_with_a_code_or_a_location(unit):
    u = unit
    shift = first_shift(u)
    located(u)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(shift.leader)
    url = f"/api/v1/duty-shifts/{shift.pk}/check_in/"
    with time_machine.travel(START, tick=False):
        assert client.post(url, {"code": "000000x"}, format="json").status_code == 400
        assert client.post(url, {"latitude": 91, "longitude": 0}, format="json").status_code == 400
        body = client.post(url, {"latitude": float(POST_AT[0]), "longitude": float(POST_AT[1])}, format="json")
    assert body.status_code == 200 and body.json()["leader_at_post"] is True
    assert body.json()["check_ins"][0] | {"at": None} == {"person": shift.leader.pk, "at": None, "proof": "geo",
                                                         "verified": True, "distance_m": 0, "location": ""}  # fmt: skip


# --- the duty screen and the check-in point --------------------------------------------------------------------


def enrolled_screen(u, user=None) -> Client:
    """A device a planner (the district office) enrolled as the post's duty screen, logged in as `user`."""
    device = Client(HTTP_ACCEPT_LANGUAGE="en")
    device.force_login(u.world.users["district"])
    assert device.post(f"/duty/posts/{u.post.pk}/screen/enrol/").status_code == 302
    if user is not None:
        device.force_login(user)
    return device


def test_the_duty_screen_shows_the_code_and_its_qr_code_to_who_answers_for_the_post(unit):
    u = unit
    with time_machine.travel(START, tick=False):
        district = enrolled_screen(u)
        code, _left = checkin.current_code(checkin.point_of(u.post))
        page = district.get(f"/duty/posts/{u.post.pk}/screen/")
        state = district.get(f"/duty/posts/{u.post.pk}/screen/code/").json()
    assert page.status_code == 200 and code in page.content.decode() and "<svg" in page.content.decode()
    assert state["code"] == code and state["link"].endswith(f"/duty/?post={u.post.pk}&code={code}")
    assert state["qr"].startswith("<svg")
    outsider = Client()
    outsider.force_login(u.p["M1"])  # 新城区: not its post
    assert outsider.get(f"/duty/posts/{u.post.pk}/screen/").status_code == 404
    assert outsider.get(f"/duty/posts/{u.post.pk}/screen/code/").status_code == 404


def screen_of(device: Client, u):
    return device.get(f"/duty/posts/{u.post.pk}/screen/"), device.get(f"/duty/posts/{u.post.pk}/screen/code/")


def test_the_screen_refuses_a_device_not_enrolled_and_a_forged_or_replaced_key(unit):
    """GIVEN the district office, which answers for the post WHEN it opens the screen on a device never enrolled,
    with a forged key, or after the screen was enrolled on another device THEN 403 and no code; the page says the
    device is not enrolled, the JSON too."""
    u = unit
    bare = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    bare.force_login(u.world.users["district"])
    page, state = screen_of(bare, u)
    assert (page.status_code, state.status_code) == (403, 403) and "code" not in state.json()
    assert "本设备未登记为本岗位的值班屏" in page.content.decode() and "值班屏" in state.json()["detail"]
    first = enrolled_screen(u)
    cookie = checkin.screen_cookie(u.post.pk)
    assert first.cookies[cookie]["httponly"] and first.cookies[cookie]["path"] == f"/duty/posts/{u.post.pk}/screen/"
    point = checkin.point_of(u.post)
    key = first.cookies[cookie].value.split(":")[0]
    assert point.screen_key_hash == checkin.key_hash(key) and key not in point.screen_key_hash  # only the hash kept
    bare.cookies[cookie] = key  # the key itself, unsigned
    assert [r.status_code for r in screen_of(bare, u)] == [403, 403]
    bare.cookies[cookie] = first.cookies[cookie].value.replace(key[:4], "AAAA")  # tampered with
    assert [r.status_code for r in screen_of(bare, u)] == [403, 403]
    assert [r.status_code for r in screen_of(first, u)] == [200, 200]
    second = enrolled_screen(u)  # re-enrolled on another device: the first stops working
    assert [r.status_code for r in screen_of(first, u)] == [403, 403]
    assert [r.status_code for r in screen_of(second, u)] == [200, 200]
    assert AuditEvent.objects.filter(action="duty.screen_enrol").count() == 2


def test_the_screen_is_refused_to_anyone_on_the_shift_even_on_the_enrolled_device(unit):
    """GIVEN the enrolled screen WHEN the leader on duty or an officer of the current shift — or of the next one,
    from 30 minutes before it, when its people may check in — logs in on it THEN 403 with the reason in Chinese;
    someone of the unit not on the shift sees the code."""
    u = unit
    shift = first_shift(u)
    second = DutyShift.objects.get(post=u.post, date=OCT[1])
    device = enrolled_screen(u)
    device.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    first_team = {shift.leader, *shift.officers.all()}
    bystander = next(p for n, p in u.p.items() if n[0] in "LO" and p not in first_team | {second.leader})
    assert second.leader not in first_team
    for person, at, refused in [
        (shift.leader, START + timedelta(minutes=5), True),
        (officer_of(shift), START + timedelta(hours=23, minutes=59), True),
        (second.leader, START + timedelta(hours=23, minutes=29, seconds=59), False),
        (second.leader, START + timedelta(hours=23, minutes=30), True),
        (bystander, START + timedelta(minutes=5), False),
        (shift.leader, START - timedelta(minutes=31), False),
    ]:
        with time_machine.travel(at, tick=False):
            device.force_login(person)  # sessions last 8 hours: logged in at the moment
            page, state = screen_of(device, u)
        assert (page.status_code, state.status_code) == ((403, 403) if refused else (200, 200)), (person, at)
        if refused:
            assert "您在本岗位当班" in page.content.decode() and "您在本岗位当班" in state.json()["detail"]


def test_the_enrolled_screens_code_checks_in_verified(unit):
    """GIVEN a planner's enrolled device at the post WHEN an officer types the code it shows on My duty THEN the
    check-in is by code and verified."""
    u = unit
    shift = first_shift(u)
    with time_machine.travel(START + timedelta(minutes=2), tick=False):
        device = enrolled_screen(u)
        officer = Client(HTTP_ACCEPT_LANGUAGE="en")
        officer.force_login(officer_of(shift))
        code = device.get(f"/duty/posts/{u.post.pk}/screen/code/").json()["code"]
        officer.post("/duty/", {"shift": shift.pk, "code": code})
    mine = DutyCheckIn.objects.get(shift=shift)
    assert (mine.person, mine.proof, mine.verified) == (officer_of(shift), "code", True)


def test_only_planners_enrol_and_revoke_the_screen_and_both_are_audited(unit):
    u = unit
    city_government = UserFactory(username="cityhall", unit_kind=UnitKind.GOVERNMENT, region=u.world.city)
    above = Client()
    above.force_login(city_government)  # answers for the post (its region is above), but does not plan its rota
    outsider = Client()
    outsider.force_login(u.p["M1"])  # 新城区: not its post
    enrol, revoke = f"/duty/posts/{u.post.pk}/screen/enrol/", f"/duty/posts/{u.post.pk}/screen/revoke/"
    assert outsider.post(enrol).status_code == 404 and outsider.post(revoke).status_code == 404
    assert above.post(enrol).status_code == 403 and above.post(revoke).status_code == 403
    assert not checkin.point_of(u.post).screen_key_hash
    district = Client(HTTP_ACCEPT_LANGUAGE="en")
    district.force_login(u.world.users["district"])
    assert district.get(enrol).status_code == 405  # a change of state is a POST
    assert district.post(revoke).status_code == 409  # nothing enrolled yet
    device = enrolled_screen(u)
    assert "A device is enrolled" in district.get(f"/duty/posts/{u.post.pk}/check-in-point/").content.decode()
    assert district.post(revoke).status_code == 302
    assert [r.status_code for r in screen_of(device, u)] == [403, 403]  # revoked: the device shows no code
    assert not checkin.point_of(u.post).screen_key_hash
    actions = list(
        AuditEvent.objects.filter(action__startswith="duty.screen_").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["duty.screen_enrol", "duty.screen_revoke"]


def test_the_qr_link_fills_in_the_code_on_my_duty(unit):
    u = unit
    shift = first_shift(u)
    leader = Client(HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel(START, tick=False):
        leader.force_login(shift.leader)
        code, _left = checkin.current_code(checkin.point_of(u.post))
        page = leader.get(f"/duty/?post={u.post.pk}&code={code}").content.decode()
        assert f'value="{code}"' in page and 'name="via" value="qr"' in page
        leader.post("/duty/", {"shift": shift.pk, "code": code, "via": "qr"})
    assert DutyCheckIn.objects.get(shift=shift).proof == "qr"


def test_planners_set_the_check_in_point(unit):
    u = unit
    planner = Client(HTTP_ACCEPT_LANGUAGE="en")
    planner.force_login(u.world.users["district"])
    url = f"/duty/posts/{u.post.pk}/check-in-point/"
    assert planner.get(url).status_code == 200
    bad = planner.post(url, {"latitude": "95", "longitude": "120.3826"})
    assert bad.status_code == 400 and checkin.point_of(u.post).latitude is None
    half = planner.post(url, {"latitude": "36.0669"})
    assert half.status_code == 400 and checkin.point_of(u.post).latitude is None
    old = checkin.point_of(u.post).secret
    assert planner.post(url, {"latitude": "36.0669", "longitude": "120.3826", "radius_m": "150",
                              "new_secret": "on"}).status_code == 302  # fmt: skip
    point = checkin.point_of(u.post)
    assert (point.latitude, point.radius, point.secret != old) == (Decimal("36.066900"), 150, True)
    assert AuditEvent.objects.filter(action="duty.check_in_point").count() == 1
    outsider = Client()
    outsider.force_login(u.p["M1"])
    assert outsider.post(url, {"latitude": "1", "longitude": "1"}).status_code == 404


# --- item 6: the handover is due 10 minutes before the shift ---------------------------------------------------


@pytest.mark.parametrize(("before", "late"), [(timedelta(minutes=10, seconds=1), False), (timedelta(minutes=10), False),
                                             (timedelta(minutes=9, seconds=59), True)])  # fmt: skip
def test_a_handover_taken_less_than_10_minutes_before_the_shift_is_late(unit, before, late):
    u = unit
    plan_october(u, end=OCT[1])
    second = DutyShift.objects.get(post=u.post, date=OCT[1])
    with time_machine.travel(START + timedelta(days=1) - before, tick=False):
        rota.take_over(second.leader, second)
    second.refresh_from_db()
    assert second.handover_late is late


# --- item 8: no rota for days already over ---------------------------------------------------------------------


@pytest.mark.parametrize(("at", "refused"), [(START + timedelta(days=1, seconds=-1), False),
                                             (START + timedelta(days=1), True)])  # fmt: skip
def test_a_rota_cannot_be_generated_for_days_already_over(unit, at, refused):
    """A day is over when its shift has ended (08:30 the next morning), as for a hand edit."""
    u, p = unit, unit.p
    people = ([p["L1"]], [p["O1"], p["O2"]])
    with time_machine.travel(at, tick=False):
        if refused:
            with pytest.raises(Conflict) as exc:
                rota.generate(u.world.users["district"], u.post, OCT[0], OCT[2], *people, per_day=2)
            assert "2026-10-01" in str(exc.value) and not DutyShift.objects.exists()
        else:
            rota.generate(u.world.users["district"], u.post, OCT[0], OCT[2], *people, per_day=2)
            assert DutyShift.objects.count() == 3


def test_the_api_and_the_page_refuse_days_over_with_409_naming_them(unit):
    u, p = unit, unit.p
    body = {"post": u.post.pk, "start": "2026-10-01", "end": "2026-10-05", "leaders": [p["L1"].pk],
            "officers": [p["O1"].pk, p["O2"].pk], "per_day": 2}  # fmt: skip
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(u.world.users["district"])
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel(datetime(2026, 10, 3, 9, tzinfo=SHANGHAI), tick=False):
        page.force_login(u.world.users["district"])
        answer = client.post("/api/v1/rota-shifts/generate/", body, format="json")
        form = page.post(f"/duty/rota/{u.post.pk}/", {**body, "leaders": [p["L1"].pk]})
    assert answer.status_code == 409 and "2026-10-01–2026-10-02" in str(answer.json())
    assert form.status_code == 409 and "2026-10-01–2026-10-02" in form.content.decode()
    assert not DutyShift.objects.exists()


def test_the_four_failures_take_one_query_per_figure_however_many_shifts(unit, django_assert_num_queries):
    u = unit
    plan_october(u)  # seven shifts
    with time_machine.travel(START, tick=False):
        for shift in DutyShift.objects.filter(post=u.post, date=OCT[0]).prefetch_related("officers"):
            for person in shift.officers.all():
                rota.check_in(person, shift)
    # the posts, the shifts, the check-ins, roll calls, early warnings, incident notices, late reports, late response
    # steps, report flags, late chain levels
    with django_assert_num_queries(10):
        rows = failures.four_failures(u.world.users["district"], OCT[0], OCT[-1])
    row = next(r for r in rows if r["post"] == u.post.pk)
    assert (row["shifts"], row["no_check_in"], row["unverified_check_ins"]) == (7, 7, 2)


def test_the_shift_page_shows_each_persons_check_in_and_when_to_take_over(unit):
    u = unit
    shift = first_shift(u)
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        rota.check_in(officer_of(shift), shift)
        page.force_login(shift.leader)
        text = page.get(f"/duty/shifts/{shift.pk}/").content.decode()
    assert "带班不在岗" in text and "已签到 08:31 · 未核实" in text
    second = DutyShift.objects.get(post=u.post, date=OCT[1])
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        assert "应于10-02 08:20前接班" in page.get(f"/duty/shifts/{second.pk}/").content.decode()
