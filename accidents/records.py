"""Accident records (事故记录), the one writer. See docs/accidents.md, "Accident records".

Every change goes through one function here, which locks the row in the actor's scope (404), checks its rule from
`RULES` (403, then 409), validates (400), and writes the row and its audit record in one transaction; `can()` runs
the same table, so pages and the API offer exactly what these accept.

- `confirm`: an incident report at an enterprise, confirmed as a production safety accident or a near miss, becomes
  a record (a supplement means its first report). Copied: the time, place, course, the enterprise and its region,
  industry and supervising department (the three parties), the grade as it stands (the latest supplement's) and
  the latest casualties and loss. Once per incident (409).
- `record_external`: an accident elsewhere, entered by the city office's staff with its source, for its lesson.
- `edit`: while under investigation, the type, title, causes, course and final figures; the grade is recomputed from
  the final figures and never drops below its floor (`grade_floor`).
- `close`: the investigation ends (调查中 → 结案) with its report (a PDF), responsibility findings and measures.

Who: the city office's staff; the territorial government (its territorial leader or duty officer) of a region on the
accident's (the incident's) region path; the supervising department's head or staff. An accident elsewhere is the
city office's alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.models import record
from duty_roster.choices import GRADE_ORDER, Grade
from duty_roster.grading import grade as grade_of
from duty_roster.incidents import current_grade
from duty_roster.models import IncidentReport
from organizations.choices import PositionKind, UnitKind
from organizations.models import Enterprise, Industry, Region, User
from organizations.responsibility import SupervisionMap
from organizations.roles import is_city_office_staff, member_of
from organizations.scope import Scope, ScopeKind
from risks.choices import AccidentType
from safety_platform.lib import bounds, pdfs, rules
from safety_platform.lib.errors import Conflict
from workdays.calendar import SHANGHAI

from .choices import AccidentKind, DirectCause, IndirectCause, Investigation
from .models import Accident

TEXT_LENGTH = 10000
GOVERNMENT_RECORDERS = (PositionKind.TERRITORIAL_LEADER, PositionKind.DUTY_OFFICER)
DEPARTMENT_RECORDERS = (PositionKind.DEPARTMENT_HEAD, PositionKind.DEPARTMENT_STAFF)
FIGURES = ("deaths", "serious_injuries", "minor_injuries", "missing", "direct_loss")
EDITABLE = ("accident_type", "title", "direct_causes", "indirect_causes", "course", *FIGURES)
# An accident elsewhere also has these changed by the city office.
EXTERNAL_EDITABLE = ("source", "place", "enterprise_name", "occurred_at", "industry")

# --- who may do what (403), in which state (409) --------------------------------------------------------------------


def answers_for(actor: User, region_path: str, department_id: int | None) -> bool:
    """The city office's staff; a regional government's territorial leader or duty officer whose region is on this
    path (the region itself or one above it); the supervising department's head or staff."""
    if is_city_office_staff(actor):
        return True
    if actor.unit_kind == UnitKind.GOVERNMENT and actor.region_id:
        return member_of(
            actor,
            (UnitKind.GOVERNMENT,),
            lambda u: region_path.startswith(u.region.path) and u.holds(*GOVERNMENT_RECORDERS),
        )
    if actor.unit_kind == UnitKind.DEPARTMENT and department_id is not None:
        return member_of(
            actor,
            (UnitKind.DEPARTMENT,),
            lambda u: u.department_id == department_id and u.holds(*DEPARTMENT_RECORDERS),
        )
    return False


def _require_recorder(actor: User, accident: Accident) -> None:
    if accident.external:
        if not is_city_office_staff(actor):
            raise PermissionDenied(_("Only the city safety office's staff change an accident elsewhere."))
        return
    if not answers_for(actor, accident.region_path, accident.department_id):
        raise PermissionDenied(
            _(
                "Only the city safety office, the territory's government (its leader or duty officer) or the "
                "supervising department (its head or staff) changes this accident record."
            )
        )


def _investigating(accident: Accident) -> None:
    if accident.investigation != Investigation.INVESTIGATING:
        raise Conflict(
            _("The investigation of this accident was closed on %(date)s; its record no longer changes.")
            % {"date": _local(accident.closed_at) if accident.closed_at else "—"}
        )


