"""Watches (动向掌握, 派人盯守), their visits and alerts, and the resumption check (复产复工验收): who may, in which
states, the next visit due, idempotent visits, the alert's recipients, photos, scope."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from notifications.models import Notification
from organizations.choices import OperatingState, PositionKind, UnitKind
from organizations.models import Enterprise
from oversight import watches
from oversight.models import ResumptionCheck, VisitPhoto, Watch, WatchVisit
from safety_platform.lib.errors import Conflict

from ..factories import PositionFactory, UserFactory, assign

pytestmark = pytest.mark.django_db


def jpeg(name="site.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def set_state(enterprise, state):
    Enterprise.objects.filter(pk=enterprise.pk).update(operating_state=state)
    enterprise.refresh_from_db()
    return enterprise


@pytest.fixture
def yjj_head(world):
    """The head of 市应急管理局 (which supervises e3, the mine in 新城区)."""
    head = UserFactory(username="yjj_head", unit_kind=UnitKind.DEPARTMENT, department=world.yjj)
    assign(head, PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT,
                                 department=world.yjj))  # fmt: skip
    return head


@pytest.fixture
def d2_leader(world):
    leader = UserFactory(username="d2_leader", unit_kind=UnitKind.GOVERNMENT, region=world.d2)
    assign(leader, PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT,
                                   region=world.d2))  # fmt: skip
    return leader


def started(world, state=OperatingState.SUSPENDED, days=7):
    set_state(world.e3, state)
    inspector = world.users["inspector"]
    return watches.start(inspector, world.e3.pk, None, [inspector.pk], days, "停产整顿")


# --- start ----------------------------------------------------------------------------------------------------------


def test_start_sets_the_next_visit_due_and_audits(world):
    watch = started(world)
    assert watch.department == world.yjj  # the supervising department, by default
    assert list(watch.watchers.all()) == [world.users["inspector"]]
    assert watch.due_at == watch.started_at + timedelta(days=7)
    assert AuditEvent.objects.filter(action="watch.start").count() == 1


def test_start_needs_a_watched_state(world):
    inspector = world.users["inspector"]
    with pytest.raises(Conflict):  # operating
        watches.start(inspector, world.e3.pk, None, [inspector.pk], 7)
    assert not Watch.objects.exists()


def test_one_open_watch_per_enterprise(world):
    started(world)
    inspector = world.users["inspector"]
    with pytest.raises(Conflict) as refused:
        watches.start(inspector, world.e3.pk, None, [inspector.pk], 7)
    assert "watched already" in str(refused.value) or "已" in str(refused.value)
    assert Watch.objects.count() == 1


def test_who_may_start(world):
    set_state(world.e1, OperatingState.CLOSED_MINE)
    with pytest.raises(Http404):  # e1 (海滨区) is outside zjj's scope
        watches.start(world.users["dept_head"], world.e1.pk, None, [world.users["dept_head"].pk], 7)
    enterprise_user = world.users["enterprise"]
    with pytest.raises(PermissionDenied):
        watches.start(enterprise_user, world.e1.pk, None, [world.users["county_dept"].pk], 7)
    # The territorial government in scope chooses the department; its watchers are that department's people.
    watch = watches.start(world.users["district"], world.e1.pk, world.d1_yjj.pk, [world.users["county_dept"].pk], 7)
    assert watch.department == world.d1_yjj


def test_watchers_are_the_departments_or_the_territorys_people(world):
    set_state(world.e3, OperatingState.SUSPENDED)
    with pytest.raises(ValidationError) as refused:
        watches.start(world.users["inspector"], world.e3.pk, None, [world.users["enterprise"].pk], 7)
    assert "watchers" in refused.value.message_dict


# --- change and end -------------------------------------------------------------------------------------------------


def test_change_recomputes_due_from_the_last_visit(world):
    set_state(world.e3, OperatingState.SUSPENDED)
    inspector = world.users["inspector"]
    watch = watches.start(
        inspector, world.e3.pk, None, [inspector.pk], 7, started_at=timezone.now() - timedelta(days=5)
    )
    visited = timezone.now() - timedelta(days=2)
    watches.visit(world.users["inspector"], watch.pk, ["no_activity"], visited_at=visited)
    watch = watches.change(world.users["inspector"], watch.pk, interval_days=14)
    assert watch.interval_days == 14
    assert abs(watch.due_at - (visited + timedelta(days=14))) < timedelta(seconds=1)


def test_end_and_no_visit_after(world):
    watch = started(world)
    with pytest.raises(ValidationError):
        watches.end(world.users["inspector"], watch.pk, "")
    watches.end(world.users["inspector"], watch.pk, "已复产")
    with pytest.raises(Conflict):
        watches.visit(world.users["inspector"], watch.pk, ["no_activity"])
    # the enterprise may be watched again
    watches.start(world.users["inspector"], world.e3.pk, None, [world.users["inspector"].pk], 7)


# --- visits ---------------------------------------------------------------------------------------------------------


def test_a_visit_moves_the_next_visit_due(world):
    watch = started(world, days=10)
    row = watches.visit(world.users["inspector"], watch.pk, ["no_activity", "seals_intact"], "封条完好")
    watch.refresh_from_db()
    assert watch.due_at == row.visited_at + timedelta(days=10)
    assert row.activity_found is False
    assert AuditEvent.objects.filter(action="watch.visit").count() == 1


def test_only_a_watcher_or_the_departments_staff_visit(world, d2_leader):
    watch = started(world)
    with pytest.raises(PermissionDenied):
        watches.visit(d2_leader, watch.pk, ["no_activity"])  # sees it, but is no watcher
    watches.change(world.users["inspector"], watch.pk, watchers=[world.users["inspector"].pk, d2_leader.pk])
    assert watches.visit(d2_leader, watch.pk, ["no_activity"]).visitor == d2_leader
    with pytest.raises(Http404):  # out of scope
        watches.visit(world.users["county_dept"], watch.pk, ["no_activity"])


def test_the_same_key_twice_is_one_visit(world):
    watch = started(world)
    key = uuid.uuid4()
    first = watches.visit(world.users["inspector"], watch.pk, ["no_activity"], photos=[jpeg()], key=key)
    again = watches.visit(world.users["inspector"], watch.pk, ["no_activity"], photos=[jpeg()], key=str(key))
    assert again.pk == first.pk and again.repeated is True
    assert WatchVisit.objects.count() == 1 and VisitPhoto.objects.count() == 1


def test_unknown_observation_is_refused(world):
    watch = started(world)
    with pytest.raises(ValidationError) as refused:
        watches.visit(world.users["inspector"], watch.pk, ["dancing"])
    assert "observations" in refused.value.message_dict


def test_activity_at_a_suspended_enterprise_alerts_the_head_and_the_leader(world, yjj_head, d2_leader):
    watch = started(world)
    row = watches.visit(world.users["inspector"], watch.pk, ["workers_present"], "有工人作业", photos=[jpeg()])
    assert row.activity_found is True
    notices = Notification.objects.filter(kind=watches.KIND)
    assert {n.recipient for n in notices} == {yjj_head, d2_leader}
    assert all(n.must_answer for n in notices)
    assert all(n.answer_due_at - n.created_at == timedelta(hours=4) for n in notices)
    assert all(n.link == f"/oversight/watches/{watch.pk}/" for n in notices)
    assert "新城矿业有限公司" in notices[0].title
    assert VisitPhoto.objects.filter(visit=row).count() == 1


def test_no_alert_without_activity_or_where_activity_is_allowed(world, yjj_head, d2_leader):
    watch = started(world)
    watches.visit(world.users["inspector"], watch.pk, ["no_activity", "power_off"])
    assert not Notification.objects.filter(kind=watches.KIND).exists()
    watches.end(world.users["inspector"], watch.pk, "转为在建")
    building = started(world, OperatingState.UNDER_CONSTRUCTION)
    row = watches.visit(world.users["inspector"], building.pk, ["workers_present", "construction_safe"])
    assert row.activity_found is True
    assert not Notification.objects.filter(kind=watches.KIND).exists()


def test_a_non_image_is_refused_and_nothing_is_written(world):
    watch = started(world)
    fake = SimpleUploadedFile("note.jpg", b"not a picture at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        watches.visit(world.users["inspector"], watch.pk, ["no_activity"], photos=[fake])
    assert "photos" in refused.value.message_dict
    assert not WatchVisit.objects.exists()


# --- resumption -----------------------------------------------------------------------------------------------------


def test_a_passed_check_resumes_and_ends_the_watch(world):
    watch = started(world)
    row = watches.resume(world.users["inspector"], world.e3.pk, True, "整改到位，验收合格")
    assert row.passed and row.department == world.yjj
    world.e3.refresh_from_db()
    assert world.e3.operating_state == OperatingState.OPERATING
    watch.refresh_from_db()
    assert watch.ended_at is not None
    assert AuditEvent.objects.filter(action="resumption.check").count() == 1
    assert AuditEvent.objects.filter(action="enterprise.update").count() == 1


def test_a_failed_check_stays_suspended(world):
    watch = started(world)
    watches.resume(world.users["inspector"], world.e3.pk, False, "隐患未整改")
    world.e3.refresh_from_db()
    assert world.e3.operating_state == OperatingState.SUSPENDED
    watch.refresh_from_db()
    assert watch.ended_at is None
    assert ResumptionCheck.objects.count() == 1


def test_who_may_resume_and_when(world):
    set_state(world.e3, OperatingState.SUSPENDED)
    with pytest.raises(PermissionDenied):
        watches.resume(world.users["city"], world.e3.pk, True, "合格")  # the city office is no department
    with pytest.raises(Http404):
        watches.resume(world.users["county_dept"], world.e3.pk, True, "合格")  # out of its scope
    set_state(world.e3, OperatingState.CLOSED_MINE)
    with pytest.raises(Conflict):
        watches.resume(world.users["inspector"], world.e3.pk, True, "合格")
    assert not ResumptionCheck.objects.exists()


def test_can_matches_the_rules(world):
    set_state(world.e3, OperatingState.SUSPENDED)
    inspector = world.users["inspector"]
    assert watches.can(inspector, world.e3) == {"start", "resume"}
    assert watches.can(world.users["enterprise"], world.e3) == set()
    watch = started(world)
    assert watches.can(inspector, watch) == {"change", "end", "visit"}
    assert "start" not in watches.can(inspector, world.e3)


def test_a_back_dated_watch_and_no_visit_before_it(world):
    set_state(world.e3, OperatingState.SUSPENDED)
    inspector = world.users["inspector"]
    began = timezone.now() - timedelta(days=30)
    watch = watches.start(inspector, world.e3.pk, None, [inspector.pk], 7, started_at=began)
    assert watch.due_at == began + timedelta(days=7)  # overdue already
    with pytest.raises(ValidationError) as refused:
        watches.visit(inspector, watch.pk, ["no_activity"], visited_at=began - timedelta(days=1))
    assert "visited_at" in refused.value.message_dict
    with pytest.raises(ValidationError):
        watches.start(inspector, world.e2.pk, None, [inspector.pk], 7, started_at=timezone.now() + timedelta(days=1))


def test_an_unanswered_alert_passes_up(world, yjj_head):
    """GIVEN the alert to 市应急管理局's head, whose post answers to the vice-mayor's WHEN nobody answers within
    OVERSIGHT_WATCH_ALERT_HOURS THEN the sweep passes it to the vice-mayor, pointing at the watch."""
    from notifications import answers
    from notifications.outbox import SweepResult
    from organizations.models import Position

    mayor = UserFactory(username="vice_mayor", unit_kind=UnitKind.GOVERNMENT, region=world.city)
    above = PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT, region=world.city)
    assign(mayor, above)
    Position.objects.filter(kind=PositionKind.DEPARTMENT_HEAD, department=world.yjj).update(superior=above)
    watch = started(world)
    watches.visit(world.users["inspector"], watch.pk, ["materials_moving"])
    notice = Notification.objects.get(kind=watches.KIND, recipient=yjj_head)
    answers.pass_up(timezone.now() + timedelta(hours=3), 100, SweepResult(), dry_run=False)
    assert not Notification.objects.filter(parent=notice).exists()  # still within the 4 hours
    answers.pass_up(timezone.now() + timedelta(hours=5), 100, SweepResult(), dry_run=False)
    up = Notification.objects.get(parent=notice)
    assert up.recipient == mayor and up.must_answer and up.link == f"/oversight/watches/{watch.pk}/"
    assert "新城矿业有限公司" in up.title
