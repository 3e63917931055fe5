"""Illegal operations found (打非治违), the one writer of `IllegalOperation`. See docs/oversight.md, "Illegal
operations".

Every change goes through one function here, which checks its rule from `RULES` (403, then 409), validates (400)
and writes the row and its audit record in one transaction; `can()` runs the same table, so pages and the API offer
exactly what these accept.

- `record`: the government's staff (the city office's staff, a department's inspectors, staff and head, a regional
  government's territorial leader or duty officer) record what they found in their scope: the kind and what was
  seen, where (a region in scope and an address), the operator (a registered enterprise in scope, or the name found
  for one outside the registry), the industry, the department (resolved per region and industry as the
  supervision map does, when not given), the source (an inspection in scope, a tip-off with its code, a watch visit
  in scope, a patrol, other) and the day found (not in the future). Audited `illegal.record`. For an enterprise of
  the registry found unlicensed, subcontracting illegally or working under a borrowed qualification,
  `set_flag=True` also sets the registry's flag (`organizations.registry.save_enterprise`, audited there).
- `handle`: the action taken (取缔, 责令停产停业, 移送公安, …) and the result; the record is closed when the result is
  final (its closing day: the one given, or today). A closed record changes no more (409), except by the city
  office's staff. Audited `illegal.update` with from/to.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import record as audit
from inspections.models import Inspection
from organizations.choices import LicenceState, PositionKind
from organizations.models import Department, Enterprise, Industry, Region, User
from organizations.registry import save_enterprise
from organizations.responsibility import SupervisionMap
from organizations.roles import GOVERNMENT_STAFF, GOVERNMENT_UNITS, holds_in, is_city_office_staff
from organizations.scope import Scope, ScopeKind
from safety_platform.lib import bounds, rules
from safety_platform.lib.errors import Conflict

from .choices import IllegalAction, IllegalKind, IllegalResult, IllegalSource
from .models import IllegalOperation, WatchVisit

RECORDERS = (*GOVERNMENT_STAFF, PositionKind.TERRITORIAL_LEADER, PositionKind.DUTY_OFFICER)
TEXT_LENGTH = 5000
# The kinds that match a flag of the registry: the enterprise's field and the value that sets it.
FLAGS = {
    IllegalKind.UNLICENSED: ("licence_state", LicenceState.UNLICENSED),
    IllegalKind.ILLEGAL_SUBCONTRACTING: ("is_subcontracting", True),
    IllegalKind.BORROWED_QUALIFICATION: ("is_borrowed_qualification", True),
}
FINAL = tuple(r for r in IllegalResult.values if r != IllegalResult.OPEN)

# --- who may do what (403), in which state (409) --------------------------------------------------------------------


def may_record(actor: User) -> bool:
    return holds_in(actor, GOVERNMENT_UNITS, *RECORDERS)


def _require_recorder(actor: User, obj) -> None:
    if not may_record(actor):
        raise PermissionDenied(
            _("Only the government's staff (inspectors, departments, regional governments) record illegal operations.")
        )


def _open_unless_city_office(actor: User, operation: IllegalOperation) -> None:
    if operation.result != IllegalResult.OPEN and not is_city_office_staff(actor):
        raise Conflict(
            _("This record was closed on %(date)s (%(result)s); only the city safety office can change it now.")
            % {"date": operation.closed_on or "—", "result": operation.get_result_display()}
        )


RULES: dict[str, rules.Rule] = {
    # `record` is asked about the region where the operation was found (the region's scope is checked apart).
    "record": rules.Rule(_require_recorder, on=Region),
    "handle": rules.Rule(_require_recorder, (_open_unless_city_office,), on=IllegalOperation, actor_in_guards=True),
}


def can(actor: User, operation: IllegalOperation) -> set[str]:
    """The actions the actor may take on this record now."""
    if Scope.for_user(actor).kind == ScopeKind.NONE:
        return set()
    return rules.allowed(RULES, actor, operation)


def flag_of(kind: str) -> tuple[str, object] | None:
    """The registry's field and value that an illegal operation of this kind sets, if any."""
    return FLAGS.get(kind)


