"""Who may do what to a hazard, and in which states: one table, `RULES`, read by the transitions and by `can()`.

Each action has a role check (`who`, raising PermissionDenied: 403) and state checks (`when`, each raising
Conflict: 409). A transition calls `check_who` and `check_when` for its own action where its order of refusals
wants them (404, then 403, then 409, then 400, unless its docstring says otherwise); `can()` asks the same table
for every action, so an action offered on a page or by the API is exactly one its function accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.choices import PositionKind, UnitKind
from organizations.models import Department, PositionAssignment, Region, User
from organizations.roles import (
    DEPARTMENT_STAFF,
    ENTERPRISE_STAFF,
    GOVERNMENT_STAFF,
    SUPERVISORS,
    is_enterprise,
    is_enterprise_staff_of,
)
from organizations.scope import Scope
from safety_platform.lib.errors import Conflict
from workdays.calendar import local_date

from .. import listing_clock
from ..choices import OPEN_STATUSES, Authority, Level, Status
from ..models import Hazard, ListedSupervision
from ._common import _deny, _require, _require_status

# --- role checks (403) ---------------------------------------------------------------------------------------


def require_filer(actor: User) -> bool:
    """Government staff file hazards; an enterprise's principal or safety manager files its self-checks.
    Returns whether the actor files for an enterprise."""
    for_enterprise = is_enterprise(actor)
    _require(actor, *(ENTERPRISE_STAFF if for_enterprise else GOVERNMENT_STAFF))
    return for_enterprise


def _require_government(actor: User, hazard: Hazard) -> None:
    _require(actor, *GOVERNMENT_STAFF)


def _require_enterprise(actor: User, hazard: Hazard) -> None:
    if not is_enterprise_staff_of(actor, hazard.enterprise_id):
        _deny(_("Only the enterprise's principal person or safety manager can do this."))


def _require_worker(actor: User, hazard: Hazard) -> None:
    """Whoever works on the hazard: its enterprise's people, or government staff."""
    if actor.unit_kind == UnitKind.ENTERPRISE:
        _require_enterprise(actor, hazard)
    else:
        _require_government(actor, hazard)


def _require_finder(actor: User, hazard: Hazard) -> None:
    """Who may add a repeated finding to an open hazard: whoever may file one and works on this one."""
    require_filer(actor)
    _require_worker(actor, hazard)


def _require_acceptor(actor: User, hazard: Hazard) -> None:
    """Acceptance is by the supervising department (the listing one for a listed major hazard), never by
    whoever rectified."""
    if actor.pk == hazard.rectified_by_id:
        _deny(_("Whoever rectified a hazard cannot accept it."))
    if actor.is_superuser:
        return
    listing = getattr(hazard, "listing", None)
    if listing and listing.department_id:
        accepted = {listing.department_id}  # a listed major hazard: the department that listed it, no other
    elif hazard.department:
        accepted = {hazard.department_id, hazard.department.mirrors_id}  # or the city department it mirrors
    else:
        accepted = set()
    if not (actor.department_id in accepted and actor.holds(*DEPARTMENT_STAFF)):
        _deny(_("Only the supervising department can accept or reject this hazard."))


def _require_deadline_approver(actor: User, hazard: Hazard) -> None:
    """The head of the supervising department (or of the department it is mirrored by), or the city office."""
    _require(actor, *SUPERVISORS)
    if actor.unit_kind == UnitKind.DEPARTMENT and hazard.department_id not in (
        actor.department_id,
        *Department.objects.filter(pk=actor.department_id).values_list("mirrored_by", flat=True),
    ):
        _deny(_("Only the head of the supervising department or the city office can extend the deadline."))


def _require_city_office_staff(actor: User, hazard: Hazard) -> None:
    _require(actor, PositionKind.CITY_OFFICE_STAFF)


