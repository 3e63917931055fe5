"""The warning circular (警示通报) issued with a lesson: drafted from the accident and the lesson, edited by the issuer,
numbered once per year (〔2026〕3号), and sent to the units in the lesson's scope as a must-read notice they
acknowledge (签收). See docs/accidents.md, "The warning circular".

This module is the one writer of `Circular` and `CircularCounter`. `issue` locks the lesson in the actor's scope
(404), checks its rule from `RULES` (403, then 409), validates (400), and writes the circular, its number, the
notices (through one `Outbox`) and the audit record in one transaction; `can()` runs the same table.

- Who issues: the unit that owns the lesson: the city office's staff; for a department's lesson its head or staff;
  otherwise the government of the lesson's region (its territorial leader or duty officer).
- Who is told (kind `circular`, key `circular:<circular>:<user>`, must-answer): each enterprise with a task in the
  lesson (its principal post holders, the safety manager's where the principal's is vacant), the heads of the
  departments supervising those tasks, and the territorial leaders of the counties and districts the tasks lie in.
  Three queries for the holders whatever the number of enterprises, and the outbox's few statements.
- Acknowledged within `ACK_DAYS` days, or by the lesson's deadline when that comes sooner; unanswered, the notice
  passes up the chain worded by `wording` ("警示通报未签收", pointing at the circular).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Min, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from notifications.models import TITLE_LENGTH, Notification
from notifications.outbox import Outbox
from notifications.outbox import acknowledge as acknowledge_notice
from organizations.choices import PositionKind, RegionLevel, UnitKind
from organizations.models import Enterprise, PositionAssignment, User
from organizations.roles import may_publish, publishes_for
from organizations.scope import Scope, ScopeKind
from risks.choices import AccidentType
from safety_platform.lib import rules
from safety_platform.lib.errors import Conflict
from safety_platform.lib.text import one_line
from workdays.calendar import SHANGHAI

from .choices import DirectCause, IndirectCause, LessonStatus
from .models import Circular, CircularCounter, Lesson

KIND = "circular"  # the notices' kind; keys circular:<circular_id>:<user_id>
TITLE_LENGTH_MAX = 200
BODY_LENGTH = 20000
ACK_DAYS = 3  # a circular is acknowledged within three days, or by the lesson's deadline when that is sooner
MIN_ACK = timedelta(hours=4)  # however near the deadline, at least this long to acknowledge
PASS_UP_HOURS = 24  # the superior told of an unacknowledged circular answers within a day
LIST_LIMIT = 100  # units listed as not acknowledged, per kind (the counts are complete)
TERRITORIES = (RegionLevel.COUNTY, RegionLevel.DISTRICT, RegionLevel.ZONE)

# --- who may do what (403), in which state (409) --------------------------------------------------------------------


def owns(actor: User, lesson: Lesson) -> bool:
    """The unit that owns the lesson issues its circular: as `lessons.owns` (its department's head or staff; the
    government of its maker's region), the city office's staff for every lesson."""
    return publishes_for(actor, lesson.department_id, lesson.created_by)


def may_issue_any(actor: User) -> bool:
    """Whether the actor could issue some lesson's circular (the list page's hint)."""
    return may_publish(actor)


def _require_owner(actor: User, lesson: Lesson) -> None:
    if not owns(actor, lesson):
        raise PermissionDenied(_("Only the unit that owns this lesson, or the city safety office, issues its warning "
                                 "circular."))  # fmt: skip


def _published(lesson: Lesson) -> None:
    if lesson.status != LessonStatus.PUBLISHED:
        raise Conflict(_("This lesson is %(status)s; a warning circular is issued with a published lesson only, when "
                         "its enterprises are known.") % {"status": lesson.get_status_display()})  # fmt: skip


def _no_circular(lesson: Lesson) -> None:
    existing = Circular.objects.filter(lesson_id=lesson.pk).only("year", "serial").first()
    if existing is not None:
        raise Conflict(_("This lesson's warning circular was issued already: %(number)s.")
                       % {"number": existing.number})  # fmt: skip


def _require_recipient(actor: User, circular: Circular) -> None:
    if _own_notice(actor, circular) is None:
        raise PermissionDenied(_("Only the units this warning circular was sent to acknowledge it."))


def _not_acknowledged(actor: User, circular: Circular) -> None:
    notice = _own_notice(actor, circular)
    if notice is not None and notice.acknowledged_at is not None:
        raise Conflict(_("Acknowledged already, at %(time)s.") % {"time": _local(notice.acknowledged_at)})


RULES: dict[str, rules.Rule] = {
    "issue_circular": rules.Rule(_require_owner, (_published, _no_circular), on=Lesson),
    "acknowledge": rules.Rule(_require_recipient, (_not_acknowledged,), on=Circular, actor_in_guards=True),
}


def check(actor: User, obj: Model, action: str) -> None:
    """The role (403), then the state (409)."""
    rules.check(RULES, actor, obj, action)


def can(actor: User, obj: Model) -> set[str]:
    """The actions of `RULES` the actor may take on it now (states first: no query for those refused by their
    state)."""
    if not actor.is_authenticated or Scope.for_user(actor).kind == ScopeKind.NONE:
        return set()
    return rules.allowed(RULES, actor, obj)


# --- what a user sees -----------------------------------------------------------------------------------------------


def visible_circulars(actor: User) -> QuerySet:
    """The circulars in scope (a lesson's region and those above the viewer's), newest first."""
    return Circular.objects.visible_to(actor).order_by("-issued_at", "-id")


def _own_notice(actor: User, circular: Circular) -> Notification | None:
    """The actor's own notice of this circular (cached on the circular for one request)."""
    cache = circular.__dict__.setdefault("_own_notices", {})
    if actor.pk not in cache:
        cache[actor.pk] = Notification.objects.filter(key=notice_key(circular.pk, actor.pk)).first()
    return cache[actor.pk]


