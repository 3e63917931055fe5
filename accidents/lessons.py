"""Lessons drawn from accidents (警示) and their comparison self-checks (对照检查): the one writer of `Lesson` and of
the tasks' creation and escalation marks. See docs/accidents.md, "Lessons and their comparison self-checks".

Every change goes through one function here, which locks the row in the actor's scope (404), checks its rule from
`RULES` (403, then 409), validates (400), and writes the rows, the notices (through one `Outbox`) and the audit
record in one transaction; `can()` runs the same table, so pages and the API offer exactly what these accept.

- The city office's staff, a regional government (its territorial leader or duty officer, for its subtree) or a
  department (its head or staff, for the industries it supervises) drafts a lesson from an accident it can see,
  with a checklist (an existing version, or items written for it, made into the template `lesson-<id>`) and a
  deadline; edits the draft; publishes it; withdraws it.
- Publishing writes one `LessonTask` per operating enterprise in scope in one INSERT … SELECT, resolves the tasks'
  supervising departments per (region, industry) pair, and sends each enterprise's principal post (its safety
  manager's where vacant) a must-answer notice due at the deadline (key `lesson:<lesson>:<enterprise>:<user>`).
- Unanswered at the deadline, the notifications pass-up sends the notice on (worded by `wording`, the task marked
  `escalated_at` by `mark_passed_up`).
- `look_back` repeats a lesson's self-check for the enterprises whose task found hazards (回头看).
- `completion` counts the tasks by state per supervising department and per region, one grouped query each, with
  the same `states.state_q` the task lists filter by.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, DateTimeField, Exists, Max, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from inspections.checklists import import_template
from inspections.models import ChecklistVersion
from notifications.models import TITLE_LENGTH, Notification
from notifications.outbox import Outbox
from organizations.choices import OperatingState, PositionKind, UnitKind
from organizations.models import Department, Enterprise, Industry, PositionAssignment, Region, User
from organizations.responsibility import SupervisionMap
from organizations.roles import is_city_office_staff, may_publish, publishes_for
from organizations.scope import Reference, Scope, ScopeKind
from risks.models import RiskPoint
from safety_platform.lib import bounds, rules
from safety_platform.lib.errors import Conflict
from safety_platform.lib.text import one_line
from workdays.calendar import SHANGHAI

from .choices import LessonStatus, TaskState
from .models import Accident, Lesson, LessonTask
from .states import state_of, state_q

KIND = "lesson"  # the task notices' kind (their keys: lesson:<lesson>:<enterprise>:<person>)
TEXT_LENGTH = 10000
MAX_ITEMS = 200
EDITABLE = ("title", "lesson", "deadline", "regions", "industries", "key_units_only", "like_this_one", "version",
            "items")  # fmt: skip
STATES = (TaskState.DONE, TaskState.IN_PROGRESS, TaskState.PENDING, TaskState.OVERDUE)

# --- who may do what (403), in which state (409) --------------------------------------------------------------------


def may_create(actor: User) -> bool:
    """The city office's staff; a regional government's territorial leader or duty officer; a department's head or
    staff (as risk themes: `organizations.roles.may_publish`)."""
    return may_publish(actor)


def owns(actor: User, lesson: Lesson) -> bool:
    """The unit that made the lesson (its department; the government of its maker's region), and the city office's
    staff for every lesson."""
    return publishes_for(actor, lesson.department_id, lesson.created_by)


def _require_owner(actor: User, lesson: Lesson) -> None:
    if not owns(actor, lesson):
        raise PermissionDenied(_("Only the unit that made this lesson, or the city safety office, can change it."))


def _draft(lesson: Lesson) -> None:
    if lesson.status != LessonStatus.DRAFT:
        raise Conflict(_("This lesson is %(status)s; only a draft can be changed or published.")
                       % {"status": lesson.get_status_display()})  # fmt: skip


def _published(lesson: Lesson) -> None:
    if lesson.status != LessonStatus.PUBLISHED:
        raise Conflict(_("This lesson is %(status)s; only a published one can be withdrawn or looked back on.")
                       % {"status": lesson.get_status_display()})  # fmt: skip


RULES: dict[str, rules.Rule] = {
    "edit": rules.Rule(_require_owner, (_draft,)),
    "publish": rules.Rule(_require_owner, (_draft,)),
    "withdraw": rules.Rule(_require_owner, (_published,)),
    "look_back": rules.Rule(_require_owner, (_published,)),
}


def check(actor: User, lesson: Lesson, action: str) -> None:
    """The role (403), then the state (409)."""
    rules.check(RULES, actor, lesson, action)


def can(actor: User, lesson: Lesson) -> set[str]:
    """The actions of `RULES` the actor may take on it now (states first: no query for those refused by their
    state)."""
    if Scope.for_user(actor).kind == ScopeKind.NONE:
        return set()
    return rules.allowed(RULES, actor, lesson)


# --- what a user sees -----------------------------------------------------------------------------------------------


def visible_lessons(actor: User) -> QuerySet:
    """The lessons in scope (a government's region and those above it), drafts only to the unit that makes them."""
    lessons = Lesson.objects.visible_to(actor)
    if is_city_office_staff(actor):
        return lessons
    mine = Q(pk__in=[])
    if actor.unit_kind == UnitKind.DEPARTMENT and actor.department_id:
        mine = Q(department_id=actor.department_id)
    elif actor.unit_kind == UnitKind.GOVERNMENT and actor.region_id:
        mine = Q(department__isnull=True, created_by__unit_kind=UnitKind.GOVERNMENT,
                 created_by__region_id=actor.region_id)  # fmt: skip
    return lessons.filter(~Q(status=LessonStatus.DRAFT) | mine)


def _locked(actor: User, lesson: Lesson | int) -> Lesson:
    pk = lesson if isinstance(lesson, int) else lesson.pk
    row = (
        visible_lessons(actor)
        .select_for_update(of=("self",))
        .select_related("created_by", "region", "accident", "department")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise Http404
    return row


def tasks_in_state(queryset: QuerySet, state: str, now: datetime, deadline: str = "lesson_deadline") -> QuerySet:
    """Tasks of a state (`states.state_q`), the same filter the board counts with; "" or "all": all of them.
    `deadline`: the lookup of the lesson's deadline (`_tasks_of` carries it; "lesson__deadline" otherwise)."""
    if state in STATES:
        return queryset.filter(state_q(state, now, deadline=deadline))
    return queryset


# --- validation (400) -----------------------------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment, SHANGHAI):%Y-%m-%d %H:%M}"


def _department_of(actor: User) -> Department | None:
    """The department a lesson belongs to: the maker's, when the maker is a department's (never the city office)."""
    if actor.unit_kind == UnitKind.DEPARTMENT and not is_city_office_staff(actor):
        return actor.department
    return None


def _home(actor: User, department: Department | None) -> Region | None:
    if department is not None:
        return department.region
    if is_city_office_staff(actor) and actor.region_id is None:
        return Region.objects.filter(parent__isnull=True).order_by("path").first()
    return actor.region


def _text(values: dict, errors: dict, name: str, limit: int) -> None:
    values[name] = (values.get(name) or "").strip()
    if not values[name]:
        errors[name] = _("This field is required.")
    elif len(values[name]) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}


def _check_deadline(values: dict, errors: dict) -> None:
    try:
        values["deadline"] = bounds.check_deadline(values.get("deadline"), "deadline")
    except ValidationError as exc:
        errors["deadline"] = exc.message_dict["deadline"][0]
        return
    days = settings.ACCIDENT_LESSON_MAX_DAYS
    if values["deadline"] > timezone.now() + timedelta(days=days):
        errors["deadline"] = _("Give the enterprises at most %(days)d days.") % {"days": days}


def _check_regions(actor: User, values: dict, errors: dict, home: Region | None) -> None:
    chosen = list(dict.fromkeys(values.get("regions") or ()))
    if any(not isinstance(r, Region) for r in chosen):
        errors["regions"] = _("Choose regions from the list.")
        return
    values["regions"] = chosen
    if is_city_office_staff(actor):
        return
    outside = [r.name for r in chosen if home is None or not r.path.startswith(home.path)]
    if outside:
        errors["regions"] = _("Outside your territory: %(names)s.") % {"names": "、".join(outside)}


def _check_industries(values: dict, errors: dict, department, reference: Reference) -> None:
    chosen = list(dict.fromkeys(values.get("industries") or ()))
    if any(not isinstance(i, Industry) for i in chosen):
        errors["industries"] = _("Choose industries from the list.")
        return
    values["industries"] = chosen
    if department is None:
        return
    supervised = reference.supervised_by(department)
    outside = [i.name for i in chosen if i.pk not in supervised]
    if outside:
        errors["industries"] = _("Your department does not supervise: %(names)s.") % {"names": "、".join(outside)}


def clean_items(items) -> list[dict]:
    """Items written for a lesson: a list of {"text", "legal_basis", optional "major_criterion"}; raises a
    ValidationError on `items` for a bad shape (the checklist's own checks come at import)."""
    if not isinstance(items, list | tuple) or not items:
        raise ValidationError({"items": _("Write at least one item to check.")})
    if len(items) > MAX_ITEMS:
        raise ValidationError({"items": _("At most %(limit)d items.") % {"limit": MAX_ITEMS}})
    clean = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not str(item.get("text") or "").strip():
            raise ValidationError({"items": _("Item %(n)d: write what to check.") % {"n": n}})
        clean.append({"text": str(item["text"]).strip(), "legal_basis": str(item.get("legal_basis") or "").strip(),
                      "answer_kind": "pass_fail",
                      "major_criterion": bool(item.get("major_criterion", False))})  # fmt: skip
    return clean


def parse_items(text: str) -> list[dict]:
    """Items written one per line as "检查内容 | 依据" (the basis optional), for the page's form."""
    found = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        what, _sep, basis = line.replace("｜", "|").partition("|")
        found.append({"text": what.strip(), "legal_basis": basis.strip()})
    return found


def _validate(actor: User, values: dict, department, home: Region | None) -> dict:
    clean, errors = dict(values), {}
    _text(clean, errors, "title", 120)
    _text(clean, errors, "lesson", TEXT_LENGTH)
    _check_deadline(clean, errors)
    _check_regions(actor, clean, errors, home)
    _check_industries(clean, errors, department, Scope.for_user(actor).reference)
    for flag in ("key_units_only", "like_this_one"):
        clean[flag] = bool(clean.get(flag))
    version, items = clean.get("version"), clean.get("items")
    if version is not None and items:
        errors["version"] = _("Pick a checklist or write items, not both.")
    elif version is None and not items:
        errors["version"] = _("Pick a checklist or write the items to check.")
    elif version is not None and not isinstance(version, ChecklistVersion):
        errors["version"] = _("Choose a checklist from the list.")
    elif items:
        try:
            clean["items"] = clean_items(items)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return clean


def _checklist(actor: User, lesson_id: int, title: str, items: list[dict]) -> ChecklistVersion:
    """The items written for a lesson as the template `lesson-<id>` with one section (a new version when edited);
    the checklists' own checks refuse a bad value: a 400 on `items`."""
    data = {"code": f"lesson-{lesson_id}", "name": one_line(title, 200), "description": "",
            "sections": [{"title": _("Comparison self-check"), "items": items}]}  # fmt: skip
    try:
        version, _created = import_template(data, actor)
    except ValidationError as exc:
        raise ValidationError({"items": [m for ms in exc.message_dict.values() for m in ms]}) from exc
    return version


def _next_id() -> int:
    """The id the new lesson gets, known before its row (its checklist's code names it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Lesson._meta.db_table])
            return cursor.fetchone()[0]
    return (Lesson.objects.aggregate(last=Max("pk"))["last"] or 0) + 1  # SQLite: writes are serialised


def _shown(value) -> object:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple):
        return sorted(_shown(v) for v in value) if all(isinstance(v, Model) for v in value) else list(value)
    if isinstance(value, datetime):
        return timezone.localtime(value, SHANGHAI).isoformat()
    return value


# --- create, edit, publish, withdraw, look back ----------------------------------------------------------------------


def create(actor: User, accident: Accident | int, *, title: str, lesson: str, deadline: datetime | None,
           regions: Iterable[Region] = (), industries: Iterable[Industry] = (), key_units_only: bool = False,
           like_this_one: bool = False, version: ChecklistVersion | None = None,
           items: list[dict] | None = None) -> Lesson:  # fmt: skip
    """A draft lesson of the actor's unit from an accident it can see; its region is the unit's (the city for the
    city office), its scope the regions chosen below it (none: all of it)."""
    if not may_create(actor):
        raise PermissionDenied(_("Only the city safety office, a regional government or a department draws a lesson "
                                 "from an accident."))  # fmt: skip
    pk = accident if isinstance(accident, int) else getattr(accident, "pk", None)
    found = Accident.objects.visible_to(actor).filter(pk=pk).first() if pk else None
    if found is None:
        raise ValidationError({"accident": _("Choose an accident you can see.")})
    department = _department_of(actor)
    home = _home(actor, department)
    if home is None:
        raise PermissionDenied(_("Your account has no region or department; ask the administrator."))
    clean = _validate(actor, dict(title=title, lesson=lesson, deadline=deadline, regions=list(regions),
                                  industries=list(industries), key_units_only=key_units_only,
                                  like_this_one=like_this_one, version=version, items=items),
                      department, home)  # fmt: skip
    with transaction.atomic():
        pk = _next_id()
        items = clean.pop("items", None)
        if items:
            clean["version"] = _checklist(actor, pk, clean["title"], items)
        chosen_regions, chosen_industries = clean.pop("regions"), clean.pop("industries")
        row = Lesson.objects.create(pk=pk, accident=found, region=home, region_path=home.path, department=department,
                                    created_by=actor, **clean)  # fmt: skip
        row.regions.set(chosen_regions)
        row.industries.set(chosen_industries)
        record(actor, "lesson.create", row, {name: _shown(value) for name, value in
                                             {**clean, "regions": chosen_regions, "industries": chosen_industries,
                                              "items": items or []}.items()})  # fmt: skip
    return row


def edit(actor: User, lesson: Lesson | int, changes: dict) -> Lesson:
    """Change a draft; only the fields given change; new `items` make a new version of the lesson's own template
    (and drop a version picked before), a `version` picked drops the items."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("This cannot be changed.") for name in sorted(unknown)})
    with transaction.atomic():
        row = _locked(actor, lesson)
        check(actor, row, "edit")
        before = {name: getattr(row, name) for name in EDITABLE if name not in ("regions", "industries", "items")}
        before["regions"] = list(row.regions.order_by("pk"))
        before["industries"] = list(row.industries.order_by("pk"))
        merged = {**before, **changes}
        if changes.get("items"):
            merged["version"] = changes.get("version")
        clean = _validate(actor, merged, row.department, row.region)
        items = clean.pop("items", None)
        if items:
            clean["version"] = _checklist(actor, row.pk, clean["title"], items)
        diff = {name: [_shown(before[name]), _shown(clean[name])] for name in before
                if _shown(before[name]) != _shown(clean[name])}  # fmt: skip
        if not diff:
            return row
        for name in ("title", "lesson", "deadline", "key_units_only", "like_this_one", "version"):
            setattr(row, name, clean[name])
        row.save()
        row.regions.set(clean["regions"])
        row.industries.set(clean["industries"])
        record(actor, "lesson.edit", row, diff)
    return row


def covered_industries(lesson: Lesson, reference: Reference) -> set[int] | None:
    """The industry ids a lesson covers (a sector its industries; a department's lesson with none: those it
    supervises; "like this one": within the accident's industry), or None for every industry."""
    chosen = {i.pk for i in lesson.industries.all()}
    found = reference.with_descendants(chosen) if chosen else None
    if found is None and lesson.department_id is not None:
        found = set(reference.supervised_by(lesson.department))
    if lesson.like_this_one:
        own = reference.with_descendants({lesson.accident.industry_id})
        found = own if found is None else found & own
    return found


def _base(lesson: Lesson, industries: set[int] | None) -> QuerySet:
    """The operating enterprises of the lesson's regions (each with all below), industries and key units."""
    paths = list(lesson.regions.values_list("path", flat=True)) or [lesson.region_path]
    where = Q(pk__in=[])
    for path in paths:
        where |= Q(region__path__startswith=path)
    found = Enterprise.objects.filter(where, operating_state=OperatingState.OPERATING)
    if industries is not None:
        found = found.filter(industry_id__in=sorted(industries))
    if lesson.key_units_only:
        found = found.filter(is_key_unit=True)
    if lesson.look_back_of_id is not None:
        found = found.filter(pk__in=LessonTask.objects.filter(lesson_id=lesson.look_back_of_id, hazards_found__gt=0)
                             .values("enterprise_id"))  # fmt: skip
    return found


def scope_enterprises(lesson: Lesson, reference: Reference, in_sql: bool | None = None) -> QuerySet | list[int]:
    """The enterprises in the lesson's scope: a queryset (PostgreSQL: "like this one" by jsonb containment in SQL),
    or with `in_sql` False the ids through Python (SQLite has no JSON containment): the same enterprises."""
    in_sql = connection.vendor == "postgresql" if in_sql is None else in_sql
    found = _base(lesson, covered_industries(lesson, reference))
    if not lesson.like_this_one:
        return found
    points = RiskPoint.objects.filter(enterprise_id=OuterRef("pk"), is_active=True)
    if in_sql:
        kind = lesson.accident.accident_type
        return found.filter(~Exists(points) | Exists(points.filter(accident_types__contains=[kind])))
    ids = set(found.values_list("pk", flat=True))
    with_points: set[int] = set()
    like: set[int] = set()
    rows = RiskPoint.objects.filter(is_active=True, enterprise_id__in=found.values("pk"))
    for enterprise_id, types in rows.values_list("enterprise_id", "accident_types").iterator():
        with_points.add(enterprise_id)
        if isinstance(types, list) and lesson.accident.accident_type in types:
            like.add(enterprise_id)
    return sorted((ids - with_points) | like)


def _insert_tasks(lesson: Lesson, reference: Reference, in_sql: bool | None = None) -> int:
    """One task per enterprise in scope: one INSERT … SELECT (no enterprise passes through Python); on SQLite
    ("like this one") the ids found in Python and one bulk insert."""
    found = scope_enterprises(lesson, reference, in_sql)
    if isinstance(found, list):
        rows = Enterprise.objects.filter(pk__in=found).values_list("id", "region__path", "industry_id")
        made = [LessonTask(lesson=lesson, enterprise_id=pk, region_path=path, industry_id=industry)
                for pk, path, industry in rows.iterator()]  # fmt: skip
        LessonTask.objects.bulk_create(made, batch_size=500)
        return len(made)
    select, params = found.order_by().values_list("id", "region__path", "industry_id").query.sql_with_params()
    table = connection.ops.quote_name(LessonTask._meta.db_table)
    sql = (f"INSERT INTO {table} (enterprise_id, region_path, industry_id, lesson_id, hazards_found, spot_note) "  # noqa: S608
           f"SELECT e.*, %s, 0, %s FROM ({select}) e")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, (lesson.pk, "", *params))
        return cursor.rowcount


def _set_departments(lesson: Lesson, reference: Reference) -> int:
    """Each task's supervising department, resolved once per distinct (region path, industry) pair as an
    enterprise's is (`SupervisionMap.resolve`), written with one UPDATE … FROM (VALUES …) on PostgreSQL (one
    UPDATE per pair on SQLite): bounded by the pairs, not the enterprises."""
    pairs = list(LessonTask.objects.filter(lesson=lesson).values_list("region_path", "industry_id").distinct()
                 .order_by())  # fmt: skip
    supervision = SupervisionMap(reference)
    resolved = []
    for path, industry_id in pairs:
        shaped = SimpleNamespace(region=SimpleNamespace(path=path), industry_id=industry_id)
        department = supervision.resolve(shaped).department
        if department is not None:
            resolved.append((path, industry_id, department.pk))
    if not resolved:
        return 0
    if connection.vendor != "postgresql":
        for path, industry_id, department_id in resolved:
            LessonTask.objects.filter(lesson=lesson, region_path=path, industry_id=industry_id).update(
                department_id=department_id
            )
        return len(resolved)
    table = connection.ops.quote_name(LessonTask._meta.db_table)
    values = ", ".join(["(%s, %s::bigint, %s::bigint)"] * len(resolved))
    sql = (f"UPDATE {table} AS t SET department_id = v.department FROM (VALUES {values}) AS v(path, industry, "  # noqa: S608
           f"department) WHERE t.lesson_id = %s AND t.region_path = v.path AND t.industry_id = v.industry")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(x for row in resolved for x in row), lesson.pk])
    return len(resolved)


