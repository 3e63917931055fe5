"""The one writer of risk points (docs/risks.md): register a point with its controls and first evaluation; the
rules table of the point's actions and `can()`. Each function checks its rule, validates, and writes the rows,
the evaluation kept and the audit record in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Least
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import record, record_many
from organizations.models import Enterprise, User
from organizations.responsibility import SupervisionMap
from organizations.roles import is_enterprise_staff_of
from safety_platform.lib import rules
from safety_platform.lib.errors import Conflict

from . import evaluation
from .choices import AccidentType, ControlKind, HazardFactor, ReevaluationReason
from .models import RiskControl, RiskEvaluation, RiskPoint

# The point's fields a registration or an edit may set (the rest are computed or kept by the workflow).
POINT_FIELDS = (
    "name", "kind", "place", "description", "hazard_factors", "accident_types", "control_level",
    "responsible_name", "responsible_phone", "is_key_place", "is_major_hazard_source", "meets_major_criterion",
    "emergency_measures", "report_phone",
)  # fmt: skip
# Set by the workflow, not given: full_clean leaves them out (the grade's are empty when the inputs were refused).
NOT_CLEANED = ("enterprise", "region", "industry", "department", "evaluated_by", "score", "computed_colour", "colour")
EVALUATION_FIELDS = ("method", "lec_l", "lec_e", "lec_c", "ls_l", "ls_s", "override_colour", "override_reason")


@dataclass
class PointData:
    """A point as a page, the API or an import hands it over: its fields, its evaluation inputs, its controls
    (each `{"kind": …, "measure": …}`)."""

    fields: dict
    evaluation: dict
    # An edit leaves the controls as they are when this is None.
    controls: list[dict] | None = field(default_factory=list)


def may_keep(actor: User, enterprise_id: int) -> bool:
    """The enterprise's principal and safety manager keep its risk points (the superuser too)."""
    return is_enterprise_staff_of(actor, enterprise_id)


def may_register(actor: User) -> bool:
    """Whether the actor registers points at all: a keeper of their own enterprise, or the superuser (any)."""
    return bool(actor.is_superuser or (actor.enterprise_id and may_keep(actor, actor.enterprise_id)))


def _in_use(point: RiskPoint) -> None:
    if not point.is_active:
        raise Conflict(_("This risk point is no longer in use."))


def _keeps(actor: User, point: RiskPoint) -> None:
    if not may_keep(actor, point.enterprise_id):
        raise PermissionDenied(_("Only the enterprise's principal or safety manager keeps its risk points."))


RULES: dict[str, rules.Rule] = {
    "edit": rules.Rule(_keeps, (_in_use,)),
    "evaluate": rules.Rule(_keeps, (_in_use,)),
    "retire": rules.Rule(_keeps, (_in_use,)),
}


def check(actor: User, point: RiskPoint, action: str) -> None:
    """Raise PermissionDenied (403) when the actor may not, Conflict (409) when the point's state does not allow."""
    rules.check(RULES, actor, point, action)


def can(actor: User, point: RiskPoint) -> set[str]:
    """The actions of RULES the actor may take on this point now (states first: they cost no query)."""
    return rules.allowed(RULES, actor, point)


def _clean_codes(values, choices, name: str) -> list[str]:
    values = list(values or [])
    wrong = [v for v in values if v not in choices.values]
    if wrong:
        raise ValidationError({name: _("Unknown codes: %(codes)s.") % {"codes": "、".join(map(str, wrong))}})
    return sorted(set(values), key=values.index)


def _clean_point_codes(point: RiskPoint, errors: dict) -> None:
    """The factors' and accident types' codes checked and de-duplicated; refusals added to `errors`."""
    for name, choices in (("hazard_factors", HazardFactor), ("accident_types", AccidentType)):
        try:
            setattr(point, name, _clean_codes(getattr(point, name), choices, name))
        except ValidationError as exc:
            errors.update(exc.message_dict)


