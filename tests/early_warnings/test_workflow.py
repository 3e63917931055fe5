"""The warning loop: derived recipients, must-answer notices at each level's limit, one-tap answers, silence passed
up by the sweep, rolling updates (supersede), lifting, and the CAP import's idempotence."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from early_warnings import workflow
from early_warnings.cap import CapAlert
from early_warnings.choices import RecipientRole, WarningChange, WarningStatus
from early_warnings.models import EarlyWarning, WarningRecipient
from notifications import sweeps
from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind
from safety_platform.lib.errors import Conflict

from ..factories import PositionFactory, UserFactory, assign
from .conftest import WARNING


def issue(world, level="red", areas=None, **extra):
    return workflow.issue(world.users["city"], level=level, areas=areas or [world.d1], **{**WARNING, **extra})


def notice(warning, post, user) -> Notification:
    return Notification.objects.get(key=f"warning:{warning.pk}:{post.pk}:{user.pk}")


def test_recipients_are_derived_and_each_holder_gets_a_must_answer_notice(world, posts):
    """GIVEN a red rainstorm warning for 海滨区 THEN its leader and duty posts, and the duty posts of the departments
    rainstorms concern sitting in or above it (市住建局; 新城区住建局 is elsewhere) receive it, keyed per holder."""
    warning = issue(world)
    rows = {r.post_id: r for r in WarningRecipient.objects.filter(warning=warning)}
    assert set(rows) == {posts.d1_leader.pk, posts.d1_duty.pk, posts.zjj_duty.pk}
    assert rows[posts.d1_leader.pk].role == RecipientRole.TERRITORIAL_LEADER
    assert rows[posts.d1_duty.pk].role == RecipientRole.GOVERNMENT_DUTY
    assert rows[posts.zjj_duty.pk].role == RecipientRole.DEPARTMENT_DUTY
    assert not any(r.nobody for r in rows.values())
    for post, user in ((posts.d1_duty, "duty1"), (posts.d1_duty, "duty1b"), (posts.d1_leader, "district"),
                       (posts.zjj_duty, "zjjduty")):  # fmt: skip
        sent = notice(warning, post, world.users[user])
        assert sent.must_answer and sent.kind == "warning" and sent.position_id == post.pk
        assert sent.answer_due_at - sent.created_at == timedelta(minutes=10)
        assert sent.link == f"/warnings/{warning.pk}/answer/"
    assert warning.series == warning.pk and warning.status == WarningStatus.IN_FORCE
    # the safety tips to the enterprise's principal, nothing to answer
    tip = Notification.objects.get(kind="warningtip", recipient=world.users["enterprise"])
    assert not tip.must_answer and "防汛" in tip.body
    assert AuditEvent.objects.filter(action="warning.issue", object_id=str(warning.pk)).count() == 1


def test_a_city_wide_warning_reaches_every_county_and_the_department_head_where_no_duty_post(world, posts):
    """GIVEN a warning for the whole city THEN each county-level region's posts receive it (not the streets'), and
    新城区住建局, without a duty post, through its head; the vacant 新城区 duty post is silent from the start and its
    notice goes at once to the city office's staff, naming the vacancy."""
    warning = issue(world, level="yellow", areas=[world.city])
    rows = {r.post_id: r for r in WarningRecipient.objects.filter(warning=warning)}
    assert set(rows) == {posts.city_leader.pk, posts.d1_leader.pk, posts.d1_duty.pk, posts.d2_leader.pk,
                         posts.d2_duty.pk, posts.zjj_duty.pk, posts.d2_zjj_head.pk}  # fmt: skip
    assert rows[posts.d2_duty.pk].nobody and rows[posts.d2_duty.pk].passed_up_at is not None
    assert rows[posts.city_leader.pk].nobody  # held by nobody either
    stand_in = notice(warning, posts.city_staff, world.users["city"])
    assert stand_in.must_answer and "新城区应急值班员" in stand_in.vacancy_note