def publish(actor: User, lesson: Lesson | int, in_sql: bool | None = None) -> Lesson:
    """Publish a draft: a task per operating enterprise in scope, their departments, each one's must-answer notice.

    1. Lock the lesson in scope; the rule (403, 409); the deadline still ahead (400).
    2. A department's lesson without industries takes the department's, so what it covers is kept with it.
    3. The tasks in one statement; none in scope is a 400 and nothing is written.
    4. Their departments per (region, industry) pair; `tasks_total`; the notices through one `Outbox`; audit."""
    with transaction.atomic():
        row = _locked(actor, lesson)
        check(actor, row, "publish")
        return _publish(actor, row, timezone.now(), in_sql, "lesson.publish")


def _publish(actor: User, row: Lesson, now: datetime, in_sql: bool | None, action: str) -> Lesson:
    if row.deadline <= now:
        raise ValidationError({"deadline": _("The deadline has passed; change it first.")})
    reference = Scope.for_user(actor).reference
    if row.department_id is not None and not row.industries.exists():
        supervised = reference.supervised_by(row.department)
        if not supervised:
            raise ValidationError({"industries": _("Your department supervises no industry.")})
        row.industries.set(sorted(supervised))
    count = _insert_tasks(row, reference, in_sql)
    if not count:
        raise ValidationError({"non_field_errors": [_("No operating enterprise is in this lesson's scope.")]})
    pairs = _set_departments(row, reference)
    row.status, row.published_at, row.tasks_total = LessonStatus.PUBLISHED, now, count
    row.save(update_fields=["status", "published_at", "tasks_total"])
    told = _tell_enterprises(row, now)
    record(actor, action, row, {"enterprises": count, "told": told, "departments_resolved": pairs,
                                "deadline": row.deadline.isoformat(), "look_back_of": row.look_back_of_id})  # fmt: skip
    return row