def notice_key(circular_id: int, user_id: int) -> str:
    return f"{KIND}:{circular_id}:{user_id}"


def link(circular: Circular | int) -> str:
    pk = circular if isinstance(circular, int) else circular.pk
    return f"/circulars/{pk}/"


# --- the draft ------------------------------------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment, SHANGHAI):%Y-%m-%d %H:%M}"


def _chinese_date(moment: datetime, with_time: bool = False) -> str:
    local = timezone.localtime(moment, SHANGHAI)
    day = f"{local.year}年{local.month}月{local.day}日"
    return f"{day}{local.hour}时{local.minute:02d}分" if with_time else day


def _casualties(accident) -> str:
    parts = [f"{n}人{what}" for n, what in ((accident.deaths, "死亡"), (accident.missing, "失踪"),
             (accident.serious_injuries, "重伤"), (accident.minor_injuries, "轻伤")) if n]  # fmt: skip
    said = "造成" + "、".join(parts) if parts else "未造成人员伤亡"
    if accident.direct_loss:
        loss = accident.direct_loss / 10000
        said += f"，直接经济损失约{loss:,.2f}万元".replace(".00万", "万")
    return said


def draft(lesson: Lesson) -> tuple[str, str]:
    """A Chinese draft of the lesson's circular, in the manner of a 警示通报 (the issuer edits it before issuing): the
    accident's basic facts, its causes where recorded, and the work required, with the self-check's deadline."""
    accident = lesson.accident
    title = one_line(f"关于{accident.title}的警示通报", TITLE_LENGTH_MAX)
    enterprise = "外省某企业" if accident.external or accident.enterprise_id is None else accident.enterprise.name
    with override("zh-hans"):
        kind = str(AccidentType(accident.accident_type).label) if accident.accident_type in AccidentType.values else ""
        direct = [str(DirectCause(c).label) for c in accident.direct_causes if c in DirectCause.values]
        indirect = [str(IndirectCause(c).label) for c in accident.indirect_causes if c in IndirectCause.values]
    deadline = _chinese_date(lesson.deadline, with_time=True)
    facts = (f"{_chinese_date(accident.occurred_at, with_time=True)}，{enterprise}在{accident.place}发生一起"
             f"{kind}事故，{_casualties(accident)}。")  # fmt: skip
    if accident.course:
        facts += accident.course.strip()
    paragraphs = ["各有关单位：", f"现将{accident.title}有关情况通报如下。", "一、事故基本情况", facts, "二、事故原因"]
    if direct or indirect:
        if direct:
            paragraphs.append(f"经初步分析，事故直接原因为：{'；'.join(direct)}。")
        if indirect:
            paragraphs.append(f"间接原因为：{'；'.join(indirect)}。")
    else:
        paragraphs.append("事故原因正在调查中。")
    paragraphs += [
        "三、工作要求",
        lesson.lesson.strip(),
        f"各单位要立即对照检查、举一反三，深刻吸取事故教训，全面排查本单位同类风险隐患，于{deadline}前完成对照检查"
        "并在系统中提交；发现的隐患要落实整改责任、措施、资金、时限和预案，确保整改到位。",
        "各属地政府和行业主管部门要督促本辖区、本行业企业按时完成对照检查，并对企业自查情况进行抽查。",
    ]
    return title, "\n\n".join(p for p in paragraphs if p)