@pytest.mark.parametrize(("level", "minutes"), [("red", 10), ("orange", 15), ("yellow", 30), ("blue", 60)])
def test_answered_exactly_at_the_limit_is_in_time_a_second_later_is_late(world, posts, level, minutes):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        warning = issue(world, level=level)
        due = warning.sent_at + timedelta(minutes=minutes)
        assert set(WarningRecipient.objects.filter(warning=warning).values_list("answer_due_at", flat=True)) == {due}
        clock.move_to(due)
        [row] = workflow.answer(world.users["duty1"], warning, ["patrols_out", "standby"], "已安排巡查")
        assert row.answered_at == due and not row.answered_at > row.answer_due_at
        clock.move_to(due + timedelta(seconds=1))
        [late] = workflow.answer(world.users["district"], warning)
        assert late.answered_at > late.answer_due_at
    event = AuditEvent.objects.filter(action="warning.answer").order_by("id").last()
    assert event.changes["late"] == [posts.d1_leader.pk]
    first = WarningRecipient.objects.get(warning=warning, post=posts.d1_duty)
    assert first.measures == ["patrols_out", "standby"] and first.note == "已安排巡查"
    assert first.answered_by == world.users["duty1"]


def test_the_first_holder_answers_for_the_post_and_the_others_notices_do_not_pass_up(world, posts):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        warning = issue(world)
        workflow.answer(world.users["duty1"], warning, ["standby"])
        mine, fellow = (
            notice(warning, posts.d1_duty, world.users["duty1"]),
            notice(warning, posts.d1_duty, world.users["duty1b"]),
        )
        assert mine.acknowledged_at is not None
        assert not fellow.must_answer and fellow.acknowledged_at is None
        with pytest.raises(Conflict, match="duty1"):
            workflow.answer(world.users["duty1b"], warning)
        assert workflow.answer(world.users["duty1"], warning) == []  # a second tap changes nothing
        clock.move_to(timezone.now() + timedelta(minutes=11))
        sweeps.run()
    passed = Notification.objects.filter(kind="up", parent__key__startswith=f"warning:{warning.pk}:")
    # the silent ones: the district's leader and the department's duty officer, not the answered post's fellow
    assert {n.parent.recipient.username for n in passed} == {"district", "zjjduty"}


