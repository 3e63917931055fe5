"""Who a version of a warning goes to, derived when it is sent (never picked by hand), and the fan-out through the
outbox. See docs/warnings.md.

Recipient posts, for the warning's areas:

1. the regions covered: each area as given, and below it its county-level regions (a city-wide warning reaches every
   county's government); a warning of a level in `settings.WARNING_TOWNSHIP_LEVELS` (orange and red) reaches the
   townships and streets too, as DOMAIN.md asks of a high-level warning ("down to township and village"; villages are
   not regions here);
2. of each region covered, its territorial leader posts and its government's duty-officer post;
3. the departments the kind concerns (`settings.WARNING_DEPARTMENTS`, by the suffix of the department's code) that sit
   in a region covered or above an area: each one's duty-officer post, or its head's where it has none;
4. with `include_key_units`, the principal posts of the key units in the areas whose industry those departments
   supervise (a sector covers its industries).

Each post gets one `WarningRecipient`, and each of its current holders a must-answer notice keyed
`warning:<warning>:<post>:<person>` (the duty four-failures report counts them). A post nobody holds is recorded with
`nobody=True` (silent from the start) and its notice goes at once where the pass-up would send it: the holders of its
superior post, else the city office's staff, with the vacancy named. Safety tips (`warningtip`, no answer) go to the
principal and safety-manager holders of every enterprise in the areas. Everything in a handful of statements whatever
the count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import override

from notifications.models import TITLE_LENGTH
from notifications.outbox import Outbox
from organizations.choices import PositionKind, RegionLevel, UnitKind
from organizations.models import Department, Enterprise, Industry, Position, PositionAssignment, Region, User
from organizations.responsibility import city_office_staff_positions
from safety_platform.lib.text import one_line

from .choices import RecipientRole, WarningKind, WarningLevel
from .models import EarlyWarning, WarningRecipient

COUNTY_LEVELS = (RegionLevel.COUNTY, RegionLevel.DISTRICT, RegionLevel.ZONE)
TOWNSHIP_LEVELS = (RegionLevel.TOWNSHIP, RegionLevel.STREET)
ENTERPRISE_POSTS = (PositionKind.ENTERPRISE_PRINCIPAL, PositionKind.ENTERPRISE_SAFETY_MANAGER)


@dataclass
class Post:
    """One recipient post of a version and why it receives it."""

    post: Position
    role: str
    region: Region
    department: Department | None = None
    enterprise: Enterprise | None = None


def covered_regions(areas: list[Region], level: str = "") -> list[Region]:
    """The areas as given and their county-level regions below them; for a high-level warning (its level in
    `WARNING_TOWNSHIP_LEVELS`) their townships and streets too."""
    if not areas:
        return []
    levels = COUNTY_LEVELS + (TOWNSHIP_LEVELS if level in settings.WARNING_TOWNSHIP_LEVELS else ())
    below = Q()
    for area in areas:
        below |= Q(path__startswith=area.path, level__in=levels)
    return list(Region.objects.filter(Q(pk__in=[a.pk for a in areas]) | below).order_by("path"))


def in_areas(areas: list[Region], field: str = "region__path") -> Q:
    """Rows whose region lies in one of the areas (the area itself or below it)."""
    where = Q(pk__in=[])
    for area in areas:
        where |= Q(**{f"{field}__startswith": area.path})
    return where


def concerned_departments(kind: str, areas: list[Region], covered: list[Region]):
    """The departments the kind concerns, sitting in a region covered or above one of the areas."""
    suffixes = settings.WARNING_DEPARTMENTS.get(kind, ())
    if not suffixes:
        return Department.objects.none()
    codes = {code for area in areas for code in area.ancestor_codes()} | {r.code for r in covered}
    departments = Department.objects.filter(region__code__in=codes)
    if "*" in suffixes:
        return departments
    match = Q(pk__in=[])
    for suffix in suffixes:
        match |= Q(code=suffix) | Q(code__endswith=f"-{suffix}")
    return departments.filter(match)


def derive(warning: EarlyWarning, areas: list[Region], include_key_units: bool = False) -> list[Post]:
    """The recipient posts of a version (see the module's docstring); three queries whatever the count."""
    covered = covered_regions(areas, warning.level)
    departments = concerned_departments(warning.kind, areas, covered)
    where = Q(unit_kind=UnitKind.GOVERNMENT, region__in=covered,
              kind__in=[PositionKind.TERRITORIAL_LEADER, PositionKind.DUTY_OFFICER])  # fmt: skip
    where |= Q(department__in=departments, kind__in=[PositionKind.DUTY_OFFICER, PositionKind.DEPARTMENT_HEAD])
    if include_key_units:
        supervised = Department.industries.through.objects.filter(department__in=departments).values("industry_id")
        industries = Industry.objects.filter(Q(pk__in=supervised) | Q(parent__in=supervised)).values("pk")
        key_units = Enterprise.objects.filter(in_areas(areas), is_key_unit=True, industry__in=industries)
        where |= Q(kind=PositionKind.ENTERPRISE_PRINCIPAL, enterprise__in=key_units.values("pk"))
    positions = Position.objects.filter(where).select_related("region", "department__region", "enterprise__region")
    return _posts(positions.order_by("id"))


def _posts(positions) -> list[Post]:
    posts: list[Post] = []
    department_posts: dict[int, Position] = {}
    for position in positions:
        if position.department_id:
            # A department's duty-officer post, or its head's where it has none.
            chosen = department_posts.get(position.department_id)
            if chosen is None or (
                chosen.kind != PositionKind.DUTY_OFFICER and position.kind == PositionKind.DUTY_OFFICER
            ):
                department_posts[position.department_id] = position
        elif position.enterprise_id:
            posts.append(Post(position, RecipientRole.KEY_UNIT, position.enterprise.region,
                              enterprise=position.enterprise))  # fmt: skip
        elif position.kind == PositionKind.TERRITORIAL_LEADER:
            posts.append(Post(position, RecipientRole.TERRITORIAL_LEADER, position.region))
        else:
            posts.append(Post(position, RecipientRole.GOVERNMENT_DUTY, position.region))
    posts += [Post(p, RecipientRole.DEPARTMENT_DUTY, p.department.region, department=p.department)
              for p in department_posts.values()]  # fmt: skip
    return posts


# --- the fan-out ----------------------------------------------------------------------------------------------


def answer_limit(level: str) -> timedelta:
    return timedelta(minutes=settings.WARNING_ANSWER_MINUTES[level])


def wording(warning: EarlyWarning) -> tuple[str, str]:
    """The notice's title and body, in the default language (notices are stored once for everyone)."""
    with override(settings.LANGUAGE_CODE):
        title = _("%(kind)s %(level)s warning: %(title)s") % {
            "kind": WarningKind(warning.kind).label, "level": WarningLevel(warning.level).label, "title": warning.title,
        }  # fmt: skip
        minutes = settings.WARNING_ANSWER_MINUTES[warning.level]
        lines = [warning.change_note, warning.text, warning.measures,
                 _("Answer within %(minutes)d minutes, with the measures taken.") % {"minutes": minutes}]  # fmt: skip
    return one_line(title, TITLE_LENGTH), "\n".join(line for line in lines if line)


def answer_link(warning: EarlyWarning) -> str:
    return f"/warnings/{warning.pk}/answer/"


class Holders:
    """The current active holders of the posts, their superiors and the city office's staff: one query."""

    def __init__(self, posts: list[Position]) -> None:
        staff = list(city_office_staff_positions())
        ids = {p.pk for p in posts} | {p.superior_id for p in posts if p.superior_id} | {p.pk for p in staff}
        self.people: dict[int, list[User]] = defaultdict(list)
        for assignment in (
            PositionAssignment.objects.current()
            .filter(position_id__in=ids, user__is_active=True)
            .select_related("user")
            .order_by("position_id", "user_id")
        ):
            self.people[assignment.position_id].append(assignment.user)
        self.staff = [(user, position) for position in staff for user in self.people.get(position.pk, [])]

    def of(self, post: Position) -> list[User]:
        return self.people.get(post.pk, [])

    def standing_in(self, post: Position) -> tuple[list[tuple[User, Position]], str]:
        """Who is told in a vacant post's place, as the pass-up would: its superior's holders, else the city
        office's staff; and the vacancy named."""
        with override(settings.LANGUAGE_CODE):
            note = _("%(post)s is vacant: told to you in its place.") % {"post": post}
        superior = post.superior
        if superior is not None and self.people.get(superior.pk):
            return [(user, superior) for user in self.people[superior.pk]], note
        return list(self.staff), note


def fan_out(warning: EarlyWarning, posts: list[Post], now: datetime, outbox: Outbox) -> list[WarningRecipient]:
    """One `WarningRecipient` per post and one must-answer notice per holder (a vacant post's to those standing in);
    the caller flushes the outbox."""
    holders = Holders([p.post for p in posts])
    due = now + answer_limit(warning.level)
    title, body = wording(warning)
    link = answer_link(warning)
    rows = []
    standing: dict[tuple[User, Position], list[str]] = {}
    for each in posts:
        people = holders.of(each.post)
        rows.append(WarningRecipient(
            # Ids, not instances: setting 2,000 related objects costs more than the INSERT.
            warning_id=warning.pk, post_id=each.post.pk, role=each.role, region_id=each.region.pk,
            region_path=each.region.path, department_id=each.department.pk if each.department else None,
            enterprise_id=each.enterprise.pk if each.enterprise else None, sent_at=now, answer_due_at=due,
            nobody=not people, passed_up_at=None if people else now,
        ))  # fmt: skip
        for user in people:
            outbox.add(f"warning:{warning.pk}:{each.post.pk}:{user.pk}", user, each.post, title=title, body=body,
                       link=link, answer_within=due - now)  # fmt: skip
        if not people:
            pairs, note = holders.standing_in(each.post)
            for user, position in pairs:
                standing.setdefault((user, position), []).append(note)
    # Those standing in for several vacant posts get one notice (one key per post and person) naming them all.
    for (user, position), notes in standing.items():
        outbox.add(f"warning:{warning.pk}:{position.pk}:{user.pk}", user, position, title=title,
                   body="\n".join([body, *notes]), link=link, vacancy_note=" ".join(notes),
                   answer_within=due - now)  # fmt: skip
    return WarningRecipient.objects.bulk_create(rows)


def tell_enterprises(warning: EarlyWarning, areas: list[Region], now: datetime, outbox: Outbox) -> int:
    """The safety tips, to the principal and safety-manager holders of every enterprise in the areas (no answer)."""
    if not warning.tips:
        return 0
    with override(settings.LANGUAGE_CODE):
        title = _("Safety tips: %(title)s") % {"title": warning.title}
    assignments = (
        PositionAssignment.objects.current()
        .filter(in_areas(areas, "position__enterprise__region__path"), position__kind__in=ENTERPRISE_POSTS,
                user__is_active=True)
        .select_related("user", "position")
    )  # fmt: skip
    told = 0
    for assignment in assignments:
        key = f"warningtip:{warning.pk}:{assignment.position_id}:{assignment.user_id}"
        told += outbox.add(key, assignment.user, assignment.position, title=one_line(title, TITLE_LENGTH),
                           body=warning.tips, link="/public/warnings/")  # fmt: skip
    return told


def tell_lifted(lifting: EarlyWarning, previous: EarlyWarning, now: datetime, outbox: Outbox) -> int:
    """The lifting, to the current holders of the previous version's posts: nothing to answer."""
    posts = [r.post for r in previous.recipients.select_related("post")]
    holders = Holders(posts)
    with override(settings.LANGUAGE_CODE):
        title = _("Lifted: %(title)s") % {"title": previous.title}
    told = 0
    for post in posts:
        for user in holders.of(post):
            told += outbox.add(f"warninglift:{lifting.pk}:{post.pk}:{user.pk}", user, post,
                               title=one_line(title, TITLE_LENGTH), body=lifting.change_note,
                               link=f"/warnings/{lifting.pk}/")  # fmt: skip
    return told