RULES: dict[str, rules.Rule] = {
    "edit": rules.Rule(_require_recorder, (_investigating,)),
    "close": rules.Rule(_require_recorder, (_investigating,)),
}


def check(actor: User, accident: Accident, action: str) -> None:
    """The role (403), then the state (409)."""
    rules.check(RULES, actor, accident, action)


def can(actor: User, accident: Accident) -> set[str]:
    """The actions of `RULES` the actor may take on it now (states first: no query for those refused by their
    state)."""
    if Scope.for_user(actor).kind == ScopeKind.NONE:
        return set()
    return rules.allowed(RULES, actor, accident)


def may_record_external(actor: User) -> bool:
    return is_city_office_staff(actor)


def may_confirm(actor: User, incident: IncidentReport) -> bool:
    """Whether the actor may confirm this (first) report as an accident record: it is at an enterprise, not
    recorded yet, and the actor answers for it. A page's button; `confirm` asks the same."""
    if incident.enterprise_id is None or Accident.objects.filter(incident=incident).exists():
        return False
    if Scope.for_user(actor).kind == ScopeKind.NONE:
        return False
    return answers_for(actor, incident.region_path, _department_of(incident.enterprise))


def _department_of(enterprise: Enterprise) -> int | None:
    department = SupervisionMap().resolve(enterprise).department
    return department.pk if department is not None else None


# --- validation (400) -----------------------------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment, SHANGHAI):%Y-%m-%d}"


def _choice(value, choices, field: str, message: str, errors: dict) -> str:
    if value not in choices.values:
        errors[field] = message
    return value


def _causes(values, choices, field: str, errors: dict) -> list[str]:
    """A list of cause codes, each once, in the choices' order."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        errors[field] = _("Give a list of causes.")
        return []
    values = list(values)
    wrong = [str(v) for v in values if v not in choices.values]
    if wrong:
        errors[field] = _("Not a cause of this list: %(codes)s.") % {"codes": ", ".join(wrong)}
        return []
    return [code for code in choices.values if code in values]


def _text(value, field: str, label: str, errors: dict, required: bool = False, length: int = TEXT_LENGTH) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors[field] = _("%(label)s is required.") % {"label": label}
    elif len(value) > length:
        errors[field] = _("%(label)s is longer than %(n)d characters.") % {"label": label, "n": length}
    return value


def _count(value, field: str, errors: dict) -> int:
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit() and value.strip().isascii())
    ):
        errors[field] = _("Give a whole number.")
        return 0
    number = int(value)
    if number < 0 or number > 100000:
        errors[field] = _("Give a whole number from 0 to 100000.")
    return number


def _loss(value, errors: dict) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors["direct_loss"] = _("Give an amount in yuan.")
        return Decimal(0)
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        errors["direct_loss"] = _("Give an amount in yuan from 0 to less than 1,000,000,000,000.")
        return Decimal(0)
    return amount.quantize(Decimal("0.01"))


def _figures(values: dict, errors: dict) -> dict:
    clean = {}
    for name in FIGURES:
        if name not in values:
            continue
        clean[name] = _loss(values[name], errors) if name == "direct_loss" else _count(values[name], name, errors)
    return clean


def grade_floor(accident: Accident) -> str:
    """The lowest grade a record may take when its final figures change: the incident's grade as reported now (the
    latest supplement's: what was reported upwards stands), for an accident elsewhere the grade entered."""
    if accident.incident_id is not None:
        return current_grade(accident.incident)
    return accident.grade


def _at_least(computed: str, floor: str) -> str:
    return max(computed, floor, key=GRADE_ORDER.index)


def default_title(enterprise_name: str, occurred_at: datetime, accident_type: str, kind: str) -> str:
    """某公司“12·3”火灾事故 (a near miss: …涉险事件), in Chinese whatever the user's language."""
    local = timezone.localtime(occurred_at, SHANGHAI)
    with override("zh-hans"):
        label = str(AccidentType(accident_type).label)
    tail = "涉险事件" if kind == AccidentKind.NEAR_MISS else "事故"
    return f"{enterprise_name}“{local.month}·{local.day}”{label}{tail}"[:200]


# --- the record from an incident ------------------------------------------------------------------------------------