def notice_words(lesson: Lesson) -> tuple[str, str]:
    """The notice's title and body, in the default language (notices are stored once for everyone)."""
    with override(settings.LANGUAGE_CODE):
        title = _("Comparison self-check: %(title)s") % {"title": lesson.title}
        lines = [
            _("Accident: %(accident)s.") % {"accident": lesson.accident.title},
            lesson.lesson,
            _("Check your enterprise against this lesson and finish by %(time)s.") % {"time": _local(lesson.deadline)},
        ]
    return one_line(title, TITLE_LENGTH), "\n".join(lines)


def task_link(task_id: int) -> str:
    return f"/lessons/tasks/{task_id}/"


def notice_key(lesson_id: int, enterprise_id: int, user_id: int) -> str:
    return f"{KIND}:{lesson_id}:{enterprise_id}:{user_id}"


def _tell_enterprises(lesson: Lesson, now: datetime) -> int:
    """Each enterprise's principal post holders (the safety manager's where the principal's is vacant) a
    must-answer notice linking to its task, due at the deadline: one query for the holders with their task, the
    outbox's few to write."""
    holders: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    tasks = LessonTask.objects.filter(lesson_id=lesson.pk, enterprise_id=OuterRef("position__enterprise_id"))
    assignments = (
        PositionAssignment.objects.current(now)
        .filter(position__kind__in=(PositionKind.ENTERPRISE_PRINCIPAL, PositionKind.ENTERPRISE_SAFETY_MANAGER),
                position__enterprise_id__in=LessonTask.objects.filter(lesson_id=lesson.pk).values("enterprise_id"),
                user__is_active=True)
        .annotate(task_id=Subquery(tasks.values("pk")[:1]))
        .order_by("position_id", "user_id")
        .values_list("position__enterprise_id", "position__kind", "user_id", "position_id", "task_id")
    )  # fmt: skip
    for enterprise_id, kind, user_id, position_id, task_id in assignments.iterator(chunk_size=5000):
        holders[enterprise_id][kind].append((user_id, position_id, task_id))
    title, body = notice_words(lesson)
    outbox, within = Outbox(now), lesson.deadline - now
    for enterprise_id, posts in holders.items():
        found = posts.get(PositionKind.ENTERPRISE_PRINCIPAL) or posts.get(PositionKind.ENTERPRISE_SAFETY_MANAGER, [])
        for user_id, position_id, task_id in found:
            outbox.add_ids(notice_key(lesson.pk, enterprise_id, user_id), user_id, position_id, title=title,
                           body=body, link=task_link(task_id), answer_within=within)  # fmt: skip
    return outbox.flush(False)


