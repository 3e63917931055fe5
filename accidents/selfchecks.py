"""The enterprise's comparison self-check of a lesson (对照检查) and the department's spot checks (抽查). See
docs/accidents.md, "The enterprise's self-check".

Every change goes through one function here, which locks the row in the actor's scope (404), checks its rule from
`RULES` (403, then 409), validates (400), and writes the rows, the notices and the audit record in one transaction;
`can()` runs the same table, so pages and the API offer exactly what these accept.

- `start`: the enterprise's principal person or safety manager starts the task's inspection (kind `lesson`, through
  `inspections.workflow.create`); a second start returns the same inspection. Late is allowed.
- The inspection is answered and submitted with the inspections' own form; `done` (a receiver of
  `inspections.signals.submitted`) marks the task done with the number of hazards found and answers its notices.
- `choose_sample` picks a share of the completed self-checks in scope for a spot check; `spot_check` records the
  verdict once; a hollow self-check (nothing found where there was something to find) is flagged and the enterprise
  told.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Model, Q, QuerySet, Window
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from hazards.models import Hazard
from inspections import workflow as inspection_workflow
from inspections.choices import InspectionKind
from inspections.models import Inspection
from notifications.models import Notification
from notifications.outbox import acknowledge, notify
from organizations.choices import PositionKind, UnitKind
from organizations.models import PositionAssignment, User
from organizations.roles import holds_in, is_city_office_staff, is_enterprise_staff_of
from organizations.scope import Scope, ScopeKind
from safety_platform.lib import rules
from safety_platform.lib.errors import Conflict

from .choices import LessonStatus
from .models import Lesson, LessonTask

NOTICE_KIND = "lesson"  # the task notices' kind (keys lesson:<lesson>:<enterprise>:<person>, sent by lessons.py)
HOLLOW_KIND = "lesson_hollow"  # the enterprise told its self-check was found hollow (lesson_hollow:<task>:<person>)
NOTE_LENGTH = 500
SPOT_CHECKERS_DEPARTMENT = (PositionKind.DEPARTMENT_HEAD, PositionKind.DEPARTMENT_STAFF)


# --- who may do what (403), in which state (409) --------------------------------------------------------------------


def may_spot_check(actor: User) -> bool:
    """A department's head or staff, a regional government's territorial leader, the city office's staff."""
    return bool(
        is_city_office_staff(actor)
        or holds_in(actor, (UnitKind.DEPARTMENT,), *SPOT_CHECKERS_DEPARTMENT)
        or holds_in(actor, (UnitKind.GOVERNMENT,), PositionKind.TERRITORIAL_LEADER)
    )


def _require_enterprise_staff(actor: User, task: LessonTask) -> None:
    if actor.is_superuser or not is_enterprise_staff_of(actor, task.enterprise_id):
        raise PermissionDenied(_("Only the enterprise's principal person or safety manager does its self-check."))


def require_spot_checker(actor: User, _obj: Model | None = None) -> None:
    if not may_spot_check(actor):
        raise PermissionDenied(
            _("Only a department, a regional government's leader or the city safety office spot-checks self-checks.")
        )


def _lesson_published(lesson: Lesson) -> None:
    if lesson.status != LessonStatus.PUBLISHED:
        raise Conflict(_("This lesson is %(status)s; its self-checks are closed.")
                       % {"status": lesson.get_status_display()})  # fmt: skip


def _task_lesson_published(task: LessonTask) -> None:
    _lesson_published(task.lesson)


def _not_done(task: LessonTask) -> None:
    if task.completed_at is not None:
        raise Conflict(_("This self-check was submitted already, at %(time)s.") % {"time": _local(task.completed_at)})


def _chosen(task: LessonTask) -> None:
    if task.spot_chosen_at is None:
        raise Conflict(_("This self-check was not chosen for a spot check."))


def _not_checked(task: LessonTask) -> None:
    if task.spot_checked_at is not None:
        raise Conflict(_("This self-check was spot-checked already, at %(time)s.")
                       % {"time": _local(task.spot_checked_at)})  # fmt: skip


RULES: dict[str, rules.Rule] = {
    "start": rules.Rule(_require_enterprise_staff, (_task_lesson_published, _not_done), on=LessonTask),
    "spot_check": rules.Rule(require_spot_checker, (_chosen, _not_checked), on=LessonTask),
    "sample": rules.Rule(require_spot_checker, (_lesson_published,), on=Lesson),
}


def check(actor: User, obj: Model, action: str) -> None:
    """The role (403), then the state (409)."""
    rules.check(RULES, actor, obj, action)


def can(actor: User, obj: Model) -> set[str]:
    """The actions of `RULES` the actor may take on it now (states first: no query for those refused by their
    state)."""
    if Scope.for_user(actor).kind == ScopeKind.NONE:
        return set()
    return rules.allowed(RULES, actor, obj)


# --- what a user sees -----------------------------------------------------------------------------------------------


def visible_tasks(actor: User) -> QuerySet:
    """The tasks in scope (an enterprise its own; a government its region's; a department those it supervises)."""
    return LessonTask.objects.visible_to(actor)