def test_silence_passes_up_to_the_superior_and_to_the_city_office_where_it_is_vacant(world, posts):
    """GIVEN a red warning nobody answers WHEN the sweep runs past the limit THEN the duty officers' notices go to
    the district's leader (their superior post), the leader's to the city office's staff (the city's leader post
    above it is vacant), and the recipient rows show the posts passed up (in the same sweep)."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        warning = issue(world)
        clock.move_to(timezone.now() + timedelta(minutes=9, seconds=59))
        assert sweeps.run().passed_up == 0
        clock.move_to(timezone.now() + timedelta(minutes=1))
        assert sweeps.run().passed_up == 4
        up = {(n.parent.recipient.username, n.recipient.username): n for n in Notification.objects.filter(kind="up")}
        assert {"duty1", "duty1b"} == {a for a, b in up if b == "district"}
        from_leader = up["district", "city"]
        assert "vacant" in from_leader.vacancy_note or "空缺" in from_leader.vacancy_note
        assert from_leader.link == f"/warnings/{warning.pk}/" and from_leader.must_answer
        assert up["zjjduty", "dept_head"].position == posts.zjj_head
    passed = WarningRecipient.objects.filter(warning=warning, passed_up_at__isnull=False)
    assert set(passed.values_list("post_id", flat=True)) == {posts.d1_leader.pk, posts.d1_duty.pk, posts.zjj_duty.pk}
    assert {r.passed_up_at for r in passed} == {up["district", "city"].created_at}


def test_update_supersedes_keeps_the_history_says_what_changed_and_stops_the_old_notices(world, posts):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        yellow = issue(world, level="yellow")
        workflow.answer(world.users["duty1"], yellow, ["standby"])
        clock.move_to(timezone.now() + timedelta(minutes=5))
        orange = workflow.update(world.users["city"], yellow, level="orange", areas=[world.d1, world.d2])
        yellow.refresh_from_db()
        assert yellow.status == WarningStatus.SUPERSEDED and orange.status == WarningStatus.IN_FORCE
        assert (orange.series, orange.version, orange.supersedes) == (yellow.pk, 2, yellow)
        assert orange.change == WarningChange.RAISED
        assert orange.change_note == "暴雨预警由黄色升级为橙色；新增区域：新城区。"
        assert WarningRecipient.objects.get(warning=yellow, post=posts.d1_duty).answered_at is not None  # kept
        assert WarningRecipient.objects.filter(warning=orange, post=posts.d2_leader).exists()
        new = notice(orange, posts.d1_duty, world.users["duty1"])
        assert new.must_answer and orange.change_note in new.body
        # the old version's unanswered notices are no longer to be answered: past both limits only the new ones pass up
        assert not notice(yellow, posts.d1_leader, world.users["district"]).must_answer
        clock.move_to(timezone.now() + timedelta(minutes=31))
        sweeps.run()
    parents = set(Notification.objects.filter(kind="up").values_list("parent__key", flat=True))
    assert parents and all(key.startswith(f"warning:{orange.pk}:") for key in parents)
    with pytest.raises(Conflict):
        workflow.answer(world.users["district"], yellow)
    with pytest.raises(Conflict):
        workflow.update(world.users["city"], yellow, level="red")


def test_update_lowered_areas_and_nothing(world, posts):
    red = issue(world, level="red", areas=[world.d1, world.d2])
    orange = workflow.update(world.users["city"], red, level="orange", areas=[world.d1])
    assert orange.change == WarningChange.LOWERED
    assert orange.change_note == "暴雨预警由红色降级为橙色；撤除区域：新城区。"
    areas = workflow.update(world.users["city"], orange, areas=[world.d1, world.d2])
    assert (areas.change, areas.change_note) == (WarningChange.AREAS, "新增区域：新城区。")
    text = workflow.update(world.users["city"], areas, text="雨势持续。")
    assert (text.change, text.change_note) == (WarningChange.UPDATED, "暴雨橙色预警内容已更新。")
    with pytest.raises(ValidationError):
        workflow.update(world.users["city"], text, text="雨势持续。")
    history = EarlyWarning.objects.filter(series=red.pk).order_by("version")
    assert [w.version for w in history] == [1, 2, 3, 4]
    assert [w.status for w in history] == ["superseded"] * 3 + ["in_force"]


def test_lift_tells_the_posts_with_nothing_to_answer(world, posts):
    warning = issue(world)
    lifted = workflow.lift(world.users["city"], warning, "降雨已结束。")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.SUPERSEDED and lifted.status == WarningStatus.LIFTED
    assert lifted.change == WarningChange.LIFTED and lifted.change_note == "暴雨红色预警解除。降雨已结束。"
    told = Notification.objects.filter(kind="warninglift")
    assert {n.recipient.username for n in told} == {"district", "duty1", "duty1b", "zjjduty"}
    assert not any(n.must_answer for n in told)
    assert not Notification.objects.filter(key__startswith=f"warning:{warning.pk}:", must_answer=True).exists()
    with pytest.raises(Conflict):
        workflow.lift(world.users["city"], lifted)
    with pytest.raises(Conflict):
        workflow.answer(world.users["duty1"], warning)


def test_who_may_issue(world, posts):
    """The city office anywhere; a district's leader in its own district only; a department, never."""
    own = workflow.issue(world.users["district"], level="blue", areas=[world.t1], **WARNING)
    assert workflow.can(world.users["district"], own) == {"update", "lift"}
    assert workflow.can(world.users["city"], own) == {"update", "lift"}
    with pytest.raises(PermissionDenied):
        workflow.issue(world.users["district"], level="blue", areas=[world.d2], **WARNING)
    with pytest.raises(PermissionDenied):
        workflow.issue(world.users["dept_head"], level="blue", areas=[world.d1], **WARNING)
    with pytest.raises(ValidationError) as error:
        workflow.issue(world.users["city"], level="purple", areas=[], **{**WARNING, "title": ""})
    assert set(error.value.message_dict) == {"level", "areas", "title"}