# --- issuing --------------------------------------------------------------------------------------------------------


def _locked_lesson(actor: User, lesson: Lesson | int) -> Lesson:
    pk = lesson if isinstance(lesson, int) else lesson.pk
    found = (
        Lesson.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("accident", "accident__enterprise", "region")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body, errors = one_line(title or "", 10**6).strip(), (body or "").strip(), {}
    for name, value, limit in (("title", title, TITLE_LENGTH_MAX), ("body", body, BODY_LENGTH)):
        if not value:
            errors[name] = _("This field is required.")
        elif len(value) > limit:
            errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    if errors:
        raise ValidationError(errors)
    return title, body


def next_serial(year: int) -> int:
    """The year's next serial: the counter row locked (`select_for_update`), made when missing. Two issuers queue on
    the row; a missing row made by two at once is caught by its unique year and read again locked."""
    counter = CircularCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = CircularCounter.objects.create(year=year, last=0)
        except IntegrityError:  # another issuer made it first: wait for its lock
            counter = CircularCounter.objects.select_for_update().get(year=year)
        else:
            counter = CircularCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def issuing_unit(actor: User) -> str:
    """`ACCIDENT_CIRCULAR_ISSUER`, or the actor's unit's name as it heads a document."""
    if settings.ACCIDENT_CIRCULAR_ISSUER:
        return settings.ACCIDENT_CIRCULAR_ISSUER
    with override(settings.LANGUAGE_CODE):
        if actor.unit_kind == UnitKind.DEPARTMENT and actor.department_id:
            return actor.department.name
        if actor.unit_kind == UnitKind.GOVERNMENT and actor.region_id:
            return _("%(region)s People's Government") % {"region": actor.region.name}
        region = actor.region if actor.region_id else None
        if region is None:
            from organizations.models import Region

            region = Region.objects.filter(parent=None).order_by("path").first()
        return _("%(city)s Work Safety Committee Office") % {"city": region.name} if region else ""


def answer_within(lesson: Lesson, now: datetime) -> timedelta:
    """`ACK_DAYS`, or until the lesson's deadline when that is sooner (at least `MIN_ACK`)."""
    limit = timedelta(days=ACK_DAYS)
    if lesson.deadline > now:
        limit = min(limit, lesson.deadline - now)
    return max(limit, MIN_ACK)


def issue(actor: User, lesson: Lesson | int, *, title: str, body: str) -> Circular:
    """Issue the lesson's warning circular.

    1. Lock the lesson in scope (404); the rule: the owning unit (403), published and without a circular (409).
    2. Title and body required, within their limits (400).
    3. The year's next number from the locked counter; the circular written.
    4. The must-read notices through one `Outbox` (enterprises, departments, territories); `recipients` stored.
    5. The audit record. All in one transaction."""
    with transaction.atomic():
        lesson = _locked_lesson(actor, lesson)
        check(actor, lesson, "issue_circular")
        title, body = _clean(title, body)
        now = timezone.now()
        year = timezone.localtime(now, SHANGHAI).year
        circular = Circular.objects.create(
            lesson=lesson, year=year, serial=next_serial(year), title=title, body=body, issued_at=now,
            issued_by=actor, issuing_unit=issuing_unit(actor),
        )  # fmt: skip
        told = _tell(circular, lesson, now)
        circular.recipients = told
        circular.save(update_fields=["recipients"])
        record(actor, "circular.issue", circular, {"number": circular.number, "lesson": lesson.pk, "title": title,
                                                   "recipients": told})  # fmt: skip
    return circular


def notice_words(circular: Circular, lesson: Lesson) -> tuple[str, str]:
    """The notice's title and body, in the default language (notices are stored once for everyone)."""
    with override(settings.LANGUAGE_CODE):
        title = _("Warning circular to acknowledge: %(title)s") % {"title": circular.title}
        lines = [
            _("%(unit)s, %(number)s.") % {"unit": circular.issuing_unit, "number": circular.number},
            _("Read it and acknowledge it; finish the comparison self-check by %(time)s.")
            % {"time": _local(lesson.deadline)},
        ]
    return one_line(title, TITLE_LENGTH), "\n".join(lines)


def _tell(circular: Circular, lesson: Lesson, now: datetime) -> int:
    """The must-read notices: three queries for the holders (enterprises, departments, territories), then the
    outbox's few statements, whatever the number of enterprises (theirs by ids: a lesson may reach tens of
    thousands)."""
    tasks = lesson.tasks.all()
    current = PositionAssignment.objects.current(now).filter(user__is_active=True)
    enterprise_posts = (PositionKind.ENTERPRISE_PRINCIPAL, PositionKind.ENTERPRISE_SAFETY_MANAGER)
    by_enterprise: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    enterprises = (
        current.filter(position__kind__in=enterprise_posts, position__enterprise_id__in=tasks.values("enterprise_id"))
        .order_by("position_id", "user_id")
        .values_list("position__enterprise_id", "position__kind", "user_id", "position_id")
    )
    for enterprise_id, kind, user_id, position_id in enterprises.iterator(chunk_size=5000):
        by_enterprise[enterprise_id][kind].append((user_id, position_id))
    pairs = []
    for posts in by_enterprise.values():
        pairs += posts.get(PositionKind.ENTERPRISE_PRINCIPAL) or posts.get(PositionKind.ENTERPRISE_SAFETY_MANAGER, [])
    departments = current.filter(position__kind=PositionKind.DEPARTMENT_HEAD,
                                 position__department_id__in=tasks.filter(department__isnull=False)
                                 .values("department_id")).order_by("position_id", "user_id")  # fmt: skip
    pairs += list(departments.values_list("user_id", "position_id"))
    inside = tasks.filter(region_path__startswith=OuterRef("position__region__path"))
    territories = current.filter(
        Exists(inside), position__kind=PositionKind.TERRITORIAL_LEADER, position__unit_kind=UnitKind.GOVERNMENT,
        position__region__level__in=TERRITORIES,
    )  # fmt: skip
    pairs += list(territories.order_by("position_id", "user_id").values_list("user_id", "position_id"))
    title, body = notice_words(circular, lesson)
    outbox, within = Outbox(now), answer_within(lesson, now)
    for user_id, position_id in pairs:
        outbox.add_ids(notice_key(circular.pk, user_id), user_id, position_id, title=title, body=body,
                       link=link(circular), answer_within=within)  # fmt: skip
    outbox.flush(False)
    return len(outbox.rows)


# --- acknowledging --------------------------------------------------------------------------------------------------


def acknowledge(actor: User, circular: Circular | int) -> Notification:
    """The recipient acknowledges the circular on its page: their own notice answered (as in the inbox)."""
    pk = circular if isinstance(circular, int) else circular.pk
    with transaction.atomic():
        found = visible_circulars(actor).select_for_update(of=("self",)).filter(pk=pk).first()
        if found is None:
            raise Http404
        check(actor, found, "acknowledge")
        return acknowledge_notice(actor, _own_notice(actor, found))


def stop_colleagues(sender, notice: Notification, actor, **kwargs) -> None:
    """A circular acknowledged by one holder of a unit's posts is the unit's: the other holders' unanswered notices
    of that unit stop being must-answer (no pass-up for them). Runs in `acknowledge`'s transaction."""
    if notice.kind != KIND or notice.parent_id is not None:
        return
    position = notice.position
    if position is None:
        return
    unit = (
        {"enterprise_id": position.enterprise_id}
        if position.enterprise_id
        else (
            {"department_id": position.department_id} if position.department_id else {"region_id": position.region_id}
        )
    )
    circular_id = notice.key.split(":")[1]
    Notification.objects.filter(
        key__startswith=f"{KIND}:{circular_id}:", must_answer=True, acknowledged_at__isnull=True,
        escalated_at__isnull=True, **{f"position__{k}": v for k, v in unit.items()},
    ).exclude(pk=notice.pk).update(must_answer=False)  # fmt: skip


# --- acknowledgement figures ----------------------------------------------------------------------------------------

ENTERPRISES, DEPARTMENTS, TERRITORIES_KIND = "enterprises", "departments", "territories"
UNIT_KINDS = (ENTERPRISES, DEPARTMENTS, TERRITORIES_KIND)


@dataclass
class Unit:
    kind: str
    pk: int
    name: str
    acknowledged_at: datetime | None


@dataclass
class KindFigures:
    total: int = 0
    acknowledged: int = 0
    pending: list[Unit] = field(default_factory=list)  # at most LIST_LIMIT
    pending_total: int = 0

    @property
    def more(self) -> int:
        return self.pending_total - len(self.pending)


@dataclass
class Acknowledgements:
    kinds: dict[str, KindFigures]

    @property
    def total(self) -> int:
        return sum(k.total for k in self.kinds.values())

    @property
    def acknowledged(self) -> int:
        return sum(k.acknowledged for k in self.kinds.values())


def _scope_q(actor: User) -> Q | None:
    """The recipients' units in the viewer's scope: a region's units under it, a department's enterprises and itself,
    an enterprise itself; None: nothing."""
    scope = Scope.for_user(actor)
    if scope.kind == ScopeKind.ALL:
        return Q()
    if scope.kind == ScopeKind.REGION:
        path = scope.region_path
        return (Q(position__enterprise__region__path__startswith=path)
                | Q(position__department__region__path__startswith=path)
                | Q(position__enterprise__isnull=True, position__department__isnull=True,
                    position__region__path__startswith=path))  # fmt: skip
    if scope.kind == ScopeKind.DEPARTMENT:
        return Q(position__enterprise__in=Enterprise.objects.visible_to(actor).values("pk")) | Q(
            position__department_id=scope.department_id
        )
    if scope.kind == ScopeKind.ENTERPRISE:
        return Q(position__enterprise_id=scope.enterprise_id)
    return None


def acknowledgements(actor: User, circular: Circular) -> Acknowledgements:
    """Per kind of unit (enterprises, departments, territories) in the viewer's scope: how many were told, how many
    acknowledged (any of its holders), and those that have not (the first `LIST_LIMIT` by name). One grouped query."""
    figures = {kind: KindFigures() for kind in UNIT_KINDS}
    where = _scope_q(actor)
    if where is None:
        return Acknowledgements(figures)
    rows = (
        Notification.objects.filter(where, key__startswith=f"{KIND}:{circular.pk}:", parent__isnull=True)
        .values("position__enterprise_id", "position__enterprise__name", "position__department_id",
                "position__department__name", "position__region_id", "position__region__name")
        .annotate(acked=Count("pk", filter=Q(acknowledged_at__isnull=False)),
                  first=Min("acknowledged_at"))
        .order_by("position__enterprise__name", "position__department__name", "position__region__name")
    )  # fmt: skip
    for row in rows:
        if row["position__enterprise_id"]:
            unit = Unit(ENTERPRISES, row["position__enterprise_id"], row["position__enterprise__name"], row["first"])
        elif row["position__department_id"]:
            unit = Unit(DEPARTMENTS, row["position__department_id"], row["position__department__name"], row["first"])
        else:
            unit = Unit(TERRITORIES_KIND, row["position__region_id"] or 0, row["position__region__name"] or "",
                        row["first"])  # fmt: skip
        kind = figures[unit.kind]
        kind.total += 1
        if row["acked"]:
            kind.acknowledged += 1
        else:
            kind.pending_total += 1
            if len(kind.pending) < LIST_LIMIT:
                kind.pending.append(unit)
    return Acknowledgements(figures)


# --- the pass-up's wording (registered in AccidentsConfig.ready) ---------------------------------------------------


def wording(notice: Notification, label: str) -> dict | None:
    """A circular's notice passed up: "警示通报未签收", naming the post that did not acknowledge, pointing at the
    circular's page; the superior answers within `PASS_UP_HOURS`."""
    if notice.kind != KIND:
        return None
    circular_id = int(notice.key.split(":")[1])
    with override(settings.LANGUAGE_CODE):
        title = one_line(_("Warning circular not acknowledged"), TITLE_LENGTH)
        who = notice.position.title if notice.position_id and notice.position else ""
        said = _("Not acknowledged in time by %(post)s.") % {"post": who} if who else _("Not acknowledged in time.")
        several = _("Not acknowledged in time by the units listed on the circular's page.")
    body = "\n".join([said, notice.title, notice.body])
    # Summed per person (notifications/answers.py): one notice for all the circular's units left silent that day.
    return {"title": title, "body": body, "link": link(circular_id) + "#pending",
            "answer_within": timedelta(hours=PASS_UP_HOURS), "group": f"{KIND}-{circular_id}",
            "group_body": "\n".join([several, notice.title])}  # fmt: skip


# --- for the lesson's page ------------------------------------------------------------------------------------------


def lesson_context(actor: User, lesson: Lesson) -> dict:
    """The context of `accidents/_lesson_circular.html` on the lesson's page: the lesson's circular (or None), its
    acknowledgement figures in the viewer's scope, what the viewer may do (`issue_circular`). Two queries at most."""
    circular = Circular.objects.filter(lesson_id=lesson.pk).first()
    return {
        "lesson_circular": circular,
        "lesson_circular_lesson_pk": lesson.pk,
        "circular_figures": acknowledgements(actor, circular) if circular else None,
        "circular_can": set() if circular else can(actor, lesson),
    }