def _listing_authority(actor: User, authority: str) -> tuple[Department | None, Region | None]:
    """The department or government an actor lists (or de-lists) for at this authority level, or 403."""
    if actor.is_superuser:
        return actor.department, actor.region
    if authority == Authority.DEPARTMENT and actor.unit_kind == UnitKind.DEPARTMENT:
        _require(actor, PositionKind.DEPARTMENT_HEAD)
        return actor.department, None
    if authority == Authority.GOVERNMENT and actor.unit_kind in (UnitKind.GOVERNMENT, UnitKind.CITY_OFFICE):
        _require(actor, PositionKind.TERRITORIAL_LEADER, PositionKind.CITY_OFFICE_STAFF)
        return None, actor.region
    _deny(_("Your unit cannot list hazards for supervision at this authority level."))
    return None, None


def own_authority(actor: User) -> str:
    """The authority level an actor's unit lists at: a department for its department, else the government."""
    return Authority.DEPARTMENT if actor.unit_kind == UnitKind.DEPARTMENT else Authority.GOVERNMENT


def _require_lister(actor: User, hazard: Hazard) -> None:
    _listing_authority(actor, own_authority(actor))


def _require_delister(actor: User, hazard: Hazard) -> None:
    """At the authority level of the hazard's active listing (`_listed` comes first)."""
    _listing_authority(actor, hazard.listing.authority)


def _require_listing_leader(actor: User, hazard: Hazard) -> None:
    """Whoever holds the listing's supervising-leader position now (`_listed` comes first)."""
    leader = hazard.listing.supervising_leader_id
    if not PositionAssignment.objects.current().filter(position_id=leader, user=actor).exists():
        _deny(_("Only the supervising leader of this listing can record the leader's actions."))


def _require_listing_authority(actor: User, hazard: Hazard) -> None:
    """The department or government that listed the hazard, at its own level: the listing department's head, or a
    territorial leader of the listing region or the city office (`_listed` comes first)."""
    listing = hazard.listing
    if actor.is_superuser:
        return
    if listing.department_id:
        if actor.department_id == listing.department_id and actor.holds(PositionKind.DEPARTMENT_HEAD):
            return
    elif actor.holds(PositionKind.CITY_OFFICE_STAFF) or (
        actor.region_id == listing.region_id and actor.holds(PositionKind.TERRITORIAL_LEADER)
    ):
        return
    _deny(_("Only the department or government that listed this hazard can do this."))


# --- state checks (409) --------------------------------------------------------------------------------------


def _in(*statuses: str) -> Callable[[Hazard], None]:
    def check(hazard: Hazard) -> None:
        _require_status(hazard, *statuses)

    return check


def active_listing(hazard: Hazard) -> ListedSupervision | None:
    """The hazard's listing while it is listed (the related row, read once and kept on the hazard)."""
    listing = getattr(hazard, "listing", None)
    return listing if listing is not None and listing.is_active else None


def _major_to_list(hazard: Hazard) -> None:
    if hazard.level != Level.MAJOR:
        raise Conflict(_("Only a major hazard is put under listed supervision."))


def _not_listed(hazard: Hazard) -> None:
    if active_listing(hazard) is not None:
        raise Conflict(_("This hazard is already under listed supervision."))


def _listed(hazard: Hazard) -> None:
    if active_listing(hazard) is None:
        raise Conflict(_("This hazard is not under listed supervision."))


def _order_unpublished(hazard: Hazard) -> None:
    if hazard.listing.order_published_at is not None:
        raise Conflict(_("The rectification order of this listing is already published."))


def _not_listed_to_extend(hazard: Hazard) -> None:
    if active_listing(hazard) is not None:
        raise Conflict(
            _("A listed major hazard's deadline is extended only by the listing authority, on the enterprise's ask.")
        )


def _no_extension_pending(hazard: Hazard) -> None:
    if hazard.listing.extension_pending:
        raise Conflict(_("An extension is already asked and waits for the listing authority's decision."))


def _in_time_to_ask(hazard: Hazard) -> None:
    """An extension is asked at least `EXTENSION_ASK_WORKING_DAYS` working days before the listing's deadline."""
    last = listing_clock.last_ask_day(hazard.listing.deadline)
    if local_date(timezone.now()) > last:
        raise Conflict(
            _(
                "An extension must be asked at least %(days)d working days before the listing's deadline "
                "%(deadline)s: the last day to ask was %(last)s."
            )
            % {
                "days": settings.EXTENSION_ASK_WORKING_DAYS,
                "deadline": local_date(hazard.listing.deadline).isoformat(),
                "last": last.isoformat(),
            }
        )