def my_tasks(actor: User) -> QuerySet:
    """The enterprise's own tasks of published or withdrawn lessons (drafts make none), the latest first."""
    if not actor.enterprise_id:
        return LessonTask.objects.none()
    return (
        visible_tasks(actor)
        .filter(enterprise_id=actor.enterprise_id)
        .exclude(lesson__status=LessonStatus.DRAFT)
        .select_related("lesson", "lesson__accident", "lesson__version__template")
        .order_by("completed_at", "-lesson__deadline", "-id")
    )


def lesson_hazards(actor: User, lesson: Lesson | int) -> QuerySet:
    """The hazards filed from the lesson's self-checks, in the actor's scope."""
    pk = lesson.pk if isinstance(lesson, Lesson) else lesson
    return (
        Hazard.objects.visible_to(actor)
        .with_overdue()
        .filter(inspection_answer__inspection__lesson_task__lesson_id=pk)
        .select_related("enterprise")
        .order_by("-created_at", "-id")
    )


def hollow_tasks(actor: User, lesson: Lesson | int) -> QuerySet:
    pk = lesson.pk if isinstance(lesson, Lesson) else lesson
    return visible_tasks(actor).filter(lesson_id=pk, hollow=True).select_related("enterprise", "spot_checked_by")


def hollow_count(actor: User, lesson: Lesson | int) -> int:
    """The self-checks of the lesson found hollow, in the actor's scope."""
    return hollow_tasks(actor, lesson).count()


def chosen_tasks(actor: User, lesson: Lesson | int) -> QuerySet:
    """The lesson's self-checks chosen for a spot check in scope, those still to record first."""
    pk = lesson.pk if isinstance(lesson, Lesson) else lesson
    return (
        visible_tasks(actor)
        .filter(lesson_id=pk, spot_chosen_at__isnull=False)
        .select_related("enterprise", "lesson", "spot_checked_by")
        .order_by(F("spot_checked_at").asc(nulls_first=True), "-spot_chosen_at", "id")
    )


def to_spot_check(actor: User) -> QuerySet:
    """The chosen self-checks in scope not recorded yet (the department's queue)."""
    return visible_tasks(actor).filter(spot_chosen_at__isnull=False, spot_checked_at__isnull=True)


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _locked_task(actor: User, task: LessonTask | int) -> LessonTask:
    pk = task if isinstance(task, int) else task.pk
    row = visible_tasks(actor).select_for_update(of=("self",)).select_related("lesson").filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


# --- the enterprise: start, and done when the inspection is submitted ---------------------------------------------


def start(actor: User, task: LessonTask | int) -> Inspection:
    """Start the task's self-check: an inspection of kind `lesson` of the enterprise with the lesson's checklist,
    stored on the task. A second start (a double tap) returns the same inspection; late is allowed."""
    with transaction.atomic():
        task = _locked_task(actor, task)
        check(actor, task, "start")
        if task.inspection_id is not None:
            return task.inspection
        inspection = inspection_workflow.create(
            actor,
            inspection_workflow.NewInspection(enterprise=task.enterprise_id, version=task.lesson.version,
                                              kind=InspectionKind.LESSON),
            from_lesson_task=True,
        )  # fmt: skip
        task.inspection = inspection
        task.save(update_fields=["inspection"])
        late = timezone.now() > task.lesson.deadline
        record(actor, "lesson_task.start", task, {"lesson": task.lesson_id, "inspection": inspection.pk, "late": late})
        return inspection


def done(sender, inspection: Inspection, actor: User, hazards: list, **kwargs) -> None:
    """`inspections.signals.submitted`: when the inspection is a task's, the task is done with the hazards found,
    the actor's notice answered and the enterprise's other ones (and those passed up for it) stopped. Inside the
    submit's transaction; other inspections are untouched."""
    if inspection.kind != InspectionKind.LESSON:
        return
    task = LessonTask.objects.select_for_update().filter(inspection=inspection).first()
    if task is None or task.completed_at is not None:
        return
    now = timezone.now()
    task.completed_at, task.hazards_found = now, len(hazards)
    task.save(update_fields=["completed_at", "hazards_found"])
    _answer_notices(actor, task)
    record(actor, "lesson_task.done", task, {"lesson": task.lesson_id, "hazards": len(hazards),
                                             "late": now > task.lesson.deadline})  # fmt: skip


def task_notices(task: LessonTask) -> QuerySet:
    return Notification.objects.filter(key__startswith=f"{NOTICE_KIND}:{task.lesson_id}:{task.enterprise_id}:")


def _answer_notices(actor: User, task: LessonTask) -> None:
    notices = list(task_notices(task).order_by("pk"))
    for notice in notices:
        if notice.recipient_id == actor.pk and notice.acknowledged_at is None:
            acknowledge(actor, notice)
    pending = Q(must_answer=True, acknowledged_at__isnull=True, escalated_at__isnull=True)
    others = [n.pk for n in notices if n.recipient_id != actor.pk]
    Notification.objects.filter(pending, Q(pk__in=others) | Q(parent__in=[n.pk for n in notices])).update(
        must_answer=False
    )


