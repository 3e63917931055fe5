"""Handling a tip-off: triage (accept, transfer, decline, merge with an earlier report, mark invalid), the time
limits (extend once), what it becomes (a hazard, an illegal-operation record), verification and the answer. See
docs/tipoffs.md, "Handling".

Every change goes through one function here, which checks its rule from `RULES` (403 unless a handler, see
access.py; then 409 in the wrong state), validates (400) and writes the report, its event and the audit record in
one transaction; `allowed()` runs the same table, so pages and the API offer exactly what these accept. What the
informant reads is each event's `public_text`; a transfer's reason, a verification's finding and the notes stay
inside.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from audit.models import record as audit
from hazards.choices import Level, Source
from hazards.models import HazardCategory
from hazards.workflow import Filing
from hazards.workflow import file_hazard as file_a_hazard
from organizations.models import Department, Industry, Region
from oversight import illegal
from safety_platform.lib import rules
from safety_platform.lib.errors import Conflict
from safety_platform.lib.text import one_line

from . import access, limits
from .choices import Action, Outcome, State
from .intake import tell_handlers
from .models import Report, ReportEvent

REASON_LENGTH = 500
TEXT_LENGTH = 5000


def _handler(actor, report: Report) -> None:
    if not access.is_handler(actor, report):
        raise PermissionDenied(
            _("Only the staff of the unit handling this report, or the city safety office, can do this.")
        )


def _in(*states: str):
    def guard(report: Report) -> None:
        if report.state not in states:
            raise Conflict(
                _("This report is %(state)s; this cannot be done now.") % {"state": report.get_state_display()}
            )

    return guard


def _not_extended(report: Report) -> None:
    if report.extended_at is not None:
        raise Conflict(_("The time limit was already extended once; it cannot be extended again."))


RULES: dict[str, rules.Rule] = {
    "accept": rules.Rule(_handler, (_in(State.RECEIVED),)),
    "transfer": rules.Rule(_handler, (_in(State.RECEIVED, State.ACCEPTED),)),
    "decline": rules.Rule(_handler, (_in(State.RECEIVED),)),
    "merge": rules.Rule(_handler, (_in(State.RECEIVED),)),
    "spam": rules.Rule(_handler, (_in(State.RECEIVED),)),
    "extend": rules.Rule(_handler, (_in(State.ACCEPTED), _not_extended)),
    "link": rules.Rule(_handler, (_in(State.ACCEPTED, State.VERIFIED),)),
    "verify": rules.Rule(_handler, (_in(State.ACCEPTED),)),
    "answer": rules.Rule(_handler, (_in(State.VERIFIED),)),
}


def allowed(actor, report: Report) -> set[str]:
    return rules.allowed(RULES, actor, report)


def _locked(actor, report: Report | int) -> Report:
    """The report, locked, if the actor can see it (404 otherwise: its existence is not told)."""
    pk = report.pk if isinstance(report, Report) else report
    found = Report.objects.visible_to(actor).select_for_update().filter(pk=pk).first()
    if found is None:
        # The handling unit sees what is handed to it (department), the city office everything; a territory handed a
        # report outside its subtree sees it by `handler_region`.
        found = Report.objects.select_for_update().filter(pk=pk).first()
        if found is None or not access.is_handler(actor, found):
            raise Http404
    return found


def _text(value: str, field: str, limit: int, required: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: required})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": limit}})
    return value


def _event(report: Report, actor, action: str, note: str = "", public_text: str = "", **data) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report, actor=actor, action=action, note=note, public_text=public_text, data=data
    )


def _day(moment) -> str:
    with override(settings.LANGUAGE_CODE):
        return date_format(timezone.localtime(moment), "DATE_FORMAT")


def _say(text) -> str:
    """Words for the informant (a lazy string), stored in the platform's language (the progress page is in it)."""
    with override(settings.LANGUAGE_CODE):
        return str(text)


# --- triage ---------------------------------------------------------------------------------------------------------


def accept(actor, report: Report | int, note: str = "", industry: Industry | int | None = None) -> Report:
    """Accept for verification: the handling clock starts (TIPOFF_HANDLING_DAYS)."""
    note = (note or "").strip()[:REASON_LENGTH]
    with transaction.atomic():
        report = _locked(actor, report)
        rules.check(RULES, actor, report, "accept")
        if industry is not None:
            industry = industry if isinstance(industry, Industry) else Industry.objects.filter(pk=industry).first()
            if industry is None:
                raise ValidationError({"industry": _("Choose an industry.")})
            report.industry = industry
        now = timezone.now()
        report.state, report.accepted_at = State.ACCEPTED, now
        report.due_at = now + timedelta(days=settings.TIPOFF_HANDLING_DAYS)
        report.save(update_fields=["state", "accepted_at", "due_at", "industry"])
        with override(settings.LANGUAGE_CODE):
            said = _("Your report was accepted and is being verified; it will be closed by %(day)s.") % {
                "day": _day(report.due_at)}  # fmt: skip
        _event(report, actor, Action.ACCEPT, note, said, due_at=report.due_at.isoformat())
        audit(actor, "tipoff.accept", report, {"state": [State.RECEIVED, State.ACCEPTED],
                                                "due_at": report.due_at.isoformat()}, note)  # fmt: skip
    return report