def _first_visible(actor: User, incident: IncidentReport | int) -> IncidentReport:
    pk = incident.pk if isinstance(incident, IncidentReport) else incident
    found = IncidentReport.objects.visible_to(actor).filter(pk=pk).values_list("pk", "first_report_id").first()
    if found is None:
        raise Http404
    first_pk = found[1] or found[0]
    first = (
        IncidentReport.objects.select_for_update(of=("self",))
        .select_related("enterprise__region", "region")
        .filter(pk=first_pk)
        .first()
    )
    if first is None:
        raise Http404
    return first


def confirm(actor: User, incident: IncidentReport | int, *, kind: str, accident_type: str, title: str = "",
            direct_causes: Iterable[str] = (), indirect_causes: Iterable[str] = (),
            course: str = "") -> Accident:  # fmt: skip
    """The record of an incident report (its first report), confirmed as `kind`. 404 out of scope; 403 unless the
    actor answers for it; 409 recorded already; 400 without an enterprise or with a bad value."""
    with transaction.atomic():
        first = _first_visible(actor, incident)
        enterprise = first.enterprise
        department = SupervisionMap().resolve(enterprise).department if enterprise is not None else None
        if not answers_for(actor, first.region_path, department.pk if department else None):
            raise PermissionDenied(
                _(
                    "Only the city safety office, the territory's government (its leader or duty officer) or the "
                    "supervising department (its head or staff) confirms an incident as an accident."
                )
            )
        existing = Accident.objects.filter(incident=first).first()
        if existing is not None:
            raise Conflict(_("This incident is recorded already: %(title)s.") % {"title": existing.title})
        if enterprise is None:
            raise ValidationError(
                {
                    "incident": _(
                        "This incident report names no enterprise; only an incident at an enterprise becomes "
                        "an accident record. Enter an accident without one as an accident elsewhere."
                    )
                }  # fmt: skip
            )
        errors: dict = {}
        _choice(kind, AccidentKind, "kind", _("Choose a production safety accident or a near miss."), errors)
        _choice(accident_type, AccidentType, "accident_type", _("Choose an accident type of GB 6441."), errors)
        direct = _causes(direct_causes, DirectCause, "direct_causes", errors)
        indirect = _causes(indirect_causes, IndirectCause, "indirect_causes", errors)
        title = _text(title, "title", _("The name"), errors, length=200)
        course = _text(course, "course", _("The course of the accident"), errors)
        if errors:
            raise ValidationError(errors)
        latest = first.supplements.order_by("-reported_at", "-id").first() or first
        accident = Accident(
            kind=kind, incident=first, title=title or default_title(enterprise.name, first.occurred_at,
                                                                    accident_type, kind),
            enterprise=enterprise, region=enterprise.region, region_path=enterprise.region.path,
            place=first.place, industry_id=enterprise.industry_id, department=department,
            accident_type=accident_type, grade=current_grade(first), occurred_at=first.occurred_at,
            course=course or first.course, direct_causes=direct, indirect_causes=indirect, deaths=latest.deaths,
            serious_injuries=latest.serious_injuries, missing=latest.missing, direct_loss=latest.direct_loss,
            created_by=actor,
        )  # fmt: skip
        try:
            with transaction.atomic():
                accident.save()
        except IntegrityError as exc:  # recorded by someone else in the meantime
            raise Conflict(_("This incident is recorded already.")) from exc
        record(actor, "accident.record", accident, {
            "incident": first.pk, "kind": kind, "accident_type": accident_type, "grade": accident.grade,
            "enterprise": enterprise.pk, "department": department.pk if department else None,
        })  # fmt: skip
        return accident


# --- an accident elsewhere ------------------------------------------------------------------------------------------