# --- spot checks ----------------------------------------------------------------------------------------------------


def choose_sample(actor: User, lesson: Lesson | int, percent: int | None = None) -> int:
    """Choose a random share (`percent`, the setting ACCIDENT_SPOT_CHECK_PERCENT by default) of the lesson's
    completed self-checks in the actor's scope not chosen yet, at least one when there is any. Returns how many."""
    percent = settings.ACCIDENT_SPOT_CHECK_PERCENT if percent in (None, "") else percent
    if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100:
        raise ValidationError({"percent": _("Enter a whole number from 1 to 100.")})
    pk = lesson if isinstance(lesson, int) else lesson.pk
    with transaction.atomic():
        lesson = Lesson.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=pk).first()
        if lesson is None:
            raise Http404
        check(actor, lesson, "sample")
        candidates = visible_tasks(actor).filter(lesson=lesson, completed_at__isnull=False, spot_chosen_at__isnull=True)
        total = candidates.count()
        if not total:
            record(actor, "lesson.spot_sample", lesson, {"percent": percent, "chosen": 0})
            return 0
        wanted = max(1, math.ceil(total * percent / 100))
        ids = list(candidates.order_by("?").values_list("pk", flat=True)[:wanted])
        chosen = LessonTask.objects.filter(pk__in=ids).update(spot_chosen_at=timezone.now())
        record(actor, "lesson.spot_sample", lesson, {"percent": percent, "completed": total, "chosen": chosen})
        return chosen


def spot_check(actor: User, task: LessonTask | int, *, hollow: bool, note: str = "") -> LessonTask:
    """Record the spot check of a chosen self-check, once. A hollow one (a note says why) is flagged, and the
    enterprise's principal person and safety manager are told."""
    note = (note or "").strip()
    if not isinstance(hollow, bool):
        raise ValidationError({"hollow": _("Say whether the self-check was hollow.")})
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": _("At most %(limit)d characters.") % {"limit": NOTE_LENGTH}})
    if hollow and not note:
        raise ValidationError({"note": _("Say what the self-check missed.")})
    with transaction.atomic():
        task = _locked_task(actor, task)
        check(actor, task, "spot_check")
        task.spot_checked_at, task.spot_checked_by, task.hollow, task.spot_note = timezone.now(), actor, hollow, note
        task.save(update_fields=["spot_checked_at", "spot_checked_by", "hollow", "spot_note"])
        told = _tell_hollow(task) if hollow else 0
        record(actor, "lesson_task.spot_check", task, {"lesson": task.lesson_id, "hollow": hollow, "note": note,
                                                       "told": told})  # fmt: skip
        return task


def _tell_hollow(task: LessonTask) -> int:
    """The enterprise's principal person and safety manager: their self-check was found hollow (not must-answer:
    the spot check's hazards follow their own loop)."""
    holders = [
        (a.user, a.position)
        for a in PositionAssignment.objects.current()
        .filter(position__kind__in=(PositionKind.ENTERPRISE_PRINCIPAL, PositionKind.ENTERPRISE_SAFETY_MANAGER),
                position__enterprise_id=task.enterprise_id, user__is_active=True)
        .select_related("user", "position")
        .order_by("position_id", "user_id")
    ]  # fmt: skip
    with override(settings.LANGUAGE_CODE):
        title = _("Self-check found hollow: %(title)s") % {"title": task.lesson.title}
        body = "\n".join([_("A spot check found your comparison self-check hollow."), task.spot_note])
    return len(notify(holders, f"{HOLLOW_KIND}:{task.pk}", title, body, link=f"/lessons/tasks/{task.pk}/"))


# --- the queues (work/queues.py) ------------------------------------------------------------------------------------


def open_for_queue(actor: User, limit: int) -> tuple[list[LessonTask], int]:
    """The enterprise's self-checks not done of published lessons (a withdrawn one asks nothing more), the nearest
    deadline first, and how many: one query (a window count gives the total with the first rows). `/lessons/mine/`
    lists exactly these as to do."""
    if not actor.enterprise_id:
        return [], 0
    rows = list(
        my_tasks(actor)
        .filter(completed_at__isnull=True, lesson__status=LessonStatus.PUBLISHED)
        .annotate(total=Window(Count("id")))
        .order_by("lesson__deadline", "id")[:limit]
    )
    return rows, (rows[0].total if rows else 0)


def spot_checks_for_queue(actor: User, limit: int) -> tuple[list[LessonTask], int]:
    """The chosen self-checks in scope whose spot check is not recorded yet, the earliest chosen first: one query."""
    if not may_spot_check(actor):
        return [], 0
    rows = list(
        to_spot_check(actor)
        .select_related("lesson", "enterprise")
        .annotate(total=Window(Count("id")))
        .order_by("spot_chosen_at", "id")[:limit]
    )
    return rows, (rows[0].total if rows else 0)