def _extension_pending(hazard: Hazard) -> None:
    if not hazard.listing.extension_pending:
        raise Conflict(_("No extension of this listing is waiting for a decision."))


def _open_to_reassign(hazard: Hazard) -> None:
    if hazard.status not in OPEN_STATUSES:
        raise Conflict(_("Only an open hazard's responsibility can change."))


def _major_to_evaluate(hazard: Hazard) -> None:
    if hazard.level != Level.MAJOR:
        raise Conflict(_("Only a major hazard's rectification is evaluated."))


# --- the table -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    who: Callable[[User, Hazard], None]
    when: tuple[Callable[[Hazard], None], ...]


_UNDER_WAY = (Status.CONFIRMED, Status.RECTIFYING, Status.AWAITING_ACCEPTANCE)

RULES: dict[str, Rule] = {
    "confirm": Rule(_require_government, (_in(Status.REPORTED),)),
    "dismiss": Rule(_require_government, (_in(Status.REPORTED, Status.CONFIRMED),)),
    "submit_plan": Rule(_require_enterprise, (_in(Status.CONFIRMED, Status.RECTIFYING),)),
    "submit_rectification": Rule(_require_enterprise, (_in(Status.RECTIFYING),)),
    "accept": Rule(_require_acceptor, (_in(Status.AWAITING_ACCEPTANCE),)),
    "reject": Rule(_require_acceptor, (_in(Status.AWAITING_ACCEPTANCE),)),
    "extend_deadline": Rule(_require_deadline_approver, (_in(*_UNDER_WAY), _not_listed_to_extend)),
    "reopen": Rule(_require_government, (_in(Status.CLOSED),)),
    "list_supervision": Rule(_require_lister, (_major_to_list, _in(*_UNDER_WAY), _not_listed)),
    "delist": Rule(_require_delister, (_listed, _in(Status.CLOSED, Status.DISMISSED))),
    "publish_order": Rule(_require_listing_authority, (_listed, _order_unpublished)),
    "leader_action": Rule(_require_listing_leader, (_listed,)),
    "ask_extension": Rule(_require_enterprise, (_listed, _in(*_UNDER_WAY), _no_extension_pending, _in_time_to_ask)),
    "decide_extension": Rule(_require_listing_authority, (_listed, _extension_pending)),
    "reassign": Rule(_require_city_office_staff, (_open_to_reassign,)),
    "add_photos": Rule(_require_worker, (_in(*OPEN_STATUSES),)),
    "add_finding": Rule(_require_finder, (_in(*OPEN_STATUSES),)),
    "attach_evaluation": Rule(
        _require_worker, (_in(Status.RECTIFYING, Status.AWAITING_ACCEPTANCE), _major_to_evaluate)
    ),
}
ACTIONS = tuple(RULES)


def check_who(actor: User, hazard: Hazard, action: str) -> None:
    RULES[action].who(actor, hazard)


def check_when(hazard: Hazard, action: str) -> None:
    for check in RULES[action].when:
        check(hazard)


def check(actor: User, hazard: Hazard, action: str) -> None:
    """The role (403), then the state (409): the order most actions refuse in."""
    check_who(actor, hazard, action)
    check_when(hazard, action)


def can(actor: User, hazard: Hazard) -> set[str]:
    """The actions the actor may take on the hazard now: pages show only these, the API offers them."""
    if Scope.for_user(actor).kind == "none":
        return set()
    return {action for action, rule in RULES.items() if _passes(rule, actor, hazard)}


def _passes(rule: Rule, actor: User, hazard: Hazard) -> bool:
    try:
        for state_check in rule.when:  # the state first: it costs no query
            state_check(hazard)
        rule.who(actor, hazard)
    except (PermissionDenied, Conflict):
        return False
    return True