def offers_flag(operation: IllegalOperation) -> bool:
    """Whether the registry's flag of this record's kind could still be set on its enterprise."""
    flag = flag_of(operation.kind)
    if flag is None or operation.enterprise is None:
        return False
    return getattr(operation.enterprise, flag[0]) != flag[1]


# --- validation (400) -----------------------------------------------------------------------------------------------


def _pk(value):
    if value is None or value == "":
        return None
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, bool):
        return -1
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else -1


def _text(value, field: str, errors: dict, *, required: bool = False, length: int = TEXT_LENGTH) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > length:
        errors[field] = _("At most %(limit)d characters.") % {"limit": length}
    return value


def _choice(value, choices, field: str, message: str, errors: dict, blank: bool = False) -> str:
    value = "" if value is None else str(value)
    if not (blank and value == "") and value not in choices.values:
        errors[field] = message
    return value


def _day(value, field: str, label: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            errors[field] = _("Enter a date as YYYY-MM-DD.")
            return None
    if not isinstance(value, date):
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None
    if value > timezone.localdate():
        errors[field] = _("%(label)s cannot be in the future.") % {"label": label}
    elif value < bounds.earliest_day():
        errors[field] = _("%(label)s cannot be before %(date)s.") % {"label": label, "date": bounds.earliest_day()}
    return value


def _in_territory(scope: Scope, region: Region) -> bool:
    if scope.kind == ScopeKind.ALL:
        return True
    if scope.kind == ScopeKind.DEPARTMENT and scope.is_root:
        return True
    return bool(scope.region_path) and region.path.startswith(scope.region_path)


def _region(actor: User, value, errors: dict) -> Region | None:
    pk = _pk(value)
    region = Region.objects.filter(pk=pk).first() if pk else None
    if region is None:
        errors["region"] = _("Choose the region where it was found.")
        return None
    if not _in_territory(Scope.for_user(actor), region):
        errors["region"] = _("This region is outside your territory.")
        return None
    return region


def _enterprise(actor: User, value, errors: dict) -> Enterprise | None:
    pk = _pk(value)
    if pk is None:
        return None
    found = Enterprise.objects.visible_to(actor).select_related("region", "industry").filter(pk=pk).first()
    if found is None:
        errors["enterprise"] = _(
            "Choose an enterprise of the registry in your scope, or leave it empty and name the operator."
        )
    return found


def _industry(value, errors: dict) -> Industry | None:
    pk = _pk(value)
    industry = Industry.objects.filter(pk=pk).first() if pk else None
    if industry is None:
        errors["industry"] = _("Choose an industry.")
    return industry


def _department(actor: User, value, region: Region | None, industry: Industry | None, errors: dict):
    """The department given (one the actor can see), or the one that supervises the industry where it was found."""
    pk = _pk(value)
    if pk is not None:
        department = Department.objects.visible_to(actor).filter(pk=pk).first()
        if department is None:
            errors["department"] = _("Choose a department from the list.")
        return department
    if region is None or industry is None:
        return None
    return resolve_department(region, industry)


def resolve_department(region: Region, industry: Industry | int) -> Department | None:
    """The supervising department of an industry at a place, as `organizations.responsibility.SupervisionMap` resolves
    it for an enterprise there (the nearest in charge; the nearest default supervisor for a gap)."""
    industry_id = industry.pk if isinstance(industry, Industry) else industry
    place = SimpleNamespace(region=region, industry_id=industry_id)
    return SupervisionMap(Scope(ScopeKind.ALL).reference).resolve(place).department


def _supervised(actor: User, clean: dict, errors: dict) -> None:
    """A department records what it supervises: its industries, or a record it takes on itself."""
    scope, industry, department = Scope.for_user(actor), clean["industry"], clean["department"]
    if scope.kind != ScopeKind.DEPARTMENT or industry is None or "industry" in errors:
        return
    if industry.pk not in scope.industry_ids and (department is None or department.pk != scope.department_id):
        errors["industry"] = _(
            "Your department does not supervise this industry; name your department to take "
            "the record on, or leave it to the department that does."
        )


def _source(actor: User, values: dict, errors: dict) -> dict:
    """The source and its link: an inspection or a watch visit in scope, a tip-off's code."""
    source = _choice(values.get("source"), IllegalSource, "source", _("Choose where it came from."), errors)
    found: dict = {"source": source, "inspection": None, "visit": None}
    found["source_ref"] = _text(values.get("source_ref"), "source_ref", errors, length=100)
    inspection_pk, visit_pk = _pk(values.get("inspection")), _pk(values.get("visit"))
    if inspection_pk is not None:
        if source != IllegalSource.INSPECTION:
            errors["inspection"] = _("An inspection is linked only to a record from an inspection.")
        else:
            found["inspection"] = Inspection.objects.visible_to(actor).filter(pk=inspection_pk).first()
            if found["inspection"] is None:
                errors["inspection"] = _("Choose an inspection in your scope.")
    if visit_pk is not None:
        if source != IllegalSource.WATCH:
            errors["visit"] = _("A watch visit is linked only to a record from a watch.")
        else:
            found["visit"] = WatchVisit.objects.visible_to(actor).filter(pk=visit_pk).first()
            if found["visit"] is None:
                errors["visit"] = _("Choose a watch visit in your scope.")
    if source == IllegalSource.TIP_OFF and not found["source_ref"] and "source_ref" not in errors:
        errors["source_ref"] = _("Give the tip-off's number.")
    return found


def _outcome(values: dict, found_on: date | None, errors: dict, before: IllegalOperation | None = None) -> dict:
    """The action, the result and the closing day: final results need an action and close the record (on the day
    given, or today); a record being handled has no closing day."""
    clean: dict = {}
    if "action" in values:
        clean["action"] = _choice(
            values["action"], IllegalAction, "action", _("Choose an action from the list."), errors, blank=True
        )
    if "result" in values:
        clean["result"] = _choice(
            values["result"] or IllegalResult.OPEN, IllegalResult, "result", _("Choose a result from the list."), errors
        )
    action = clean.get("action", before.action if before else "")
    result = clean.get("result", before.result if before else IllegalResult.OPEN)
    closed_on = _day(values.get("closed_on"), "closed_on", _("The closing day"), errors)
    if result == IllegalResult.OPEN:
        if closed_on is not None:
            errors["closed_on"] = _("A record still being handled has no closing day.")
        clean["closed_on"] = None
        return clean
    if not action and "action" not in errors:
        errors["action"] = _("Choose the action taken before giving a final result.")
    if closed_on is None:
        closed_on = (before.closed_on if before and before.result in FINAL else None) or timezone.localdate()
    if found_on is not None and closed_on < found_on and "closed_on" not in errors:
        errors["closed_on"] = _("The closing day cannot be before the day it was found (%(date)s).") % {
            "date": found_on.isoformat()
        }
    clean["closed_on"] = closed_on
    return clean


def _operator(actor: User, values: dict, errors: dict) -> dict:
    """The enterprise of the registry, or the operator's name; the place and industry default to the enterprise's."""
    enterprise = _enterprise(actor, values.get("enterprise"), errors)
    name = _text(values.get("operator_name"), "operator_name", errors, length=200)
    if enterprise is None and not name and "enterprise" not in errors:
        errors["operator_name"] = _("Choose the enterprise, or name the operator found outside the registry.")
    region_value = values.get("region") or (enterprise.region if enterprise else None)
    region = _region(actor, region_value, errors)
    industry = _industry(values.get("industry") or (enterprise.industry if enterprise else None), errors)
    address = _text(
        values.get("address") or (enterprise.address if enterprise else ""),
        "address",
        errors,
        required=True,
        length=300,
    )
    return {
        "enterprise": enterprise,
        "operator_name": name or (enterprise.name if enterprise else ""),
        "region": region,
        "industry": industry,
        "address": address,
    }


FIELDS = (
    "kind",
    "description",
    "enterprise",
    "operator_name",
    "region",
    "address",
    "industry",
    "department",
    "source",
    "inspection",
    "visit",
    "source_ref",
    "found_on",
    "action",
    "result",
    "closed_on",
)


def _clean_record(actor: User, values: dict) -> dict:
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise TypeError(f"unexpected arguments: {unknown}")
    errors: dict = {}
    kind = _choice(values.get("kind"), IllegalKind, "kind", _("Choose what kind of illegal operation it is."), errors)
    description = _text(values.get("description"), "description", errors, required=True)
    source = _source(actor, values, errors)
    linked = source["visit"] or source["inspection"]
    if linked is not None and not values.get("enterprise") and not values.get("operator_name"):
        # a watch visit or an inspection names its enterprise: the record is about it unless told otherwise
        values = {**values, "enterprise": linked.enterprise_id}
    clean = {"kind": kind, "description": description, **_operator(actor, values, errors), **source}
    clean["department"] = _department(actor, values.get("department"), clean["region"], clean["industry"], errors)
    _supervised(actor, clean, errors)
    found_on = values.get("found_on") or timezone.localdate()
    clean["found_on"] = _day(found_on, "found_on", _("The day found"), errors)
    clean.update(_outcome(values, clean["found_on"], errors))
    if errors:
        raise ValidationError(errors)
    return clean


def _set_flag(actor: User, operation: IllegalOperation) -> dict:
    """The registry's flag of the record's kind on its enterprise (`save_enterprise` audits the change)."""
    flag = flag_of(operation.kind)
    if flag is None or operation.enterprise is None:
        raise ValidationError(
            {
                "set_flag": _(
                    "Only an enterprise of the registry found unlicensed, subcontracting illegally or working "
                    "under a borrowed qualification is flagged in the registry."
                )
            }
        )
    name, value = flag
    enterprise = Enterprise.objects.select_for_update().get(pk=operation.enterprise_id)
    if getattr(enterprise, name) == value:
        return {}
    before = getattr(enterprise, name)
    setattr(enterprise, name, value)
    reason = _("Illegal operation found on %(date)s: %(kind)s.") % {
        "date": operation.found_on.isoformat(),
        "kind": operation.get_kind_display(),
    }
    save_enterprise(actor, enterprise, reason, keeper=False)
    operation.enterprise = enterprise
    return {name: [before, value]}


def record(actor: User, *, set_flag: bool = False, **values) -> IllegalOperation:
    """Record an illegal operation found (403 unless the government's staff; 400 naming each bad field). With
    `set_flag`, also set the registry's flag that its kind matches on its enterprise."""
    rules.check(RULES, actor, None, "record")
    clean = _clean_record(actor, values)
    with transaction.atomic():
        region = clean["region"]
        operation = IllegalOperation.objects.create(region_path=region.path, recorded_by=actor, **clean)
        changes = {
            "kind": operation.kind,
            "source": operation.source,
            "region": region.pk,
            "industry": operation.industry_id,
            "department": operation.department_id,
            "enterprise": operation.enterprise_id,
            "operator_name": operation.operator_name,
            "found_on": operation.found_on.isoformat(),
            "result": operation.result,
        }
        if operation.action:
            changes["action"] = operation.action
        if set_flag:
            flagged = _set_flag(actor, operation)
            if flagged:
                changes["registry_flag"] = flagged
        audit(actor, "illegal.record", operation, changes)
        return operation


def _locked(actor: User, pk) -> IllegalOperation:
    row = (
        IllegalOperation.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("enterprise", "region", "industry", "department")
        .filter(pk=_pk(pk))
        .first()
    )
    if row is None:
        raise Http404
    return row


def handle(actor: User, pk: int | IllegalOperation, **values) -> IllegalOperation:
    """The action taken, the result and the closing day (given ones only). 404 out of scope, 403 unless the
    government's staff, 409 closed (but for the city office), 400 for a bad value. A change that changes nothing
    writes nothing."""
    unknown = sorted(set(values) - {"action", "result", "closed_on"})
    if unknown:
        raise TypeError(f"unexpected arguments: {unknown}")
    with transaction.atomic():
        operation = _locked(actor, pk)
        rules.check(RULES, actor, operation, "handle")
        errors: dict = {}
        clean = _outcome(values, operation.found_on, errors, before=operation)
        if errors:
            raise ValidationError(errors)
        diff = {}
        for name, value in clean.items():
            before = getattr(operation, name)
            if before != value:
                diff[name] = [_plain(before), _plain(value)]
                setattr(operation, name, value)
        if not diff:
            return operation
        operation.save(update_fields=list(diff))
        audit(actor, "illegal.update", operation, diff)
        return operation


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value