def lesson_notices(lesson: Lesson) -> QuerySet:
    return Notification.objects.filter(key__startswith=f"{KIND}:{lesson.pk}:")


def withdraw(actor: User, lesson: Lesson | int, reason: str = "") -> Lesson:
    """Withdraw a published lesson: its unanswered notices stop (no pass-up); its tasks stay as they are."""
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ValidationError({"reason": _("At most %(limit)d characters.") % {"limit": 500}})
    with transaction.atomic():
        row = _locked(actor, lesson)
        check(actor, row, "withdraw")
        row.status = LessonStatus.WITHDRAWN
        row.save(update_fields=["status"])
        stopped = (
            lesson_notices(row)
            .filter(must_answer=True, acknowledged_at__isnull=True, escalated_at__isnull=True)
            .update(must_answer=False)
        )
        record(actor, "lesson.withdraw", row, {"notices_stopped": stopped}, reason=reason)
    return row


def look_back(actor: User, lesson: Lesson | int, *, deadline: datetime | None, title: str = "") -> Lesson:
    """回头看: a new lesson of the same accident and checklist, published at once for the enterprises whose task in
    the original found hazards (none did: 400); who may edit the original may look back on it."""
    with transaction.atomic():
        original = _locked(actor, lesson)
        check(actor, original, "look_back")
        values, errors = {"deadline": deadline, "title": (title or "").strip()}, {}
        _check_deadline(values, errors)
        if not values["title"]:
            with override(settings.LANGUAGE_CODE):
                values["title"] = one_line(_("Look-back: %(title)s") % {"title": original.title}, 120)
        elif len(values["title"]) > 120:
            errors["title"] = _("At most %(limit)d characters.") % {"limit": 120}
        if errors:
            raise ValidationError(errors)
        if not LessonTask.objects.filter(lesson=original, hazards_found__gt=0).exists():
            raise ValidationError({"non_field_errors": [_("No enterprise found hazards in this self-check.")]})
        row = Lesson.objects.create(accident=original.accident, look_back_of=original, title=values["title"],
                                    lesson=original.lesson, region=original.region, region_path=original.region_path,
                                    version=original.version, deadline=values["deadline"],
                                    department=original.department, created_by=original.created_by)  # fmt: skip
        return _publish(actor, row, timezone.now(), None, "lesson.look_back")