def transfer(actor, report: Report | int, reason: str, department: Department | int | None = None,
             region: Region | int | None = None) -> Report:  # fmt: skip
    """Hand the report to the department or the territory (its government) that should handle it, with a reason
    (kept inside; the informant reads that it went to that unit). Its clock, if running, runs on."""
    reason = _text(reason, "reason", REASON_LENGTH, _("Say why it goes to that unit."))
    if (department is None) == (region is None):
        raise ValidationError({"department": _("Choose one department or one territory.")})
    if department is not None:
        department = department if isinstance(department, Department) else Department.objects.filter(
            pk=department).first()  # fmt: skip
        if department is None:
            raise ValidationError({"department": _("Choose a department.")})
    if region is not None:
        region = region if isinstance(region, Region) else Region.objects.filter(pk=region).first()
        if region is None:
            raise ValidationError({"region": _("Choose a territory.")})
    with transaction.atomic():
        report = _locked(actor, report)
        rules.check(RULES, actor, report, "transfer")
        before = access.unit_label(report)
        if department is not None and department.pk == report.department_id:
            raise ValidationError({"department": _("The report is already with this unit.")})
        if region is not None and report.department_id is None and region.pk == report.handler_region_id:
            raise ValidationError({"region": _("The report is already with this unit.")})
        report.department, report.handler_region = department, (region if department is None else None)
        report.save(update_fields=["department", "handler_region"])
        after = access.unit_label(report)
        with override(settings.LANGUAGE_CODE):
            said = _("Your report was passed to %(unit)s, which handles it.") % {"unit": after}
        _event(report, actor, Action.TRANSFER, reason, said, **{"from": before, "to": after})
        audit(actor, "tipoff.transfer", report, {"unit": [before, after]}, one_line(reason, REASON_LENGTH))
        tell_handlers(report, transferred=True)
        limits.settle(actor, report)  # the old unit's overdue notices: the new unit is told in its turn
    return report


def decline(actor, report: Report | int, reason: str) -> Report:
    """Not accepted, with a reason the informant reads (not within the platform's remit, already handled, …)."""
    reason = _text(reason, "reason", REASON_LENGTH, _("Say why the report is not accepted; the informant reads it."))
    return _end(actor, report, "decline", State.DECLINED, Action.DECLINE, reason, reason)


def mark_spam(actor, report: Report | int, reason: str) -> Report:
    """Invalid (abusive, meaningless, advertising): the informant reads only that it was not accepted."""
    reason = _text(reason, "reason", REASON_LENGTH, _("Say why the report is invalid."))
    return _end(actor, report, "spam", State.SPAM, Action.SPAM, reason,
                _say(gettext_lazy("Your report could not be accepted.")))  # fmt: skip


def merge(actor, report: Report | int, note: str = "") -> Report:
    """Handle a repeat with the earlier report it repeats (`repeat_of`): the informant then follows that one."""
    note = (note or "").strip()[:REASON_LENGTH]
    with transaction.atomic():
        locked = _locked(actor, report)
        rules.check(RULES, actor, locked, "merge")
        if locked.repeat_of_id is None:
            raise ValidationError({"repeat_of": _("This report repeats no earlier report.")})
    said = _say(gettext_lazy("The same matter was reported before; your report is handled together with it."))
    return _end(actor, report, "merge", State.MERGED, Action.MERGE, note, said)


def _end(actor, report, action: str, state: str, event: str, note: str, said: str) -> Report:
    with transaction.atomic():
        report = _locked(actor, report)
        rules.check(RULES, actor, report, action)
        before = report.state
        report.state, report.closed_at = state, timezone.now()
        if state == State.DECLINED:
            report.decline_reason = note
        report.save(update_fields=["state", "closed_at", "decline_reason"])
        _event(report, actor, event, note, said)
        audit(actor, f"tipoff.{action}", report, {"state": [before, state]}, one_line(note, REASON_LENGTH))
    return report


# --- the time limit -------------------------------------------------------------------------------------------------


def extend(actor, report: Report | int, reason: str) -> Report:
    """Extend the handling limit once by TIPOFF_EXTENSION_DAYS, with a reason the informant reads."""
    reason = _text(reason, "reason", REASON_LENGTH, _("Say why more time is needed; the informant reads it."))
    with transaction.atomic():
        report = _locked(actor, report)
        rules.check(RULES, actor, report, "extend")
        before = report.due_at
        report.due_at = before + timedelta(days=settings.TIPOFF_EXTENSION_DAYS)
        report.extended_at, report.extension_reason = timezone.now(), reason
        report.save(update_fields=["due_at", "extended_at", "extension_reason"])
        with override(settings.LANGUAGE_CODE):
            said = _("The time limit was extended to %(day)s: %(reason)s") % {"day": _day(report.due_at),
                                                                              "reason": reason}  # fmt: skip
        _event(report, actor, Action.EXTEND, reason, said, due_at=report.due_at.isoformat())
        audit(actor, "tipoff.extend", report, {"due_at": [before.isoformat(), report.due_at.isoformat()]}, reason)
        limits.settle(actor, report)
    return report