def record_external(actor: User, *, title: str, source: str, place: str, occurred_at: datetime,
                    industry: Industry | int | None, accident_type: str, grade: str = "",
                    enterprise_name: str = "", course: str = "", kind: str = AccidentKind.PRODUCTION,
                    direct_causes: Iterable[str] = (), indirect_causes: Iterable[str] = (),
                    **figures) -> Accident:  # fmt: skip
    """An accident in another city or province, entered for its lesson: the city office's staff only (403). Its grade
    is the one given, or (none given) the one its casualties and loss reach; never below what they reach."""
    if not may_record_external(actor):
        raise PermissionDenied(_("Only the city safety office's staff enter an accident elsewhere."))
    unknown = set(figures) - set(FIGURES)
    if unknown:
        raise TypeError(f"unexpected arguments: {sorted(unknown)}")
    errors: dict = {}
    title = _text(title, "title", _("The name"), errors, required=True, length=200)
    source = _text(source, "source", _("The source"), errors, required=True, length=200)
    place = _text(place, "place", _("The place"), errors, required=True, length=200)
    enterprise_name = _text(enterprise_name, "enterprise_name", _("The enterprise"), errors, length=200)
    course = _text(course, "course", _("The course of the accident"), errors)
    _choice(kind, AccidentKind, "kind", _("Choose a production safety accident or a near miss."), errors)
    _choice(accident_type, AccidentType, "accident_type", _("Choose an accident type of GB 6441."), errors)
    if grade:
        _choice(grade, Grade, "grade", _("Choose a grade."), errors)
    direct = _causes(direct_causes, DirectCause, "direct_causes", errors)
    indirect = _causes(indirect_causes, IndirectCause, "indirect_causes", errors)
    values = _figures(figures, errors)
    industry_pk = industry.pk if isinstance(industry, Industry) else industry
    if industry_pk is None or not Industry.objects.filter(pk=industry_pk).exists():
        errors["industry"] = _("Choose an industry.")
    if occurred_at is None:
        errors["occurred_at"] = _("Give the time of occurrence.")
    else:
        try:
            bounds.check_past(occurred_at, "occurred_at", _("The time of occurrence"))
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    full = {name: values.get(name, Decimal(0) if name == "direct_loss" else 0) for name in FIGURES}
    computed = grade_of(full["deaths"], full["serious_injuries"], full["direct_loss"])
    city = Region.objects.filter(parent__isnull=True).order_by("path").first()
    with transaction.atomic():
        accident = Accident.objects.create(
            kind=kind, external=True, source=source, title=title, enterprise_name=enterprise_name, region=city,
            region_path=city.path, place=place, industry_id=industry_pk, accident_type=accident_type,
            grade=_at_least(computed, grade) if grade else computed, occurred_at=occurred_at, course=course,
            direct_causes=direct, indirect_causes=indirect, created_by=actor, **full,
        )  # fmt: skip
        record(actor, "accident.record", accident, {
            "external": True, "source": source, "accident_type": accident_type, "grade": accident.grade,
        })  # fmt: skip
        return accident


# --- edit and close -------------------------------------------------------------------------------------------------


