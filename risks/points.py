"""The one writer of risk points (docs/risks.md): register a point with its controls and first evaluation; the
rules table of the point's actions and `can()`. Each function checks its rule, validates, and writes the rows,
the evaluation kept and the audit record in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import record
from organizations.models import Enterprise, User
from organizations.responsibility import SupervisionMap
from organizations.roles import is_enterprise_staff_of
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
EVALUATION_FIELDS = ("method", "lec_l", "lec_e", "lec_c", "ls_l", "ls_s", "override_colour", "override_reason")


@dataclass
class PointData:
    """A point as a page, the API or an import hands it over: its fields, its evaluation inputs, its controls
    (each `{"kind": …, "measure": …}`)."""

    fields: dict
    evaluation: dict
    controls: list[dict] = field(default_factory=list)


def may_keep(actor: User, enterprise_id: int) -> bool:
    """The enterprise's principal and safety manager keep its risk points (the superuser too)."""
    return is_enterprise_staff_of(actor, enterprise_id)


@dataclass(frozen=True)
class Rule:
    """Who may (403 otherwise) and the state guards (each a message when it fails: 409)."""

    who: Callable[[User, RiskPoint], bool]
    when: tuple[Callable[[RiskPoint], str], ...] = ()


def _in_use(point: RiskPoint) -> str:
    return "" if point.is_active else _("This risk point is no longer in use.")


def _keeps(actor: User, point: RiskPoint) -> bool:
    return may_keep(actor, point.enterprise_id)


RULES: dict[str, Rule] = {
    "edit": Rule(_keeps, (_in_use,)),
    "evaluate": Rule(_keeps, (_in_use,)),
    "retire": Rule(_keeps, (_in_use,)),
}


def check(actor: User, point: RiskPoint, action: str) -> None:
    """Raise PermissionDenied (403) when the actor may not, Conflict (409) when the point's state does not allow."""
    rule = RULES[action]
    if not rule.who(actor, point):
        raise PermissionDenied(_("Only the enterprise's principal or safety manager keeps its risk points."))
    for guard in rule.when:
        problem = guard(point)
        if problem:
            raise Conflict(problem)


def can(actor: User, point: RiskPoint) -> set[str]:
    """The actions of RULES the actor may take on this point now (states first: they cost no query)."""
    return {
        action
        for action, rule in RULES.items()
        if not any(guard(point) for guard in rule.when) and rule.who(actor, point)
    }


def _clean_codes(values, choices, name: str) -> list[str]:
    values = list(values or [])
    wrong = [v for v in values if v not in choices.values]
    if wrong:
        raise ValidationError({name: _("Unknown codes: %(codes)s.") % {"codes": "、".join(map(str, wrong))}})
    return sorted(set(values), key=values.index)


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


def _keep_evaluation(actor: User | None, point: RiskPoint, occasion: str) -> RiskEvaluation:
    inputs = {name: str(getattr(point, name)) for name in ("lec_l", "lec_e", "lec_c", "ls_l", "ls_s")
              if getattr(point, name) is not None}  # fmt: skip
    inputs |= {"major_source": point.is_major_hazard_source, "major_criterion": point.meets_major_criterion}
    return RiskEvaluation.objects.create(
        point=point, method=point.method, inputs=inputs, score=point.score, computed_colour=point.computed_colour,
        colour=point.colour, override_reason=point.override_reason, reason=occasion, at=point.evaluated_at,
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
    for name, choices in (("hazard_factors", HazardFactor), ("accident_types", AccidentType)):
        try:
            setattr(point, name, _clean_codes(getattr(point, name), choices, name))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    controls = []
    try:
        controls = _clean_controls(data.controls)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        _evaluate_into(point, data.evaluation)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    point.evaluated_at = timezone.now()
    point.reevaluate_by = next_yearly(timezone.localdate())
    point.reevaluation_reason = ReevaluationReason.YEARLY
    try:
        point.full_clean(exclude=["enterprise", "region", "industry", "department", "evaluated_by", *errors])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
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