def _refuse_if(point: RiskPoint, errors: dict) -> None:
    """The model's own checks on what is not refused yet; then every refusal at once, by field."""
    try:
        point.full_clean(exclude=[*NOT_CLEANED, *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _clean_controls(controls: list[dict]) -> list[RiskControl]:
    rows, errors = [], []
    for n, control in enumerate(controls, start=1):
        kind, measure = control.get("kind", ""), (control.get("measure") or "").strip()
        if kind not in ControlKind.values or not measure:
            errors.append(_("Control %(n)d: choose its kind and describe the measure.") % {"n": n})
        rows.append(RiskControl(kind=kind, measure=measure, position=n))
    if not rows:
        errors.append(_("Give the point at least one control measure."))
    if errors:
        raise ValidationError({"controls": errors})
    return rows


def _evaluate_into(point: RiskPoint, inputs: dict) -> evaluation.Grade:
    """Set the point's evaluation inputs and the computed grade (ValidationError by field)."""
    for name in EVALUATION_FIELDS:
        if name in inputs:
            setattr(point, name, inputs[name] if inputs[name] is not None else None)
    point.override_colour = point.override_colour or ""
    point.override_reason = (point.override_reason or "").strip()
    result = evaluation.grade(
        point.method,
        lec=(point.lec_l, point.lec_e, point.lec_c),
        ls=(point.ls_l, point.ls_s),
        override=point.override_colour,
        override_reason=point.override_reason,
        major_source=point.is_major_hazard_source,
        major_criterion=point.meets_major_criterion,
    )
    if point.method == "lec":
        point.ls_l = point.ls_s = None
    else:
        point.lec_l = point.lec_e = point.lec_c = None
    point.score, point.computed_colour, point.colour = result.score, result.computed, result.colour
    return result


def next_yearly(day: date) -> date:
    return day + timedelta(days=settings.RISK_REEVALUATION_DAYS)


def _keep_evaluation(actor: User | None, point: RiskPoint, occasion: str, at=None) -> RiskEvaluation:
    inputs = {name: str(getattr(point, name)) for name in ("lec_l", "lec_e", "lec_c", "ls_l", "ls_s")
              if getattr(point, name) is not None}  # fmt: skip
    inputs |= {"major_source": point.is_major_hazard_source, "major_criterion": point.meets_major_criterion}
    return RiskEvaluation.objects.create(
        point=point, method=point.method, inputs=inputs, score=point.score, computed_colour=point.computed_colour,
        colour=point.colour, override_reason=point.override_reason, reason=occasion, at=at or point.evaluated_at,
        by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip


def build_point(
    enterprise: Enterprise, data: PointData, supervision_map: SupervisionMap | None = None
) -> tuple[RiskPoint, list[RiskControl]]:
    """The point and its controls as they would be stored, validated, nothing written: the page, the API and the
    import (which checks every row before writing any, with one `supervision_map`) share it. The supervising
    department is resolved as a hazard's is. ValidationError by field."""
    supervision = (supervision_map or SupervisionMap()).resolve(enterprise)
    point = RiskPoint(enterprise=enterprise, region_id=enterprise.region_id, region_path=enterprise.region.path,
                      industry_id=enterprise.industry_id, department=supervision.department)  # fmt: skip
    for name in POINT_FIELDS:
        if name in data.fields:
            setattr(point, name, data.fields[name])
    errors: dict[str, list] = {}
    _clean_point_codes(point, errors)
    controls = []
    try:
        controls = _clean_controls(data.controls or [])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        _evaluate_into(point, data.evaluation)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    point.evaluated_at = timezone.now()
    point.reevaluate_by = next_yearly(timezone.localdate())
    point.reevaluation_reason = ReevaluationReason.YEARLY
    _refuse_if(point, errors)
    return point, controls


def create_point(actor: User, enterprise: Enterprise, data: PointData) -> RiskPoint:
    """Register a risk point of an enterprise the actor keeps, with its controls and first evaluation. Audited."""
    if not may_keep(actor, enterprise.pk):
        raise PermissionDenied(_("Only the enterprise's principal or safety manager keeps its risk points."))
    point, controls = build_point(enterprise, data)
    with transaction.atomic():
        save_new(actor, point, controls)
    return point


def save_new(actor: User | None, point: RiskPoint, controls: list[RiskControl]) -> None:
    """Write a point built by `build_point`, its controls, its first evaluation and the audit record (inside the
    caller's transaction: the import writes all its rows in one)."""
    point.evaluated_by = actor if getattr(actor, "pk", None) else None
    point.save()
    for control in controls:
        control.point = point
    RiskControl.objects.bulk_create(controls)
    _keep_evaluation(actor, point, "first")
    record(actor, "risk.create", point, {"colour": point.colour, "score": str(point.score)})


# --- changes of a registered point ---------------------------------------------------------------------------------

# A change to any of these (or to the controls) makes the point due for re-evaluation now, for "change".
CHANGE_FIELDS = ("hazard_factors", "accident_types", "place", "is_key_place", "is_major_hazard_source",
                 "meets_major_criterion")  # fmt: skip
# These force red (risks/evaluation.py): a change recomputes the grade at once from the stored inputs.
FORCING_FIELDS = ("is_major_hazard_source", "meets_major_criterion")
# Why an evaluation was made (RiskEvaluation.reason): the first, or the reason it was due.
OCCASIONS = ("first", *ReevaluationReason.values)


def _locked(actor: User, point: RiskPoint | int) -> RiskPoint:
    """The point re-read and locked within the actor's scope (404 outside it)."""
    pk = point if isinstance(point, int) else point.pk
    row = (
        RiskPoint.objects.visible_to(actor).select_for_update(of=("self",)).select_related("enterprise")
        .filter(pk=pk).first()
    )  # fmt: skip
    if row is None:
        raise Http404
    return row


def _shown(value) -> object:
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value if isinstance(value, (bool, int, list, type(None))) else str(value)


def _same(a, b) -> bool:
    if a in (None, "") or b in (None, ""):
        return a in (None, "") and b in (None, "")
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except ArithmeticError:
        return str(a) == str(b)


def _plan_controls(point: RiskPoint, given: list[dict] | None):
    """The controls as given, matched to the active ones by kind and measure: (kept with their new order, new
    rows, dropped rows). A measure whose wording changed is a new measure; the old one is kept out of use, since
    the checks' answers point at it. None when the controls are not being changed."""
    if given is None:
        return None
    rows = _clean_controls(given)
    current = list(RiskControl.objects.filter(point=point, is_active=True).order_by("position", "id"))
    kept, new = [], []
    for row in rows:
        match = next((c for c in current if (c.kind, c.measure) == (row.kind, row.measure)), None)
        if match is None:
            row.point = point
            new.append(row)
        else:
            current.remove(match)
            match.position = row.position
            kept.append(match)
    return kept, new, current


def _control_names(controls) -> list[str]:
    return [f"{c.kind}: {c.measure}" for c in controls]


def edit_point(actor: User, point: RiskPoint | int, data: PointData) -> RiskPoint:
    """Change a point's fields, evaluation inputs and controls (`data.controls` None: unchanged). Changed evaluation
    inputs are a re-evaluation now (kept, next date a year on); a change to the factors, the accident types, the
    place, the flags or the controls makes the point due for re-evaluation now ("change"), and a changed major
    source or criterion flag recomputes the grade at once. Nothing changed, nothing written. 404, 403, 409, 400."""
    with transaction.atomic():
        point = _locked(actor, point)
        check(actor, point, "edit")
        before = {name: getattr(point, name) for name in (*POINT_FIELDS, *EVALUATION_FIELDS)}
        before_controls = list(RiskControl.objects.filter(point=point, is_active=True).order_by("position", "id"))
        errors: dict[str, list] = {}
        for name in POINT_FIELDS:
            if name in data.fields:
                setattr(point, name, data.fields[name])
        _clean_point_codes(point, errors)
        plan = None
        try:
            plan = _plan_controls(point, data.controls)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        inputs = {k: v for k, v in data.evaluation.items() if k in EVALUATION_FIELDS}
        reevaluated = any(not _same(value, before[name]) for name, value in inputs.items())
        regraded = reevaluated or any(getattr(point, f) != before[f] for f in FORCING_FIELDS)
        if regraded:
            try:
                _evaluate_into(point, inputs)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        _refuse_if(point, errors)
        diff = {name: [_shown(value), _shown(getattr(point, name))] for name, value in before.items()
                if not _same(value, getattr(point, name))}  # fmt: skip
        if plan is not None and (plan[1] or plan[2]):
            diff["controls"] = [_control_names(before_controls), _control_names(plan[0] + plan[1])]
        if not diff:
            return point
        _save_edit(actor, point, plan, diff, reevaluated, regraded)
    return point


def _save_edit(actor: User, point: RiskPoint, plan, diff: dict, reevaluated: bool, regraded: bool) -> None:
    now = timezone.now()
    if reevaluated:
        point.evaluated_at, point.evaluated_by = now, actor
        point.reevaluate_by, point.reevaluation_reason = next_yearly(timezone.localdate()), ReevaluationReason.YEARLY
    elif any(name in diff for name in (*CHANGE_FIELDS, "controls")):
        point.reevaluate_by = min(point.reevaluate_by, timezone.localdate())
        point.reevaluation_reason = ReevaluationReason.CHANGE
    point.save()
    if plan is not None:
        kept, new, dropped = plan
        RiskControl.objects.bulk_update(kept, ["position"])
        RiskControl.objects.bulk_create(new)
        RiskControl.objects.filter(pk__in=[c.pk for c in dropped]).update(is_active=False)
    if regraded:
        _keep_evaluation(actor, point, ReevaluationReason.CHANGE, at=now)
    record(actor, "risk.edit", point, diff)


def evaluate(actor: User, point: RiskPoint | int, inputs: dict, occasion: str = "") -> RiskPoint:
    """Re-evaluate a point: the grade computed from `inputs` (method, L/E/C or L/S, an override and its reason; what
    is not given is empty, the method stays), the evaluation kept with its occasion (by default the reason it was
    due), the next date a year on (RISK_REEVALUATION_DAYS) and the reason back to yearly. 404, 403, 409, 400."""
    with transaction.atomic():
        point = _locked(actor, point)
        check(actor, point, "evaluate")
        occasion = occasion or point.reevaluation_reason
        if occasion not in ReevaluationReason.values:
            raise ValidationError({"occasion": _("Choose why the point is evaluated.")})
        colour, score = point.colour, point.score
        _evaluate_into(point, dict.fromkeys(EVALUATION_FIELDS) | {"method": point.method} | inputs)
        point.evaluated_at, point.evaluated_by = timezone.now(), actor
        point.reevaluate_by, point.reevaluation_reason = next_yearly(timezone.localdate()), ReevaluationReason.YEARLY
        point.save()
        _keep_evaluation(actor, point, occasion)
        changes = {"colour": [colour, point.colour], "score": [_shown(score), _shown(point.score)]}
        record(actor, "risk.evaluate", point, changes | {"occasion": occasion})
    return point


def retire(actor: User, point: RiskPoint | int, reason: str) -> RiskPoint:
    """Take a point out of use (it leaves the lists, the counts and the checks; its page and history stay), with
    the reason. 404, 403, 409 (retired already), 400 without a reason."""
    with transaction.atomic():
        point = _locked(actor, point)
        check(actor, point, "retire")
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("Say why the point is no longer in use.")})
        point.is_active = False
        point.save(update_fields=["is_active", "updated_at"])
        record(actor, "risk.retire", point, {"is_active": [True, False]}, reason=reason)
    return point


# --- re-evaluation due ---------------------------------------------------------------------------------------------


def overdue(today: date | None = None) -> Q:
    """Points in use whose re-evaluation is overdue: the date is past, or it is due now for a reason (an accident,
    a change, repeated hazards). The list's `reevaluation=overdue`, the re-evaluations page and the counts share it."""
    today = today or timezone.localdate()
    return Q(is_active=True) & (Q(reevaluate_by__lt=today) | ~Q(reevaluation_reason=ReevaluationReason.YEARLY))


def mark_due(points: QuerySet, reason: str, cause: str = "", actor: User | None = None) -> int:
    """Make these points (in use) due for re-evaluation now for `reason` (accident, change, repeated hazards): the
    date becomes today unless it is earlier, the reason is set. A point already due for the same reason is left
    alone, so a repeat writes nothing. The points are locked, changed by one UPDATE and audited one record each
    ("risk.due", `cause` as its reason) in one INSERT. The caller picks the points; no scope is applied (the
    accident hook and the checks call it for the system). Returns how many were marked."""
    if reason not in ReevaluationReason.values or reason == ReevaluationReason.YEARLY:
        raise ValueError(f"not a reason to re-evaluate early: {reason!r}")
    today = timezone.localdate()
    with transaction.atomic():
        rows = list(
            points.filter(is_active=True).exclude(reevaluation_reason=reason, reevaluate_by__lte=today)
            .select_for_update(of=("self",)).order_by("pk").only("id", "name", "reevaluate_by", "reevaluation_reason")
        )  # fmt: skip
        if not rows:
            return 0
        RiskPoint.objects.filter(pk__in=[p.pk for p in rows]).update(
            reevaluate_by=Least(F("reevaluate_by"), Value(today)), reevaluation_reason=reason,
            updated_at=timezone.now(),
        )  # fmt: skip
        record_many(actor, "risk.due", rows, lambda p: {
            "reevaluate_by": [p.reevaluate_by.isoformat(), min(p.reevaluate_by, today).isoformat()],
            "reevaluation_reason": [p.reevaluation_reason, reason],
        }, reason=cause)  # fmt: skip
    return len(rows)