def _locked(actor: User, accident: Accident | int) -> Accident:
    pk = accident.pk if isinstance(accident, Accident) else accident
    row = (
        Accident.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("incident", "enterprise", "region", "industry", "department")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise Http404
    return row


def _clean_changes(accident: Accident, changes: dict, allowed: tuple[str, ...]) -> dict:
    """The given fields, validated (400 naming each); unknown fields are refused."""
    unknown = sorted(set(changes) - set(allowed))
    errors: dict = {}
    for name in unknown:
        errors[name] = _("This field cannot be changed here.")
    clean: dict = {}
    if "accident_type" in changes:
        clean["accident_type"] = _choice(changes["accident_type"], AccidentType, "accident_type",
                                         _("Choose an accident type of GB 6441."), errors)  # fmt: skip
    if "title" in changes:
        clean["title"] = _text(changes["title"], "title", _("The name"), errors, required=True, length=200)
    if "course" in changes:
        clean["course"] = _text(changes["course"], "course", _("The course of the accident"), errors)
    if "direct_causes" in changes:
        clean["direct_causes"] = _causes(changes["direct_causes"], DirectCause, "direct_causes", errors)
    if "indirect_causes" in changes:
        clean["indirect_causes"] = _causes(changes["indirect_causes"], IndirectCause, "indirect_causes", errors)
    clean.update(_figures(changes, errors))
    for name, label in (("source", _("The source")), ("place", _("The place")),
                        ("enterprise_name", _("The enterprise"))):  # fmt: skip
        if name in changes:
            clean[name] = _text(changes[name], name, label, errors, required=name != "enterprise_name", length=200)
    if "occurred_at" in changes:
        try:
            clean["occurred_at"] = bounds.check_past(changes["occurred_at"], "occurred_at",
                                                     _("The time of occurrence"))  # fmt: skip
        except (ValidationError, TypeError, AttributeError):
            errors["occurred_at"] = _("Give a time of occurrence that has passed.")
    if "industry" in changes:
        value = changes["industry"]
        pk = value.pk if isinstance(value, Industry) else value
        if not isinstance(pk, int) or not Industry.objects.filter(pk=pk).exists():
            errors["industry"] = _("Choose an industry.")
        else:
            clean["industry_id"] = pk
    if errors:
        raise ValidationError(errors)
    return clean


def _apply(actor: User, accident: Accident, clean: dict) -> dict:
    """Sets the changed fields and the grade their figures reach (never below the floor); returns from/to."""
    diff: dict = {}
    for name, value in clean.items():
        before = getattr(accident, name)
        if before != value:
            diff[name] = [_plain(before), _plain(value)]
            setattr(accident, name, value)
    if any(name in diff for name in FIGURES):
        graded = _at_least(grade_of(accident.deaths, accident.serious_injuries, accident.direct_loss),
                           grade_floor(accident))  # fmt: skip
        if graded != accident.grade:
            diff["grade"] = [accident.grade, graded]
            accident.grade = graded
    return diff


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def edit(actor: User, accident: Accident | int, changes: dict) -> Accident:
    """Change the given fields of a record under investigation (409 once closed). A change that changes nothing
    writes nothing. Audited `accident.edit` with from/to."""
    with transaction.atomic():
        accident = _locked(actor, accident)
        check(actor, accident, "edit")
        allowed = EDITABLE + EXTERNAL_EDITABLE if accident.external else EDITABLE
        clean = _clean_changes(accident, dict(changes), allowed)
        diff = _apply(actor, accident, clean)
        if not diff:
            return accident
        accident.save()
        record(actor, "accident.edit", accident, diff)
        return accident


def _report_content(upload) -> bytes:
    limit = settings.ACCIDENT_REPORT_MAX_BYTES
    if upload is None:
        raise ValidationError({"report": _("Attach the investigation report (a PDF).")})
    head = upload.read(len(pdfs.PDF_MAGIC))
    upload.seek(0)
    if not pdfs.looks_like_pdf(head):
        raise ValidationError({"report": _("The investigation report must be a PDF.")})
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            {"report": _("The file is larger than %(limit)s MB.") % {"limit": round(limit / 2**20, 1)}}
        )
    try:
        pdfs.check_pdf(content)
    except pdfs.PdfRejected as exc:
        raise ValidationError({"report": exc.message}) from exc
    return content


def close(actor: User, accident: Accident | int, *, report, findings: str, measures: str, **final) -> Accident:
    """调查中 → 结案: the investigation report (a PDF up to ACCIDENT_REPORT_MAX_BYTES), the responsibility findings
    and the measures, required; with it the final figures, type and causes (`final`, as `edit` takes them). At least
    one direct cause once closed. Audited `accident.close`."""
    with transaction.atomic():
        accident = _locked(actor, accident)
        check(actor, accident, "close")
        errors: dict = {}
        try:
            content = _report_content(report)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
            content = b""
        findings = _text(findings, "findings", _("The responsibility findings"), errors, required=True)
        measures = _text(measures, "measures", _("The measures"), errors, required=True)
        try:
            clean = _clean_changes(accident, dict(final), EDITABLE)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
            clean = {}
        causes = clean.get("direct_causes", accident.direct_causes)
        if not causes and "direct_causes" not in errors:
            errors["direct_causes"] = _("Name at least one direct cause before closing the investigation.")
        if errors:
            raise ValidationError(errors)
        diff = _apply(actor, accident, clean)
        now = timezone.now()
        accident.findings, accident.measures = findings, measures
        accident.investigation, accident.closed_at = Investigation.CLOSED, now
        accident.report.save(f"accident-{accident.pk}-{uuid.uuid4().hex[:12]}.pdf", ContentFile(content),
                             save=False)  # fmt: skip
        accident.save()
        diff["investigation"] = [Investigation.INVESTIGATING, Investigation.CLOSED]
        diff["report"] = accident.report.name
        record(actor, "accident.close", accident, diff)
        return accident


# --- what the pages show --------------------------------------------------------------------------------------------


def parties(accident: Accident) -> dict:
    """The three responsible parties: the territory (its region), the supervising department, the enterprise."""
    return {"territory": accident.region, "department": accident.department,
            "enterprise": accident.enterprise or accident.enterprise_name}  # fmt: skip


def cause_labels(codes: list[str], choices) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels.get(code, code)) for code in codes]
