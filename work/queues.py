"""Each role's to-do queue: what is waiting for this person now, each thing linking to the object it concerns.

`build(user)` answers the home page and `GET /api/v1/me/queue/` alike. It returns one `Section` per role the
person holds (`ROLES`, decided by `organizations.roles`), in a fixed order; a person with several roles gets each
of their sections. An `Entry` is one kind of work with its `count`; where it has a `url`, that URL is the list page
that shows exactly those `count` rows (the hazard list with its own filter parameters, the inbox's "waiting for my
answer", the inspector's day, an enterprise's hazards to rectify, a roll call's report), so the number on the home
page and the list it opens never disagree (tests/work/test_queues.py holds this). An entry whose rows no list page
filters for (my findings, rejected rectifications, the listed hazards I supervise, late incident reports) has no
`url`: its `items` are then the whole list, up to `LIMIT`.

Every query starts from the person's visible scope (`Model.objects.visible_to(user)`; notices and duty shifts are
the person's own). The number of queries does not grow with the data: every hazard count of every section is one
aggregate over the visible hazards, the first items of every hazard entry one UNION ALL of ids and one read of
those hazards; notices, inspections, shifts and log items are one query each (a window count gives the total with
the first rows), the roll-call picture three, the tip-offs waiting for the person's unit one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import CharField, Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accidents import selfchecks
from duty_roster import rollcall
from duty_roster.models import DutyCheckIn, DutyLogEntry, DutyShift, IncidentReport, RollCall
from hazards import workflow
from hazards.choices import OPEN_STATUSES, Action, Level, Status
from hazards.models import Hazard, HazardEvent, LookBack, waiting_too_long
from inspections.choices import InspectionStatus
from inspections.models import Inspection
from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind
from organizations.models import PositionAssignment
from organizations.roles import holds_any, holds_in, is_city_office, is_enterprise
from risks import watch
from safety_platform.lib.errors import Conflict
from tipoffs import figures as tipoff_figures
from tipoffs import limits as tipoff_limits

# The first items shown under an entry; an entry without a list page shows up to LIMIT (its whole list).
ITEMS = 5
LIMIT = 20
LONG_OVERDUE_DAYS = 30

INSPECTOR = "inspector"
DEPARTMENT = "department"
ENTERPRISE = "enterprise"
TERRITORIAL_LEADER = "territorial_leader"
DUTY_OFFICER = "duty_officer"
CITY_OFFICE = "city_office"
ROLES = (INSPECTOR, DEPARTMENT, ENTERPRISE, TERRITORIAL_LEADER, DUTY_OFFICER, CITY_OFFICE)
# The roles whose units handle tip-offs (tipoffs.access): their first section lists what waits for the unit.
TIPOFF_ROLES = (DEPARTMENT, TERRITORIAL_LEADER, DUTY_OFFICER, CITY_OFFICE)


def held_roles(user) -> list[str]:
    """The roles whose section this person sees, in the order of `ROLES` (role predicates of organizations.roles;
    a superuser passes them all but the enterprise's)."""
    held = {
        INSPECTOR: holds_any(user, PositionKind.INSPECTOR),
        DEPARTMENT: holds_in(user, (UnitKind.DEPARTMENT,), PositionKind.DEPARTMENT_HEAD, PositionKind.DEPARTMENT_STAFF),
        ENTERPRISE: is_enterprise(user) and user.enterprise_id is not None,
        TERRITORIAL_LEADER: holds_any(user, PositionKind.TERRITORIAL_LEADER),
        DUTY_OFFICER: holds_any(user, PositionKind.DUTY_OFFICER),
        CITY_OFFICE: is_city_office(user),
    }
    return [role for role in ROLES if held[role]]


@dataclass
class Item:
    title: str
    url: str
    meta: str = ""
    due: datetime | None = None
    late: bool = False
    # A number the item stands for (a department's overdue hazards) and the list that shows exactly that many.
    count: int | None = None
    action: str = ""


@dataclass
class Entry:
    key: str
    label: str
    count: int | None
    url: str = ""
    items: list[Item] = field(default_factory=list)
    urgent: bool = False


@dataclass
class Section:
    role: str
    title: str
    entries: list[Entry] = field(default_factory=list)
    action_label: str = ""
    action_url: str = ""


# The step each open status waits for (whoever may take it sees it on the item).
NEXT_STEP = {
    Status.REPORTED: "confirm",
    Status.CONFIRMED: "submit_plan",
    Status.RECTIFYING: "submit_rectification",
    Status.AWAITING_ACCEPTANCE: "accept",
}


def step_labels() -> dict[str, str]:
    return {
        "confirm": _("Confirm"),
        "submit_plan": _("Submit rectification plan"),
        "submit_rectification": _("Submit rectification"),
        "accept": _("Accept and close"),
    }


def section_titles() -> dict[str, str]:
    return {
        INSPECTOR: _("My inspection work"),
        DEPARTMENT: _("My department's hazards"),
        ENTERPRISE: _("My enterprise's hazards"),
        TERRITORIAL_LEADER: _("My territory"),
        DUTY_OFFICER: _("My duty"),
        CITY_OFFICE: _("Today in the city"),
    }


def hazard_list(**params) -> str:
    return f"{reverse('hazards:list')}?{urlencode(params, doseq=True)}"


@dataclass
class _HazardAsk:
    """One hazard entry: the rows it counts (a Q on the visible hazards) and how its first items are ordered."""

    q: Q
    ordering: tuple
    items: int


class Builder:
    def __init__(self, user, now: datetime | None = None) -> None:
        self.user = user
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.midnight = timezone.make_aware(datetime.combine(self.today, datetime.min.time()))
        self.hazards = Hazard.objects.visible_to(user)
        self.asks: dict[str, _HazardAsk] = {}
        self.counts: dict[str, int] = {}
        self.items: dict[str, list[Hazard]] = {}

    # --- hazards: every count in one aggregate, every entry's first items in one union ------------------------

    def ask(self, key: str, q: Q, *ordering, items: int = ITEMS) -> None:
        self.asks[key] = _HazardAsk(q, ordering or (F("created_at").desc(), F("id").desc()), items)

    def run_hazards(self) -> None:
        if not self.asks:
            return
        any_of = reduce(or_, (a.q for a in self.asks.values()))
        totals = self.hazards.filter(any_of).aggregate(
            **{f"n_{key}": Count("id", filter=a.q) for key, a in self.asks.items()}
        )
        self.counts = {key: totals[f"n_{key}"] or 0 for key in self.asks}
        wanted = [key for key, a in self.asks.items() if a.items and self.counts[key]]
        if not wanted:
            return
        parts = [
            self.hazards.filter(self.asks[key].q)
            .annotate(bucket=Value(key, output_field=CharField()))
            .order_by(*self.asks[key].ordering)
            .values_list("id", "bucket")[: self.asks[key].items]
            for key in wanted
        ]
        if len(parts) > 1 and connections[self.hazards.db].features.supports_slicing_ordering_in_compound:
            pairs = list(parts[0].union(*parts[1:], all=True))
        else:  # SQLite (make run's embedded database) refuses LIMIT inside a UNION: one query per entry there
            pairs = [pair for part in parts for pair in part]
        rows = self.hazards.with_overdue().select_related("enterprise", "listing", "department")
        if "dept_look_backs" in wanted:  # the due day of a pending look-back, read with the same rows
            pending = LookBack.objects.pending().filter(hazard=OuterRef("pk"))
            rows = rows.annotate(look_back_due=Subquery(pending.values("due_on")[:1]),
                                 look_back_id=Subquery(pending.values("id")[:1]))  # fmt: skip
        rows = rows.in_bulk({pk for pk, _ in pairs})
        for key in wanted:
            ask = self.asks[key]
            picked = [rows[pk] for pk, bucket in pairs if bucket == key and pk in rows]
            self.items[key] = sorted(picked, key=_sort_key(ask.ordering))

    def hazard_entry(self, key: str, label: str, url: str = "", urgent: bool = False, due=None) -> Entry:
        count = self.counts.get(key, 0)
        own = key.startswith("ent_")  # an enterprise's own hazards: the place tells them apart, not the name
        items = [self.hazard_item(h, due, own, self.next_step(h)) for h in self.items.get(key, [])]
        return Entry(key, label, count, url, items, urgent=urgent and count > 0)

    @staticmethod
    def hazard_item(hazard: Hazard, due=None, own: bool = False, action: str = "") -> Item:
        deadline = due(hazard) if due else hazard.deadline
        meta = f"{hazard.place if own else hazard.enterprise.name} · {hazard.get_status_display()}"
        url = reverse("hazards:detail", args=[hazard.pk])
        return Item(hazard.title, url, meta, deadline, bool(hazard.is_overdue), action=action)

    def next_step(self, hazard: Hazard) -> str:
        """The step of the loop this person may take on the hazard now, by the hazard rules' own table
        (`workflow.RULES`, as `can()` reads it), asked for the one step its status waits for: no query (the rules
        of these steps read the person's positions, already read, and the hazard's department and listing)."""
        action = NEXT_STEP.get(hazard.status)
        if action is None:
            return ""
        rule = workflow.RULES[action]
        try:
            for state_check in rule.when:
                state_check(hazard)
            rule.who(self.user, hazard)
        except (PermissionDenied, Conflict):
            return ""
        return str(step_labels()[action])

    # --- notices to answer -------------------------------------------------------------------------------------

    def notices(self) -> tuple[Entry, Entry]:
        """Must-answer notices waiting for my answer (the inbox's `?unanswered=1`), and the roll calls among them."""
        mine = Notification.objects.filter(recipient=self.user, must_answer=True, acknowledged_at__isnull=True)
        roll_calls = Q(key__startswith="rollcall:")
        rows = list(
            mine.annotate(total=Window(Count("id")), calls=Window(Count("id", filter=roll_calls)))
            .order_by(F("answer_due_at").asc(nulls_last=True), "id")
            .only("id", "title", "answer_due_at", "key", "escalated_at")[:LIMIT]
        )
        total = rows[0].total if rows else 0
        calls = rows[0].calls if rows else 0

        def item(n: Notification) -> Item:
            late = n.answer_due_at is not None and n.answer_due_at < self.now
            return Item(n.title, reverse("notifications:detail", args=[n.pk]), "", n.answer_due_at, late,
                        action=_("Answer"))  # fmt: skip

        answer = Entry(
            "notices", _("Notices to answer"), total, f"{reverse('notifications:inbox')}?unanswered=1",
            [item(n) for n in rows[:ITEMS]], urgent=total > 0,
        )  # fmt: skip
        calls_entry = Entry(
            "roll_calls", _("Roll calls to answer"), calls, "",
            [item(n) for n in rows if n.key.startswith("rollcall:")], urgent=calls > 0,
        )  # fmt: skip
        return answer, calls_entry

    # --- the sections ------------------------------------------------------------------------------------------

    def build(self) -> list[Section]:
        roles = held_roles(self.user)
        overdue = Q(status__in=OPEN_STATUSES, deadline__lt=self.now)
        listed = Q(listing__isnull=False, listing__delisted_at__isnull=True)
        if INSPECTOR in roles:
            self.ask("insp_acceptance", Q(found_by=self.user, status=Status.AWAITING_ACCEPTANCE), items=LIMIT)
            self.ask("insp_recent", Q(found_by=self.user))
        if DEPARTMENT in roles:
            self.ask("dept_reported", Q(status=Status.REPORTED))
            self.ask("dept_acceptance", Q(status=Status.AWAITING_ACCEPTANCE), F("updated_at").asc(), "id")
            self.ask("dept_overdue", overdue, F("deadline").asc(), "id")
            # The department's own delays (docs/escalation.md): what it has not confirmed or accepted in time.
            self.ask("dept_late_confirm", waiting_too_long("confirmation", self.now), "created_at", "id")
            self.ask("dept_late_accept", waiting_too_long("acceptance", self.now), F("updated_at").asc(), "id")
            self.ask("dept_listed", listed, F("listing__deadline").asc(), "id")
            late_look_back = LookBack.objects.overdue(self.today).filter(hazard=OuterRef("pk"))
            self.ask("dept_look_backs", Q(Exists(late_look_back)), F("closed_at").asc(), "id")
        if ENTERPRISE in roles:
            mine = Q(enterprise_id=self.user.enterprise_id)
            self.ask("ent_rectify", mine & Q(status__in=OPEN_STATUSES), F("deadline").asc(nulls_last=True), "id")
            self.ask("ent_plans", mine & Q(status=Status.CONFIRMED), F("deadline").asc(nulls_last=True), "id")
            rejected = Exists(HazardEvent.objects.filter(hazard=OuterRef("pk"), action=Action.REJECT))
            self.ask("ent_rejected", mine & Q(status=Status.RECTIFYING) & Q(rejected), "-updated_at", "id", items=LIMIT)
        if TERRITORIAL_LEADER in roles:
            positions = PositionAssignment.objects.current().filter(user=self.user).values("position_id")
            self.ask("leader_listed", listed & Q(listing__supervising_leader_id__in=positions),
                     F("listing__deadline").asc(), "id", items=LIMIT)  # fmt: skip
            self.ask("leader_overdue", overdue, items=0)
        if CITY_OFFICE in roles:
            self.ask("city_major", Q(level=Level.MAJOR, created_at__gte=self.midnight))
            self.ask("city_overdue", overdue, F("deadline").asc(), "id", items=0)
            long_ago = self.now - timedelta(days=LONG_OVERDUE_DAYS)
            self.ask("city_long", Q(status__in=OPEN_STATUSES, deadline__lt=long_ago), F("deadline").asc(), "id")
        self.run_hazards()
        notices = self.notices() if {DEPARTMENT, ENTERPRISE, TERRITORIAL_LEADER, DUTY_OFFICER} & set(roles) else None
        titles = section_titles()
        sections = []
        for role in roles:
            section = Section(role, titles[role])
            getattr(self, f"section_{role}")(section, notices)
            sections.append(section)
        self.add_tipoffs(sections)
        return sections

    # --- tip-offs (#20, limits) ---

    def add_tipoffs(self, sections: list[Section]) -> None:
        """举报 waiting for the person's unit (tipoffs.limits.handled_by, the list's `handler=mine`): awaiting
        triage, past a time limit, awaiting the answer to the informant; in the first section of a role that handles
        them, each opening the list with the same filters. One query."""
        section = next((s for s in sections if s.role in TIPOFF_ROLES), None)
        if section is None:
            return
        counts = tipoff_limits.handler_counts(self.user, self.now)
        section.entries += [
            Entry("tipoffs_received", _("Tip-offs awaiting triage"), counts["received"],
                  tipoff_figures.list_url(state="received", handler="mine"), urgent=counts["received"] > 0),
            Entry("tipoffs_overdue", _("Overdue tip-offs"), counts["overdue"],
                  tipoff_figures.list_url(overdue=1, handler="mine"), urgent=counts["overdue"] > 0),
            Entry("tipoffs_feedback", _("Tip-offs awaiting the answer"), counts["feedback"],
                  tipoff_figures.list_url(state="verified", handler="mine")),
        ]  # fmt: skip

    # --- end tip-offs ---

    def section_inspector(self, section: Section, notices) -> None:
        members = Inspection.members.through.objects.filter(user_id=self.user.pk).values("inspection_id")
        mine = Inspection.objects.visible_to(self.user).filter(Q(lead=self.user) | Q(pk__in=members))
        # Exactly the inspector's day page (inspections:today): today's, and any still under way.
        current = list(
            mine.filter(Q(date=self.today) | Q(status=InspectionStatus.IN_PROGRESS))
            .annotate(total=Window(Count("id")))
            .select_related("enterprise", "version__template")
            .order_by("-date", "-id")[:LIMIT]
        )
        done = (InspectionStatus.SUBMITTED, InspectionStatus.CLOSED)
        items = []
        for i in current:
            if i.status in done:
                url, action = reverse("inspections:detail", args=[i.pk]), ""
            else:
                url, action = reverse("inspections:fill", args=[i.pk, 1]), _("Continue")
            items.append(Item(i.enterprise.name, url, f"{i.version.template.name} · {i.get_status_display()}",
                              action=action))  # fmt: skip
        going = next((i for i in current if i.status not in done), None)
        section.action_label = _("File a hazard")
        section.action_url = reverse("hazards:create") + (f"?enterprise={going.enterprise_id}" if going else "")
        section.entries = [
            Entry("inspections", _("Inspections today and under way"), current[0].total if current else 0,
                  reverse("inspections:today"), items[:ITEMS]),
            self.hazard_entry("insp_acceptance", _("My findings awaiting acceptance"), urgent=True),
            self.hazard_entry("insp_recent", _("My recent findings")),
        ]  # fmt: skip
        section.entries[-1].count = None  # the latest few, not a to-do

    def section_department(self, section: Section, notices) -> None:
        section.entries = [
            self.hazard_entry("dept_reported", _("Reported, awaiting confirmation"), hazard_list(status="reported"),
                              urgent=True),
            self.hazard_entry("dept_acceptance", _("Awaiting acceptance"), hazard_list(status="awaiting_acceptance"),
                              urgent=True),
            self.hazard_entry("dept_late_confirm", _("Not confirmed in time"), hazard_list(overdue_for="confirmation"),
                              urgent=True),
            self.hazard_entry("dept_late_accept", _("Not accepted in time"), hazard_list(overdue_for="acceptance"),
                              urgent=True),
            self.hazard_entry("dept_overdue", _("Overdue hazards"), hazard_list(is_overdue="true"), urgent=True),
            self.hazard_entry("dept_listed", _("Under listed supervision"), hazard_list(listed="true"),
                              due=lambda h: h.listing.deadline),
            self.look_back_entry(),
            *self.key_red_entry(),
            *self.spot_check_entry(),
            notices[0],
        ]  # fmt: skip

    def key_red_entry(self) -> list[Entry]:
        """Key units' red risk points (#17 item 7) the department sees, counted and listed in one query; the points
        list with the same filters shows exactly them (risks/watch.py). A watch, not a task: shown only when there
        are some."""
        points, count = watch.key_red_points(self.user, ITEMS)
        if not count:
            return []
        items = [Item(p.name, f"/risks/points/{p.pk}/", f"{p.enterprise.name} · {p.place}") for p in points]
        url = watch.points_link(**watch.key_red_query(self.user))
        return [Entry("dept_key_red", _("Red risk points of key units"), count, url, items, urgent=True)]

    def look_back_entry(self) -> Entry:
        """Closed major hazards whose look-back (回头看) is past its due day; each opens the page that records it."""
        url = f"{reverse('hazards:look-backs')}?state=overdue"
        entry = self.hazard_entry("dept_look_backs", _("Look-backs overdue"), url, urgent=True)
        hazards = self.items.get("dept_look_backs", [])
        for item, hazard in zip(entry.items, hazards, strict=True):
            item.url = reverse("hazards:look-back", args=[hazard.look_back_id])
            item.due = _end_of(hazard.look_back_due)
            item.late, item.action = True, _("Record the look-back")
        return entry

    def section_enterprise(self, section: Section, notices) -> None:
        to_rectify = reverse("hazards:to-rectify", args=[self.user.enterprise_id])
        section.entries = [
            self.hazard_entry("ent_rectify", _("Open hazards, the nearest deadline first"), to_rectify, urgent=True),
            self.hazard_entry("ent_plans", _("Rectification plans to submit"), hazard_list(status="confirmed"),
                              urgent=True),
            self.hazard_entry("ent_rejected", _("Rectifications sent back"), urgent=True),
            *self.lesson_task_entry(),
            notices[0],
        ]  # fmt: skip

    # --- accidents (#18), self-checks: the enterprise's comparison self-checks, the department's spot checks ---

    def lesson_task_entry(self) -> list[Entry]:
        """对照检查: the enterprise's self-checks not done, each opening its task page; urgent when one is overdue.
        `/lessons/mine/` lists exactly these as to do. Shown only when there are some; one query."""
        tasks, count = selfchecks.open_for_queue(self.user, ITEMS)
        if not count:
            return []
        items = [Item(t.lesson.title, reverse("lesson_tasks:task", args=[t.pk]), t.lesson.accident.title,
                      t.lesson.deadline, t.lesson.deadline <= self.now,
                      action=_("Continue") if t.inspection_id else _("Start"))
                 for t in tasks]  # fmt: skip
        urgent = any(item.late for item in items)
        return [Entry("ent_lesson_tasks", _("Comparison self-checks to do"), count, reverse("lesson_tasks:mine"),
                      items, urgent=urgent)]  # fmt: skip

    def spot_check_entry(self) -> list[Entry]:
        """抽查: the self-checks chosen for a spot check whose verdict is not recorded yet, each opening its lesson's
        spot checks. No list page filters exactly these, so the items are the whole list (up to LIMIT); one query."""
        tasks, count = selfchecks.spot_checks_for_queue(self.user, LIMIT)
        if not count:
            return []
        items = [Item(t.enterprise.name, reverse("lesson_tasks:spot-checks", args=[t.lesson_id]), t.lesson.title,
                      action=_("Record the spot check")) for t in tasks]  # fmt: skip
        return [Entry("dept_spot_checks", _("Spot checks to record"), count, "", items)]

    # --- end self-checks ---

    def section_territorial_leader(self, section: Section, notices) -> None:
        by_department = (
            self.hazards.filter(status__in=OPEN_STATUSES, deadline__lt=self.now)
            .values("department_id", "department__name")
            .annotate(n=Count("id"))
            .order_by("-n", "department__name")
        )
        items = [
            Item(
                row["department__name"] or _("No supervising department"),
                hazard_list(is_overdue="true", department=row["department_id"]) if row["department_id"] else "",
                count=row["n"],
            )
            for row in by_department[:LIMIT]
        ]
        overdue = self.hazard_entry("leader_overdue", _("Overdue on my territory, by department"),
                                    hazard_list(is_overdue="true"), urgent=True)  # fmt: skip
        overdue.items = items
        section.entries = [
            self.hazard_entry("leader_listed", _("Listed hazards I supervise"), due=lambda h: h.listing.deadline),
            overdue,
            notices[0],
        ]

    def section_duty_officer(self, section: Section, notices) -> None:
        shifts = list(
            DutyShift.objects.of(self.user)
            .filter(Q(date=self.today) | Q(starts_at__lte=self.now, ends_at__gt=self.now))
            .select_related("post")
            .prefetch_related(Prefetch("check_ins", DutyCheckIn.objects.filter(person=self.user), to_attr="mine"))
            .order_by("starts_at")
        )
        items = []
        for s in shifts:
            window = s.starts_at - timedelta(minutes=30) <= self.now <= s.ends_at
            mine = s.mine[0] if s.mine else None  # one's own check-in: each person checks in for themselves
            if mine and mine.verified:
                meta, action = (
                    _("checked in at %(time)s") % {"time": date_format(timezone.localtime(mine.at), "H:i")},
                    "",
                )
            elif mine:
                meta = _("checked in at %(time)s, unverified") % {
                    "time": date_format(timezone.localtime(mine.at), "H:i")
                }
                action = _("Check in") if window else ""
            elif window:
                meta, action = _("not checked in yet"), _("Check in")
            else:
                meta, action = _("not checked in yet"), ""
            url = reverse("duty_roster:my-duty") if action else reverse("duty_roster:shift", args=[s.pk])
            span = f"{_hm(s.starts_at)}–{_hm(s.ends_at)}"
            items.append(Item(str(s.post), url, f"{span} · {meta}", action=action))
        standing = DutyShift.objects.of(self.user).filter(date__gte=self.today - timedelta(days=1), handed_over_at=None)
        entries = list(
            DutyLogEntry.objects.filter(shift__in=standing.values("pk"), open_item=True, closed_at__isnull=True)
            .annotate(total=Window(Count("id")))
            .order_by("at", "id")[:LIMIT]
        )
        log = [Item(e.text[:80], reverse("duty_roster:shift", args=[e.shift_id]), _hm(e.at)) for e in entries]
        section.entries = [
            Entry("shifts", _("My shift today"), len(items), "", items, urgent=any(i.action for i in items)),
            Entry("log", _("Open items in the duty log"), entries[0].total if entries else 0, "", log),
            notices[1],
        ]  # fmt: skip

    def section_city_office(self, section: Section, notices) -> None:
        entries = [
            self.hazard_entry("city_major", _("New major hazards today"),
                              hazard_list(level="major", created_after=self.today.isoformat()), urgent=True),
            self.hazard_entry("city_overdue", _("Overdue hazards"), hazard_list(is_overdue="true")),
            self.hazard_entry("city_long", _("Overdue by more than %(days)d days") % {"days": LONG_OVERDUE_DAYS},
                              hazard_list(overdue_days_min=LONG_OVERDUE_DAYS), urgent=True),
        ]  # fmt: skip
        roll = RollCall.objects.filter(called_at__gte=self.midnight).order_by("-called_at").first()
        if roll is not None:
            rows = rollcall.report(roll)
            answered = sum(1 for r in rows if r.answered_at)
            label = _("Roll call at %(time)s: %(answered)d of %(total)d posts answered") % {
                "time": _hm(roll.called_at), "answered": answered, "total": len(rows)}  # fmt: skip
            missing = [
                Item(str(r.position), reverse("duty_roster:roll-call", args=[roll.pk]),
                     _("nobody reachable") if r.flagged else _("late") if r.answered_at else _("no answer yet"),
                     late=True)
                for r in rows if r.late
            ]  # fmt: skip
            entries.append(Entry("roll_call", label, len(rows), reverse("duty_roster:roll-call", args=[roll.pk]),
                                 missing[:ITEMS], urgent=bool(missing)))  # fmt: skip
        late = list(
            IncidentReport.objects.visible_to(self.user)
            .filter(first_report=None, delay_minutes__gt=0, reported_at__gte=self.midnight)
            .annotate(total=Window(Count("id")))
            .order_by("-reported_at", "-id")[:LIMIT]
        )
        entries.append(
            Entry("late_reports", _("Incident reports made late today"), late[0].total if late else 0, "",
                  [Item(f"{r.place} · {r.get_kind_display()}", reverse("duty_roster:incident", args=[r.pk]),
                        _("%(minutes)d minutes late") % {"minutes": r.delay_minutes}, late=True)
                   for r in late], urgent=bool(late))
        )  # fmt: skip
        section.entries = entries


def _end_of(day) -> datetime:
    """The last minute of a due day, as the queue shows a due moment."""
    return timezone.make_aware(datetime.combine(day, datetime.max.time().replace(second=0, microsecond=0)))


def _hm(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "H:i")


def _sort_key(ordering):
    """Python's order of the items the union returned (a union does not keep each part's ORDER BY)."""

    def key(hazard: Hazard):
        values = []
        for term in ordering:
            name, descending = _term(term)
            value = _value(hazard, name)
            values.append(_Directed(value, descending))
        return values

    return key


def _term(term) -> tuple[str, bool]:
    if isinstance(term, str):
        return term.lstrip("-"), term.startswith("-")
    return term.expression.name, term.descending


def _value(hazard: Hazard, name: str):
    obj = hazard
    for part in name.split("__"):
        obj = getattr(obj, part, None) if obj is not None else None
    return obj


class _Directed:
    """Compares with None last, either way round."""

    def __init__(self, value, descending: bool) -> None:
        self.value, self.descending = value, descending

    def __lt__(self, other: _Directed) -> bool:
        if self.value is None or other.value is None:
            return self.value is not None and other.value is None
        return self.value > other.value if self.descending else self.value < other.value

    def __eq__(self, other) -> bool:
        return isinstance(other, _Directed) and self.value == other.value


def build(user, now: datetime | None = None) -> list[Section]:
    """The person's queue: a section for each role they hold (none for a person without a unit)."""
    return Builder(user, now).build()