def test_can_follows_the_rules(world, posts):
    warning = issue(world)
    assert workflow.can(world.users["city"], warning) == {"update", "lift"}
    assert workflow.can(world.users["duty1"], warning) == {"answer"}
    assert workflow.can(world.users["district"], warning) == {"answer"}  # the city's warning, not the district's
    assert workflow.can(world.users["inspector"], warning) == set()
    assert workflow.can(world.users["enterprise"], warning) == set()
    workflow.update(world.users["city"], warning, level="orange")
    warning.refresh_from_db()
    assert workflow.can(world.users["city"], warning) == set()


def alert(**changes) -> CapAlert:
    values = dict(
        identifier="44000041600000-001", sender="bhsqxt@cma.cn", sent=timezone.now(), msg_type="Alert",
        references=(), kind="rainstorm", level="yellow", issuer="滨海市气象台", headline="滨海市气象台发布暴雨黄色预警",
        description="预计未来6小时降雨量将达50毫米以上。", instruction="停止户外作业。",
        expires=timezone.now() + timedelta(hours=6), area_codes=("990102", "990199"), area_names=("海滨区", "无此区"),
    )  # fmt: skip
    values.update(changes)
    return CapAlert(**values)


def test_apply_cap_is_idempotent_and_follows_the_series(world, posts):
    city = world.users["city"]
    first, created = workflow.apply_cap(city, alert())
    assert created and first.level == "yellow" and list(first.areas.all()) == [world.d1]
    assert workflow.apply_cap(city, alert()) == (first, False)
    assert EarlyWarning.objects.count() == 1
    noted = AuditEvent.objects.get(action="warning.cap_unknown_areas")
    assert noted.changes["codes"] == ["990199"]
    update = alert(
        identifier="44000041600000-002", msg_type="Update", level="orange", references=(first.cap_identifier,)
    )
    raised, created = workflow.apply_cap(city, update)
    assert created and raised.supersedes == first and raised.change == WarningChange.RAISED
    assert workflow.apply_cap(city, update) == (raised, False)
    cancel = alert(identifier="44000041600000-003", msg_type="Cancel", references=(first.cap_identifier,
                                                                                   raised.cap_identifier))  # fmt: skip
    lifted, created = workflow.apply_cap(city, cancel)
    assert created and lifted.status == WarningStatus.LIFTED and lifted.supersedes == raised
    assert workflow.apply_cap(city, cancel) == (lifted, False)
    assert EarlyWarning.objects.count() == 3
    # an update whose series is unknown issues; a cancellation of nothing in force is refused
    orphan, created = workflow.apply_cap(city, alert(identifier="x-9", msg_type="Update", references=("nope",)))
    assert created and orphan.version == 1
    with pytest.raises(Conflict):
        workflow.apply_cap(city, alert(identifier="x-10", msg_type="Cancel", references=("nope",)))
    with pytest.raises(ValidationError) as error:
        workflow.apply_cap(city, alert(identifier="x-11", area_codes=("123456",)))
    assert "123456" in str(error.value.message_dict["area_codes"])


def test_fan_out_writes_a_bounded_number_of_statements(world, posts, django_assert_max_num_queries):
    """GIVEN 60 more county duty posts in the area, each held THEN issuing writes in as many statements as for a few."""
    from organizations.choices import PositionKind, UnitKind
    from tests.factories import PositionFactory, RegionFactory, UserFactory, assign

    for n in range(60):
        county = RegionFactory(code=f"9901{50 + n:02d}", name=f"县{n}", level="county", parent=world.city)
        post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=county)
        assign(UserFactory(username=f"c{n}", unit_kind=UnitKind.GOVERNMENT, region=county), post)
    city = world.users["city"]
    city.position_kinds()
    with django_assert_max_num_queries(30):
        warning = workflow.issue(city, level="red", areas=[world.city], **WARNING)
    assert WarningRecipient.objects.filter(warning=warning).count() == 67
    assert Notification.objects.filter(kind="warning", key__startswith=f"warning:{warning.pk}:").count() >= 64