# --- the pass-up's wording and marks (registered in AccidentsConfig.ready) ------------------------------------------


def wording(notice: Notification, label: str) -> dict | None:
    """A task notice passed up points at the lesson's overdue list; the superior has `ACCIDENT_LESSON_PASS_UP_HOURS`
    to answer it."""
    if notice.kind != KIND:
        return None
    lesson_id = notice.key.split(":")[1]
    with override(settings.LANGUAGE_CODE):
        body = "\n".join([_("The enterprise did not finish its comparison self-check in time."), notice.body])
    return {"title": label, "body": body, "link": f"/lessons/{lesson_id}/tasks/?state=overdue",
            "answer_within": timedelta(hours=settings.ACCIDENT_LESSON_PASS_UP_HOURS),
            "group": f"{KIND}-{lesson_id}"}  # summed per person: one notice for its late enterprises  # fmt: skip


def mark_passed_up(sender, notices: list[Notification], at: datetime, **kwargs) -> None:
    """The tasks whose notices the pass-up has just sent on, marked escalated in its transaction: one UPDATE when
    the batch holds lesson notices, nothing otherwise."""
    pairs = {tuple(int(part) for part in n.key.split(":")[1:3]) for n in notices if n.kind == KIND}
    if not pairs:
        return
    which = Q(pk__in=[])
    for lesson_id, enterprise_id in pairs:
        which |= Q(lesson_id=lesson_id, enterprise_id=enterprise_id)
    LessonTask.objects.filter(which, escalated_at__isnull=True, completed_at__isnull=True).update(escalated_at=at)


