"""The notice at each hand-off of the hazard loop, and the page's message naming who was told.

Each change of state that hands the hazard to someone else tells them through the outbox
(`notifications.outbox.notify`), inside the transition's transaction, keyed by the transition's timeline event
(`<kind>:<event id>:<user id>`): a rolled-back transition tells nobody, a retried one tells once, and the e-mail and
gateway deliveries leave only after the commit. Who is told is decided by position, as the escalation does
(docs/notices.md):

| hand-off | kind | told |
| --- | --- | --- |
| filed | `hz_filed` | the supervising department: holders of its head and staff positions |
| confirmed (a deadline) | `hz_confirmed` | the enterprise principal (vacant: its safety managers) |
| plan submitted | `hz_plan` | the supervising department |
| rectification submitted | `hz_rectified` | whoever may accept: the accepting department's inspectors, staff and head |
| rejected | `hz_rejected` | the enterprise (principal and safety managers), with the reason |
| accepted and closed | `hz_closed` | the filer |
| dismissed | `hz_dismissed` | the filer |
| deadline extended, reopened | `hz_extended`, `hz_reopened` | the enterprise principal |
| department changed | `hz_reassigned` | the new supervising department |
| listed for supervision | `hz_listed` | the supervising leader |
| rectification order published | `hz_order` | the enterprise principal |
| extension of a listing asked | `hz_ext_asked` | the listing authority (its department head or region leaders) |
| extension of a listing approved or refused | `hz_ext_decided` | the enterprise principal |

A vacant department passes to the territorial leader, then the city office (the escalation's ladder). The actor is
never told of their own action. The transition leaves what it did on the hazard (`hazard.handoff`), from which
`message()` words the page's "what happened and who is next", so the message names exactly the people the notices
went to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext

from notifications import kinds
from notifications.models import TITLE_LENGTH
from notifications.outbox import notify
from organizations.choices import PositionKind
from organizations.models import Position, PositionAssignment, User
from organizations.responsibility import city_office_position
from organizations.roles import DEPARTMENT_STAFF, ENTERPRISE_STAFF
from safety_platform.lib.text import one_line

from ..choices import Action, Status
from ..models import Hazard, HazardEvent, ListedSupervision

KINDS = {
    Action.FILE: ("hz_filed", gettext_lazy("A new hazard to confirm")),
    Action.CONFIRM: ("hz_confirmed", gettext_lazy("A hazard confirmed for rectification")),
    Action.SUBMIT_PLAN: ("hz_plan", gettext_lazy("A rectification plan submitted")),
    Action.SUBMIT_RECTIFICATION: ("hz_rectified", gettext_lazy("A rectification to accept")),
    Action.REJECT: ("hz_rejected", gettext_lazy("A rectification rejected")),
    Action.ACCEPT: ("hz_closed", gettext_lazy("A hazard I filed closed")),
    Action.DISMISS: ("hz_dismissed", gettext_lazy("A hazard I filed dismissed")),
    Action.EXTEND_DEADLINE: ("hz_extended", gettext_lazy("A rectification deadline extended")),
    Action.REOPEN: ("hz_reopened", gettext_lazy("A closed hazard reopened")),
    Action.REASSIGN: ("hz_reassigned", gettext_lazy("A hazard handed to my department")),
    Action.LIST_SUPERVISION: ("hz_listed", gettext_lazy("A hazard listed under my supervision")),
    Action.PUBLISH_ORDER: ("hz_order", gettext_lazy("A rectification order published")),
    Action.ASK_EXTENSION: ("hz_ext_asked", gettext_lazy("An extension of a listing to decide")),
    Action.EXTENSION_APPROVED: ("hz_ext_decided", gettext_lazy("An extension of a listing decided")),
    Action.EXTENSION_REFUSED: ("hz_ext_decided", gettext_lazy("An extension of a listing decided")),
}


def register_kinds() -> None:
    """The hand-off kinds, each mutable: none of them must be answered (the escalation's are, and are not)."""
    for code, label in KINDS.values():
        kinds.register(code, label)


@dataclass
class Handoff:
    """Who a change handed the hazard to: the role (words made in the reader's language), the people told."""

    role: str  # department, acceptors, principal, safety_manager, enterprise, filer, leader, territorial, city
    unit: str = ""
    people: list[User] = field(default_factory=list)
    vacant: str = ""  # the role nobody held, when the notice went up the ladder
    yourself: bool = False  # the actor holds the role: nobody else to tell

    def role_text(self) -> str:
        words = {
            "department": _("the supervising department %(unit)s"),
            "acceptors": _("those who may accept at %(unit)s"),
            "principal": _("the enterprise principal"),
            "safety_manager": _("the enterprise safety manager"),
            "enterprise": _("the enterprise %(unit)s"),
            "filer": _("the filer"),
            "leader": _("the supervising leader"),
            "authority": _("the listing authority %(unit)s"),
            "territorial": _("the territorial leader"),
            "city": _("the city safety office"),
        }
        return words[self.role] % {"unit": self.unit}

    def names(self) -> str:
        names = [str(p) for p in self.people]
        if len(names) > 3:
            return _("%(names)s and %(more)d more") % {"names": SEPARATOR().join(names[:3]), "more": len(names) - 3}
        return SEPARATOR().join(names)

    def told(self) -> str:
        """ "told the enterprise principal 陈晓东" — or why nobody was."""
        if not self.people and self.yourself:
            return _("you are %(role)s: nobody else to tell") % {"role": self.role_text()}
        if not self.people:
            return _("%(role)s has nobody in post, so nobody was told") % {"role": self.role_text()}
        words = _("told %(role)s (%(names)s)") if self.unit else _("told %(role)s %(names)s")
        text = words % {"role": self.role_text(), "names": self.names()}
        if self.vacant:
            text += _(" (%(vacant)s is vacant)") % {"vacant": self.vacant}
        return text


def SEPARATOR() -> str:  # noqa: N802 (a constant in the reader's language)
    return pgettext("between names", ", ")


# --- who, by position ------------------------------------------------------------------------------------------


class Holders(list):
    """(user, position) pairs of current holders; `actor_holds` says the actor was one of them (left out)."""

    actor_holds = False


def _holders(positions, actor: User | None, exclude=()) -> Holders:
    """Current active holders of these positions, once each, never the actor (nor `exclude`)."""
    skip = {actor.pk if actor else None, *exclude}
    seen, pairs = set(), Holders()
    for assignment in (
        PositionAssignment.objects.current()
        .filter(position__in=positions, user__is_active=True)
        .select_related("user", "position")
        .order_by("position__kind", "user_id")
    ):
        if actor is not None and assignment.user_id == actor.pk:
            pairs.actor_holds = True
        if assignment.user_id not in skip and assignment.user_id not in seen:
            seen.add(assignment.user_id)
            pairs.append((assignment.user, assignment.position))
    return pairs


def _up_the_ladder(hazard: Hazard, actor: User, vacant: str) -> tuple[Handoff, list]:
    """A vacant department passes to the territorial leader, then to the city office."""
    for role, position in (("territorial", hazard.territorial_position), ("city", city_office_position())):
        pairs = _holders([position], actor) if position else []
        if pairs:
            return Handoff(role, people=[u for u, _p in pairs], vacant=vacant), pairs
    return Handoff("department", unit=vacant), []


def _department(hazard: Hazard, actor: User, department=None) -> tuple[Handoff, list]:
    department = department or hazard.department
    if department is None:
        return _up_the_ladder(hazard, actor, _("the supervising department"))
    positions = Position.objects.filter(
        department=department, kind__in=[PositionKind.DEPARTMENT_HEAD, PositionKind.DEPARTMENT_STAFF]
    )
    pairs = _holders(positions, actor)
    if not pairs and pairs.actor_holds:
        return Handoff("department", unit=str(department), yourself=True), []
    if not pairs:
        return _up_the_ladder(hazard, actor, str(department))
    return Handoff("department", unit=str(department), people=[u for u, _p in pairs]), pairs


def _acceptors(hazard: Hazard, actor: User) -> tuple[Handoff, list]:
    """Whoever may accept: the department staff (inspectors, staff, head) of the listing department of a listed
    major hazard, else of the supervising department; never whoever rectified (they may not accept)."""
    listing = getattr(hazard, "listing", None)
    department = listing.department if listing and listing.is_active and listing.department_id else hazard.department
    if department is None:
        return _up_the_ladder(hazard, actor, _("the supervising department"))
    positions = Position.objects.filter(department=department, kind__in=DEPARTMENT_STAFF)
    pairs = _holders(positions, actor, exclude=[hazard.rectified_by_id])
    if not pairs and pairs.actor_holds:
        return Handoff("acceptors", unit=str(department), yourself=True), []
    if not pairs:
        return _up_the_ladder(hazard, actor, str(department))
    return Handoff("acceptors", unit=str(department), people=[u for u, _p in pairs]), pairs


def _principal(hazard: Hazard, actor: User) -> tuple[Handoff, list]:
    """The enterprise principal; a vacant principal passes to the enterprise's safety managers."""
    pairs = _holders([hazard.principal_position], actor) if hazard.principal_position_id else []
    if pairs:
        return Handoff("principal", people=[u for u, _p in pairs]), pairs
    managers = Position.objects.filter(enterprise_id=hazard.enterprise_id, kind=PositionKind.ENTERPRISE_SAFETY_MANAGER)
    pairs = _holders(managers, actor)
    vacant = _("the enterprise principal")
    if pairs:
        return Handoff("safety_manager", people=[u for u, _p in pairs], vacant=vacant), pairs
    return Handoff("principal"), []


def _enterprise(hazard: Hazard, actor: User) -> tuple[Handoff, list]:
    positions = Position.objects.filter(enterprise_id=hazard.enterprise_id, kind__in=ENTERPRISE_STAFF)
    pairs = _holders(positions, actor)
    return Handoff("enterprise", unit=hazard.enterprise.name, people=[u for u, _p in pairs]), pairs


def _filer(hazard: Hazard, actor: User) -> tuple[Handoff, list]:
    filer = hazard.created_by
    if filer is not None and filer.pk == actor.pk:
        return Handoff("filer", yourself=True), []
    if filer is None or not filer.is_active:
        return Handoff("filer"), []
    return Handoff("filer", people=[filer]), [(filer, None)]


def _leader(hazard: Hazard, actor: User) -> tuple[Handoff, list]:
    listing = ListedSupervision.objects.filter(hazard=hazard, delisted_at__isnull=True).first()  # just written
    pairs = _holders([listing.supervising_leader_id], actor) if listing and listing.supervising_leader_id else []
    return Handoff("leader", people=[u for u, _p in pairs]), pairs


def listing_authority_positions(listing: ListedSupervision):
    """Who decides for the listing authority: the listing department's head, or the listing government's territorial
    leaders."""
    if listing.department_id:
        return Position.objects.filter(department_id=listing.department_id, kind=PositionKind.DEPARTMENT_HEAD)
    return Position.objects.filter(region_id=listing.region_id, kind=PositionKind.TERRITORIAL_LEADER)


def _authority(hazard: Hazard, actor: User) -> tuple[Handoff, list]:
    listing = hazard.listing
    unit = str(listing.department or listing.region or "")
    pairs = _holders(listing_authority_positions(listing), actor)
    if not pairs and pairs.actor_holds:
        return Handoff("authority", unit=unit, yourself=True), []
    if not pairs:
        return _up_the_ladder(hazard, actor, unit)
    return Handoff("authority", unit=unit, people=[u for u, _p in pairs]), pairs


WHO = {
    Action.FILE: _department,
    Action.CONFIRM: _principal,
    Action.SUBMIT_PLAN: _department,
    Action.SUBMIT_RECTIFICATION: _acceptors,
    Action.REJECT: _enterprise,
    Action.ACCEPT: _filer,
    Action.DISMISS: _filer,
    Action.EXTEND_DEADLINE: _principal,
    Action.REOPEN: _principal,
    Action.REASSIGN: _department,
    Action.LIST_SUPERVISION: _leader,
    Action.PUBLISH_ORDER: _principal,
    Action.ASK_EXTENSION: _authority,
    Action.EXTENSION_APPROVED: _principal,
    Action.EXTENSION_REFUSED: _principal,
}


# --- the notice --------------------------------------------------------------------------------------------------


def hand_off(hazard: Hazard, actor: User, event: HazardEvent, reason: str = "") -> Handoff:
    """Tell the next people of the change `event` recorded (inside its transaction); kept on `hazard.handoff`."""
    handoff, pairs = WHO[event.action](hazard, actor)
    kind = KINDS[event.action][0]
    title, body = _words(hazard, actor, event.action, reason)
    written = notify(pairs, f"{kind}:{event.pk}", title, body, link=f"/hazards/{hazard.pk}/", hazard=hazard)
    told = {n.recipient_id for n in written}
    handoff.people = [p for p in handoff.people if p.pk in told]
    hazard.handoff = handoff
    return handoff


def _deadline(hazard: Hazard) -> str:
    return timezone.localtime(hazard.deadline).strftime("%Y-%m-%d %H:%M") if hazard.deadline else "—"


def _words(hazard: Hazard, actor: User, action: str, reason: str) -> tuple[str, str]:
    """The notice's title (one line, the e-mail subject) and body, in the platform's language."""
    with override(settings.LANGUAGE_CODE):
        heads = {
            Action.FILE: pgettext("notice", "To confirm"),
            Action.CONFIRM: pgettext("notice", "To rectify"),
            Action.SUBMIT_PLAN: pgettext("notice", "Plan submitted"),
            Action.SUBMIT_RECTIFICATION: pgettext("notice", "To accept"),
            Action.REJECT: pgettext("notice", "Rectification rejected"),
            Action.ACCEPT: pgettext("notice", "Closed"),
            Action.DISMISS: pgettext("notice", "Dismissed"),
            Action.EXTEND_DEADLINE: pgettext("notice", "Deadline extended"),
            Action.REOPEN: pgettext("notice", "Reopened"),
            Action.REASSIGN: pgettext("notice", "Handed to your department"),
            Action.LIST_SUPERVISION: pgettext("notice", "Listed for supervision"),
            Action.PUBLISH_ORDER: pgettext("notice", "Rectification order"),
            Action.ASK_EXTENSION: pgettext("notice", "Extension to decide"),
            Action.EXTENSION_APPROVED: pgettext("notice", "Extension approved"),
            Action.EXTENSION_REFUSED: pgettext("notice", "Extension refused"),
        }
        asks = {
            Action.FILE: _("Please confirm it (with a rectification deadline) or dismiss it."),
            Action.CONFIRM: _("Please submit the rectification plan and rectify by the deadline."),
            Action.SUBMIT_PLAN: _("The enterprise is rectifying; you will be told when it asks for acceptance."),
            Action.SUBMIT_RECTIFICATION: _("Please check the rectification and accept it or reject it."),
            Action.REJECT: _("Please rectify again and submit the rectification by the deadline."),
            Action.ACCEPT: _("The hazard you filed is closed."),
            Action.DISMISS: _("The hazard you filed will not be followed up."),
            Action.EXTEND_DEADLINE: _("Please rectify by the new deadline."),
            Action.REOPEN: _("Please rectify again by the deadline."),
            Action.REASSIGN: _("Your department now supervises this hazard."),
            Action.LIST_SUPERVISION: _("You are its supervising leader until it is de-listed."),
            Action.PUBLISH_ORDER: _("Please rectify as the order says, by the listing's deadline."),
            Action.ASK_EXTENSION: _("Please approve or refuse the extension within %(days)d working days.")
            % {"days": settings.EXTENSION_DECIDE_WORKING_DAYS},
            Action.EXTENSION_APPROVED: _("Please rectify by the new deadline."),
            Action.EXTENSION_REFUSED: _("Please rectify by the listing's deadline."),
        }
        title = one_line(f"【{heads[action]}】{hazard.code} {hazard.title}", TITLE_LENGTH)
        lines = [
            _("Hazard %(code)s at %(enterprise)s, %(place)s: %(title)s.")
            % {"code": hazard.code, "enterprise": hazard.enterprise.name, "place": hazard.place, "title": hazard.title},
            _("%(action)s by %(actor)s.") % {"action": Action(action).label, "actor": actor},
        ]
        if hazard.deadline and hazard.status not in (Status.CLOSED, Status.DISMISSED, Status.REPORTED):
            lines.append(_("Rectification deadline: %(deadline)s.") % {"deadline": _deadline(hazard)})
        if reason:
            lines.append(_("Reason: %(reason)s") % {"reason": reason})
        lines.append(asks[action])
        return title, "\n".join(lines)


# --- the page's message ------------------------------------------------------------------------------------------


def next_step(hazard: Hazard) -> str:
    """Who acts next on the hazard in its state, for actions that hand nothing over (photos, evaluations)."""
    return {
        Status.REPORTED: _("the supervising department confirms it"),
        Status.CONFIRMED: _("the enterprise submits its rectification plan"),
        Status.RECTIFYING: _("the enterprise rectifies and submits the rectification"),
        Status.AWAITING_ACCEPTANCE: _("the supervising department accepts or rejects the rectification"),
        Status.CLOSED: _("nothing: the hazard is closed"),
        Status.DISMISSED: _("nothing: the hazard is dismissed"),
    }[hazard.status]


def message(action: str, hazard: Hazard) -> str:
    """What happened and who is next, for the page after an action: names the people the notice went to."""
    done = {
        "file": _("Hazard %(code)s filed"),
        "confirm": _("Confirmed, rectification deadline %(deadline)s"),
        "submit_plan": _("Rectification plan submitted"),
        "submit_rectification": _("Rectification submitted for acceptance"),
        "accept": _("Accepted and closed"),
        "reject": _("Rectification rejected with the reason"),
        "dismiss": _("Dismissed"),
        "extend_deadline": _("Deadline extended to %(deadline)s"),
        "reopen": _("Reopened, rectification deadline %(deadline)s"),
        "reassign": _("Supervising department changed to %(department)s"),
        "list_supervision": _("Listed for supervision"),
        "publish_order": _("Rectification order published"),
        "leader_action": _("Your action is on the timeline"),
        "ask_extension": _("Extension asked"),
        "decide_extension": _("Extension decided"),
        "add_photos": _("Photos added"),
        "add_finding": _("The finding was added to hazard %(code)s"),
        "attach_evaluation": _("Evaluation attached"),
    }[action] % {"code": hazard.code, "deadline": _deadline(hazard), "department": hazard.department}
    handoff = getattr(hazard, "handoff", None)
    if handoff is None:
        return _("%(done)s; next, %(next)s.") % {"done": done, "next": next_step(hazard)}
    return _("%(done)s; %(told)s.") % {"done": done, "told": handoff.told()}