def test_key_units_when_asked_and_their_principal_answers_without_seeing_warnings(world, posts, client):
    """GIVEN 海滨化工 a key unit of an industry 市应急局 supervises (rainstorms concern 应急局) WHEN a warning for
    海滨区 includes the key units THEN its principal's post receives it and answers on the answer page, though an
    enterprise sees no warning otherwise."""
    world.e1.is_key_unit = True
    world.e1.save()
    world.e4.is_key_unit = True  # a key unit of an industry no department concerned supervises
    world.e4.save()
    plain = issue(world)
    assert not WarningRecipient.objects.filter(warning=plain, role=RecipientRole.KEY_UNIT).exists()
    warning = workflow.update(world.users["city"], plain, level="orange", include_key_units=True)
    [row] = WarningRecipient.objects.filter(warning=warning, role=RecipientRole.KEY_UNIT)
    assert row.enterprise == world.e1 and row.region == world.t1
    principal = world.users["enterprise"]
    assert notice(warning, row.post, principal).must_answer
    client.force_login(principal)
    assert client.get(f"/warnings/{warning.pk}/").status_code == 404
    assert client.get(f"/warnings/{warning.pk}/answer/").status_code == 200
    assert client.post(f"/warnings/{warning.pk}/answer/", {"measures": ["standby"]}).status_code == 302
    row.refresh_from_db()
    assert row.answered_by == principal and row.measures == ["standby"]
    # a later version keeps the key units unless told otherwise
    later = workflow.update(world.users["city"], warning, level="red")
    assert WarningRecipient.objects.filter(warning=later, role=RecipientRole.KEY_UNIT).count() == 1
    dropped = workflow.update(world.users["city"], later, text="雨势减弱。", include_key_units=False)
    assert not WarningRecipient.objects.filter(warning=dropped, role=RecipientRole.KEY_UNIT).exists()


def test_each_delivery_as_the_person_chose_and_the_warning_cannot_be_muted(world, posts):
    """GIVEN the duty officer with an e-mail address, and the enterprise's principal who muted safety tips THEN the
    warning is e-mailed once, the tips land in the inbox only, and nobody can mute the warning itself."""
    from notifications import kinds
    from notifications.models import Delivery, NotificationPreference

    world.users["duty1"].email = "duty1@example.invalid"
    world.users["duty1"].save()
    principal = world.users["enterprise"]
    principal.email = "boss@example.invalid"
    principal.save()
    NotificationPreference.objects.create(user=principal, muted_kinds=["warningtip"])
    warning = issue(world)
    sent = notice(warning, posts.d1_duty, world.users["duty1"])
    assert list(Delivery.objects.filter(notification=sent).values_list("channel", flat=True)) == ["email"]
    tip = Notification.objects.get(kind="warningtip", recipient=principal)
    assert not Delivery.objects.filter(notification=tip).exists()
    with pytest.raises(ValidationError):
        kinds.check_muted(["warning"])
    assert kinds.check_muted(["warningtip"]) == ["warningtip"]


@pytest.mark.parametrize(("level", "reached"), [("red", True), ("orange", True), ("yellow", False), ("blue", False)])
def test_a_high_level_warning_reaches_the_streets(world, posts, level, reached):
    """GIVEN a street of 海滨区 with its leader's post WHEN a warning for 海滨区 is issued THEN an orange or red one
    reaches the street's leader too (DOMAIN.md: called down to township and village), a yellow or blue one stops at
    the district, whose government passes it on."""
    street = PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT, region=world.t1,
                             title="海滨街道主任")  # fmt: skip
    assign(UserFactory(username="street1", unit_kind=UnitKind.GOVERNMENT, region=world.t1), street)
    warning = issue(world, level=level)
    posts_told = set(WarningRecipient.objects.filter(warning=warning).values_list("post_id", flat=True))
    assert {posts.d1_leader.pk, posts.d1_duty.pk} <= posts_told
    assert (street.pk in posts_told) is reached
    assert Notification.objects.filter(kind="warning", position=street).exists() is reached