# --- completion -------------------------------------------------------------------------------------------------------


@dataclass
class Counts:
    done: int = 0
    in_progress: int = 0
    pending: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.pending + self.overdue

    @property
    def rate(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 0.0

    def add(self, row: dict) -> None:
        for state in STATES:
            setattr(self, state, getattr(self, state) + row[state])


@dataclass
class Row:
    """One line of the board: a department (None: no supervising department) or a region, with its counts and the
    task list's filter for its links (`own`: the region's own enterprises, not those of its children)."""

    key: int | None
    name: str
    counts: Counts = field(default_factory=Counts)
    own: bool = False


def _tasks_of(actor: User, lesson: Lesson) -> QuerySet:
    """The lesson's tasks in the actor's scope, its deadline carried as a constant (`lesson_deadline`) so that
    `state_q` needs no join to the lesson: the board and its lists filter with the same Q."""
    deadline = Value(lesson.deadline, output_field=DateTimeField())
    return LessonTask.objects.visible_to(actor).filter(lesson_id=lesson.pk).alias(lesson_deadline=deadline)


def _grouped(tasks: QuerySet, now: datetime, *by: str) -> QuerySet:
    counts = {s: Count("pk", filter=state_q(s, now, deadline="lesson_deadline")) for s in STATES}
    return tasks.values(*by).annotate(**counts).order_by()


def completion(actor: User, lesson: Lesson, by: str, under: Region | None = None,
               now: datetime | None = None) -> list[Row]:  # fmt: skip
    """The lesson's tasks in the actor's scope counted by state, per supervising department (`by="department"`) or
    per child region of `under` (`by="region"`, the region's own enterprises in a row of their own): one grouped
    query, and the departments' names or the child regions."""
    now = now or timezone.now()
    tasks = _tasks_of(actor, lesson)
    if by == "department":
        grouped = list(_grouped(tasks, now, "department_id"))
        names = dict(Department.objects.filter(pk__in=[r["department_id"] for r in grouped if r["department_id"]])
                     .values_list("pk", "name"))  # fmt: skip
        rows: list[Row] = []
        for r in grouped:
            row = Row(r["department_id"], names.get(r["department_id"]) or _("No supervising department"))
            row.counts.add(r)
            rows.append(row)
        return sorted(rows, key=lambda r: (r.key is None, r.name))
    if by != "region":
        raise ValidationError({"by": _("Count by department or by region.")})
    under = under or lesson.region
    found = {under.path: Row(under.pk, under.name, own=True)}
    for child in Region.objects.filter(parent=under).order_by("path"):
        found[child.path] = Row(child.pk, child.name)
    if under.path != lesson.region_path:  # every task lies under the lesson's region
        tasks = tasks.filter(region_path__startswith=under.path)
    depth = under.path.count("/")
    for r in _grouped(tasks, now, "region_path"):
        path = r["region_path"]
        key = "/".join(path.split("/")[: depth + 1]) + "/" if path != under.path else under.path
        (found.get(key) or found[under.path]).counts.add(r)
    return [r for r in found.values() if r.counts.total]


def totals(rows: Iterable[Row]) -> Counts:
    found = Counts()
    for row in rows:
        found.add({s: getattr(row.counts, s) for s in STATES})
    return found


def done_counts(actor: User, lessons: Iterable[Lesson]) -> dict[int, tuple[int, int]]:
    """Per lesson, its tasks in the actor's scope done and in all: one grouped query."""
    ids = [lesson.pk for lesson in lessons]
    found = dict.fromkeys(ids, (0, 0))
    rows = (
        LessonTask.objects.visible_to(actor)
        .filter(lesson_id__in=ids)
        .values("lesson_id")
        .annotate(done=Count("pk", filter=Q(completed_at__isnull=False)), all=Count("pk"))
        .order_by()
    )
    for r in rows:
        found[r["lesson_id"]] = (r["done"], r["all"])
    return found


def task_list(actor: User, lesson: Lesson, *, state: str = "", department: str = "", region: Region | None = None,
              own: bool = False, now: datetime | None = None) -> QuerySet:  # fmt: skip
    """The lesson's tasks in the actor's scope the board's links list: of a state, a department ("none": without
    one), under a region (`own`: in it, not below)."""
    now = now or timezone.now()
    tasks = tasks_in_state(_tasks_of(actor, lesson), state, now)
    if department == "none":
        tasks = tasks.filter(department__isnull=True)
    elif department.isascii() and department.isdigit():
        tasks = tasks.filter(department_id=int(department))
    if region is not None:
        tasks = tasks.filter(region_path=region.path) if own else tasks.filter(region_path__startswith=region.path)
    return tasks


def task_state(task: LessonTask, lesson: Lesson, now: datetime) -> str:
    """One task's state (`states.state_of`), as `state_q` selects it."""
    return state_of(task.completed_at, task.inspection_id is not None, lesson.deadline, now)