# --- what it becomes ------------------------------------------------------------------------------------------------


def file_hazard(actor, report: Report | int, *, title: str, description: str, category: HazardCategory | int,
                level: str = Level.GENERAL, place: str = "", enterprise=None, deadline=None) -> Report:  # fmt: skip
    """File the hazard the report pointed at (source tip-off), through the hazards' own writer, and link it. The
    hazard's words are the handler's: nothing of the informant, nor the report's own text, is copied."""
    with transaction.atomic():
        report = _locked(actor, report)
        rules.check(RULES, actor, report, "link")
        if report.hazard_id:
            raise Conflict(_("A hazard was already filed from this report: %(code)s.") % {"code": report.hazard.code})
        enterprise = enterprise or report.enterprise_id
        if enterprise is None:
            raise ValidationError({"enterprise": _("Choose the enterprise of the registry the hazard belongs to.")})
        if not isinstance(category, HazardCategory):
            category = HazardCategory.objects.filter(pk=category).first() if str(category or "").isdigit() else None
            if category is None:
                raise ValidationError({"category": _("Choose a category.")})
        hazard, _created = file_a_hazard(actor, Filing(
            enterprise=enterprise, title=title, place=place or report.address, category=category, level=level,
            description=description, source=Source.TIP_OFF, deadline=deadline,
        ))  # fmt: skip
        report.hazard = hazard
        report.save(update_fields=["hazard"])
        _event(report, actor, Action.LINK, "", "", hazard=hazard.code)
        audit(actor, "tipoff.link", report, {"hazard": hazard.code})
    return report


def record_illegal(actor, report: Report | int, **values) -> Report:
    """Record the illegal operation the report pointed at (source tip-off, its code as the reference), through the
    oversight app's own writer, and link it. Where, the operator and the industry default to the report's."""
    with transaction.atomic():
        report = _locked(actor, report)
        rules.check(RULES, actor, report, "link")
        if report.illegal_operation_id:
            raise Conflict(_("An illegal operation was already recorded from this report."))
        values.setdefault("region", report.region)
        values.setdefault("address", report.address)
        if report.enterprise_id:
            values.setdefault("enterprise", report.enterprise)
        else:
            values.setdefault("operator_name", report.enterprise_name)
        if report.industry_id:
            values.setdefault("industry", report.industry)
        operation = illegal.record(actor, source="tip_off", source_ref=report.code, **values)
        report.illegal_operation = operation
        report.save(update_fields=["illegal_operation"])
        _event(report, actor, Action.LINK, "", "", illegal_operation=operation.pk)
        audit(actor, "tipoff.link", report, {"illegal_operation": operation.pk})
    return report


# --- verification and the answer ------------------------------------------------------------------------------------


def verify(actor, report: Report | int, outcome: str, finding: str) -> Report:
    """Verification done: the outcome and what was found (inside); the answer is due within TIPOFF_FEEDBACK_DAYS."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the verification.")})
    finding = _text(finding, "finding", TEXT_LENGTH, _("Say what the verification found."))
    with transaction.atomic():
        report = _locked(actor, report)
        rules.check(RULES, actor, report, "verify")
        now = timezone.now()
        report.state, report.outcome, report.finding, report.verified_at = State.VERIFIED, outcome, finding, now
        report.feedback_due_at = now + timedelta(days=settings.TIPOFF_FEEDBACK_DAYS)
        report.save(update_fields=["state", "outcome", "finding", "verified_at", "feedback_due_at"])
        _event(report, actor, Action.VERIFY, finding, "", outcome=outcome)
        audit(actor, "tipoff.verify", report, {"state": [State.ACCEPTED, State.VERIFIED], "outcome": outcome})
        limits.settle(actor, report)
    return report


def answer(actor, report: Report | int, text: str) -> Report:
    """The answer to the informant (反馈), which closes the report."""
    text = _text(text, "answer", TEXT_LENGTH, _("Write the answer to the informant."))
    with transaction.atomic():
        report = _locked(actor, report)
        rules.check(RULES, actor, report, "answer")
        report.state, report.answer, report.closed_at = State.CLOSED, text, timezone.now()
        report.save(update_fields=["state", "answer", "closed_at"])
        _event(report, actor, Action.ANSWER, "", text, outcome=report.outcome)
        audit(actor, "tipoff.answer", report, {"state": [State.VERIFIED, State.CLOSED]})
        limits.settle(actor, report)
    return report


def on_time(report: Report) -> bool | None:
    """Closed within its handling limit and its answer's; None while open or ended without acceptance."""
    if report.state != State.CLOSED or report.accepted_at is None:
        return None
    return bool(report.closed_at <= report.due_at and report.closed_at <= report.feedback_due_at)
