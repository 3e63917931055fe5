"""Inspections: creating one, answering item by item (each answer saved at once), and submitting, which
turns every failed item into a hazard with its three responsibilities and legal basis.

Each function checks scope (404), role (403), state (409) and input (400), and writes in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import record
from hazards import workflow as hazard_workflow
from hazards.choices import Level, Source
from organizations.choices import UnitKind
from organizations.models import Enterprise, User
from organizations.roles import ENTERPRISE_STAFF, GOVERNMENT_STAFF, SUPERVISORS, holds_any, is_enterprise_staff_of
from organizations.scope import Scope
from safety_platform.lib import bounds
from safety_platform.lib.errors import Conflict
from safety_platform.lib.images import clean_images

from . import signals
from .choices import DONE, ENTERPRISE_KINDS, AnswerKind, InspectionKind, InspectionStatus, Result
from .models import (
    Answer,
    AnswerPhoto,
    Assignment,
    Campaign,
    ChecklistItem,
    ChecklistVersion,
    Difference,
    Finding,
    Inspection,
    Team,
)

if TYPE_CHECKING:
    from hazards.models import Hazard


def campaign_enterprises(campaign: Campaign, user: User | None = None):
    """The enterprises a campaign must cover, optionally cut to what `user` may see."""
    queryset = Enterprise.objects.all() if user is None else Enterprise.objects.visible_to(user)
    regions = list(campaign.regions.all())
    if regions:
        match = Q()
        for region in regions:
            match |= Q(region__path__startswith=region.path)
        queryset = queryset.filter(match)
    industries = list(campaign.industries.values_list("id", flat=True))
    if industries:
        reference = Scope.for_user(user).reference if user else None
        if reference is None:
            from organizations.scope import Reference

            reference = Reference()
        queryset = queryset.filter(industry_id__in=sorted(reference.with_descendants(industries)))
    if campaign.key_units_only:
        queryset = queryset.filter(is_key_unit=True)
    return queryset.filter(operating_state__in=campaign.operating_states or Campaign.DEFAULT_STATES)


@dataclass
class NewInspection:
    enterprise: Enterprise | int
    version: ChecklistVersion
    kind: str = InspectionKind.AD_HOC
    campaign: Campaign | None = None
    members: tuple = ()
    date: date | None = None
    original: Inspection | None = None


def require_starter(actor: User, kind: str) -> bool:
    """Government staff inspect; an enterprise's principal or safety manager runs its self-checks. Returns
    whether this is a self-check."""
    self_check = kind in ENTERPRISE_KINDS
    if not holds_any(actor, *(ENTERPRISE_STAFF if self_check else GOVERNMENT_STAFF)):
        raise PermissionDenied(_("Your position does not allow this."))
    return self_check


def refuse_lesson_kind(kind: str) -> None:
    """A comparison self-check (kind `lesson`) is started from its lesson's task only (accidents.selfchecks.start),
    never from the inspections' own form or API: a 400 on `kind`."""
    if kind == InspectionKind.LESSON:
        raise ValidationError({"kind": _("A comparison self-check is started from its lesson's task, not here.")})


def create(actor: User, new: NewInspection, *, from_lesson_task: bool = False) -> Inspection:
    """Plan or start an inspection. Government inspections need a team of two or more with the actor as lead;
    a self-check is the enterprise's own. Kind `lesson` only with `from_lesson_task` (accidents.selfchecks)."""
    if not from_lesson_task:
        refuse_lesson_kind(new.kind)
    self_check = require_starter(actor, new.kind)
    if new.kind == InspectionKind.SUPERVISION:
        new = _supervision(actor, new)
    if new.enterprise is None or new.version is None:
        raise ValidationError({"enterprise": _("Choose an enterprise and a checklist.")})
    enterprise_id = new.enterprise.pk if isinstance(new.enterprise, Enterprise) else new.enterprise
    enterprise = Enterprise.objects.visible_to(actor).select_related("region").filter(pk=enterprise_id).first()
    if enterprise is None:
        raise ValidationError({"enterprise": _("Choose an enterprise within your scope.")})
    members = {m for m in new.members if m.pk != actor.pk}
    if not self_check and not members:
        raise ValidationError({"members": _("An inspection needs a team of at least two inspectors.")})
    _require_inspectors("members", members)
    if new.date is not None:
        bounds.check_day(new.date, "date", _("The date"))
    if new.campaign is not None:
        if not campaign_enterprises(new.campaign).filter(pk=enterprise.pk).exists():
            raise ValidationError({"enterprise": _("This enterprise is outside the campaign's scope.")})
        if not new.campaign.versions.filter(pk=new.version.pk).exists():
            raise ValidationError({"version": _("The campaign does not use this checklist.")})
    with transaction.atomic():
        inspection = Inspection.objects.create(
            kind=new.kind,
            campaign=new.campaign,
            original=new.original,
            enterprise=enterprise,
            version=new.version,
            date=new.date or timezone.localdate(),
            lead=actor,
            created_by=actor,
            region_path=enterprise.region.path,
            industry_id=enterprise.industry_id,
        )
        inspection.members.set([actor, *members])
        record(actor, "inspection.create", inspection, {"kind": inspection.kind, "enterprise": enterprise.name})
        return inspection


def _require_inspectors(field: str, people) -> None:
    """Inspection teams are government inspectors: staff of a department or the city office holding an inspecting
    position. An enterprise's people, regional governments' and duty officers are refused, by name."""
    wrong = [
        p
        for p in people
        if not p.is_active
        or p.unit_kind not in (UnitKind.DEPARTMENT, UnitKind.CITY_OFFICE)
        or not p.holds(*GOVERNMENT_STAFF)
    ]
    if wrong:
        raise ValidationError(
            {
                field: _("%(names)s: team members must be inspectors of a department or the city office.")
                % {"names": "、".join(sorted(str(p) for p in wrong))}
            }
        )


def create_campaign(actor: User, values: dict) -> Campaign:
    """Start a campaign (department heads and the city office), recorded."""
    if not holds_any(actor, *SUPERVISORS):
        raise PermissionDenied(_("Only department heads and the city safety office can start campaigns."))
    relations = {k: values.pop(k, []) for k in ("regions", "industries", "versions")}
    campaign = Campaign(created_by=actor, **values)
    campaign.clean()
    with transaction.atomic():
        campaign.save()
        for name, items in relations.items():
            getattr(campaign, name).set(items)
        record(actor, "campaign.create", campaign, {"period": f"{campaign.starts_on} – {campaign.ends_on}"})
        return campaign


def assign_team(actor: User, campaign: Campaign, name: str, lead: User, members, enterprises) -> Team:
    """A campaign's team and the enterprises it covers; each in-scope enterprise goes to one team only."""
    if not holds_any(actor, *SUPERVISORS):
        raise PermissionDenied(_("Only department heads and the city office assign teams."))
    members = {m for m in members if m.pk != lead.pk}
    if not members:
        raise ValidationError({"members": _("An inspection needs a team of at least two inspectors.")})
    _require_inspectors("lead", [lead])
    _require_inspectors("members", members)
    ids = [e.pk for e in enterprises]
    in_scope = set(campaign_enterprises(campaign, actor).filter(pk__in=ids).values_list("pk", flat=True))
    outside = [e.name for e in enterprises if e.pk not in in_scope]
    if outside:
        raise ValidationError(
            {"enterprises": _("Outside the campaign's scope: %(names)s") % {"names": "、".join(outside)}}
        )
    taken = Assignment.objects.filter(campaign=campaign, enterprise_id__in=ids).select_related("enterprise", "team")
    if taken:
        raise ValidationError(
            {
                "enterprises": _("Already assigned: %(names)s")
                % {"names": "、".join(f"{a.enterprise.name}（{a.team}）" for a in taken)}
            }
        )
    with transaction.atomic():
        team = Team.objects.create(campaign=campaign, name=name, lead=lead)
        team.members.set([lead, *members])
        Assignment.objects.bulk_create([Assignment(campaign=campaign, enterprise_id=pk, team=team) for pk in ids])
        record(actor, "campaign.team", campaign, {"team": name, "lead": str(lead), "enterprises": len(ids)})
        return team


def _supervision(actor: User, new: NewInspection) -> NewInspection:
    """督导: a supervisor re-inspects a submitted inspection with the same checklist at the same enterprise."""
    if not holds_any(actor, *SUPERVISORS):
        raise PermissionDenied(_("Only department heads and the city office supervise inspections."))
    original = new.original
    if original is None or not Inspection.objects.visible_to(actor).filter(pk=original.pk).exists():
        raise ValidationError({"original": _("Choose the inspection to re-inspect.")})
    if original.status not in DONE or original.kind not in (InspectionKind.PLANNED, InspectionKind.AD_HOC):
        raise ValidationError({"original": _("Only a submitted inspection by inspectors can be re-inspected.")})
    new.enterprise, new.version = original.enterprise_id, original.version
    return new


def _locked(actor: User, inspection: Inspection | int) -> Inspection:
    pk = inspection.pk if isinstance(inspection, Inspection) else inspection
    found = Inspection.objects.visible_to(actor).select_for_update().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _require_team(actor: User, inspection: Inspection) -> None:
    if actor.is_superuser:
        return
    if inspection.kind in ENTERPRISE_KINDS:
        if is_enterprise_staff_of(actor, inspection.enterprise_id):
            return
    elif inspection.members.filter(pk=actor.pk).exists():
        return
    raise PermissionDenied(_("Only the inspection's team can do this."))


def _require_open(inspection: Inspection) -> None:
    if inspection.status in DONE:
        raise Conflict(_("This inspection has been submitted; its answers can no longer change."))


def check_value(item: ChecklistItem, result: str | None, number, text: str) -> tuple[str, Decimal | None]:
    """The result an answer really has; an answer that does not fit its item is a field error."""
    if item.answer_kind == AnswerKind.NUMBER:
        if number in (None, ""):
            raise ValidationError({"number": _("Enter the measured value.")})
        try:
            value = Decimal(str(number))
        except (InvalidOperation, ValueError):
            raise ValidationError({"number": _("Enter a number.")}) from None
        if not value.is_finite() or abs(value) >= Decimal("1e9"):
            raise ValidationError({"number": _("Enter a number.")})
        inside = (item.min_value is None or value >= item.min_value) and (
            item.max_value is None or value <= item.max_value
        )
        if result == Result.PASS and not inside:
            raise ValidationError({"number": _("This value is outside the limits, so the item cannot pass.")})
        return (Result.PASS if inside else Result.FAIL), value
    if item.answer_kind == AnswerKind.TEXT:
        return Result.PASS if (text or "").strip() or result == Result.NOT_APPLICABLE else Result.NOT_APPLICABLE, None
    if result not in Result.values:
        raise ValidationError({"result": _("Choose pass, fail or not applicable.")})
    return result, None


def answer(
    actor: User, inspection: Inspection | int, item_id: int, data: dict, photos=(), photo_key: uuid.UUID | None = None
) -> Answer:
    """Save one answer now (a draft): closing the browser or losing the network loses nothing already given.
    An offline device sends its photos one per request, each with its `photo_key`: a photo already stored under
    that key is not stored again (the values are still saved, as on any retry)."""
    if photo_key is not None and len(photos) > 1:
        raise ValidationError({"photos": _("Send one photo per request when it has a photo key.")})
    images = clean_images(photos, "photos", named=False)
    with transaction.atomic():
        inspection = _locked(actor, inspection)
        _require_team(actor, inspection)
        _require_open(inspection)
        item = ChecklistItem.objects.filter(pk=item_id, section__version=inspection.version).first()
        if item is None:
            raise ValidationError({"item": _("This item is not on the inspection's checklist.")})
        result, number = check_value(item, data.get("result"), data.get("number"), data.get("text", ""))
        existing = Answer.objects.filter(inspection=inspection, item=item).first()
        if photo_key is not None and existing is not None and existing.photos.filter(upload_key=photo_key).exists():
            images = []  # this photo came before: the already-stored one counts for the rule below
        has_photo = bool(images) or (existing is not None and existing.photos.exists())
        if result == Result.FAIL and item.photo_required_on_fail and not has_photo:
            raise ValidationError({"photos": _("A failed item needs a photo.")})
        values = {"result": result, "number": number, "text": (data.get("text") or "")[:1000],
                  "note": (data.get("note") or "")[:500]}  # fmt: skip
        changes = _answer_changes(existing, values)
        if existing is not None and not changes and not images:
            return existing  # the same answer again (a retry on a bad network): nothing to write
        saved, _created = Answer.objects.update_or_create(
            inspection=inspection, item=item, defaults={**values, "answered_by": actor, "answered_at": timezone.now()}
        )
        for image in images:
            AnswerPhoto(answer=saved, uploaded_by=actor, upload_key=photo_key).store(image)
        record(actor, "inspection.answer", inspection, {"item": item.pk, **changes, "photos": len(images)})
        if inspection.status == InspectionStatus.PLANNED:
            inspection.status = InspectionStatus.IN_PROGRESS
            inspection.save(update_fields=["status"])
        return saved


def _answer_changes(existing: Answer | None, values: dict) -> dict:
    """What an answer changes, as {field: [from, to]} in plain text for the audit trail."""
    changes = {}
    for field, new in values.items():
        old = getattr(existing, field) if existing is not None else None
        if old != new and not (existing is None and new in ("", None)):
            changes[field] = [None if old is None else str(old), None if new is None else str(new)]
    return changes


def preview(inspection: Inspection) -> list[Answer]:
    """The failed answers: what becomes a hazard on submit, for the team to review first."""
    return list(inspection.answers.filter(result=Result.FAIL).select_related("item", "item__section", "item__category"))


def score(inspection: Inspection) -> Decimal | None:
    """Weighted share of passed items among those answered pass or fail, out of 100."""
    weights = {Result.PASS: 0, Result.FAIL: 0}
    for result, weight in inspection.answers.exclude(result=Result.NOT_APPLICABLE).values_list(
        "result", "item__weight"
    ):
        weights[result] += weight
    total = weights[Result.PASS] + weights[Result.FAIL]
    return (Decimal(weights[Result.PASS] * 100) / total).quantize(Decimal("0.1")) if total else None


def submit(actor: User, inspection: Inspection | int, submit_key: uuid.UUID, representative: str = "") -> Inspection:
    """Submit once: every item answered; every failed item becomes a hazard (major when the item is a
    major-hazard criterion) with the item's legal basis and the answer's photos. The same key again returns
    the submitted inspection; a different key is a conflict."""
    with transaction.atomic():
        inspection = _locked(actor, inspection)
        _require_team(actor, inspection)
        if inspection.status in DONE:
            if inspection.submit_key == submit_key:
                return inspection
            raise Conflict(_("This inspection has already been submitted."))
        _check_complete(inspection)
        failed_items = preview(inspection)
        for failed in failed_items:
            failed.hazard = _file(actor, inspection, failed)
            failed.save(update_fields=["hazard"])
        if inspection.kind == InspectionKind.SUPERVISION and inspection.original_id:
            record_differences(inspection)
        inspection.status = InspectionStatus.SUBMITTED
        inspection.submit_key = submit_key
        inspection.submitted_at = timezone.now()
        inspection.representative = representative[:100]
        inspection.score = score(inspection)
        inspection.save(update_fields=["status", "submit_key", "submitted_at", "representative", "score"])
        record(actor, "inspection.submit", inspection, {"score": str(inspection.score), "hazards": len(failed_items)})
        signals.submitted.send(Inspection, inspection=inspection, actor=actor, hazards=[a.hazard for a in failed_items])
        return inspection


def file_finding(
    actor: User, inspection: Inspection | int, values: dict, key: uuid.UUID, photos=()
) -> tuple[Hazard, bool]:
    """Something found during an inspection that is not on its checklist, filed as a hazard now (with the
    inspection's source) and listed with the inspection; returns (hazard, created). `values` holds the hazard's
    title, place, category, level, description and legal_basis. The same key from the same person returns the
    finding filed first, even once the inspection is submitted (an offline queue sends it late, perhaps twice)."""
    pk = inspection.pk if isinstance(inspection, Inspection) else inspection
    earlier = Finding.objects.filter(inspection_id=pk, hazard__created_by=actor, hazard__idempotency_key=key)
    if (found := earlier.select_related("hazard").first()) is not None:
        return found.hazard, False
    with transaction.atomic():
        inspection = _locked(actor, pk)
        # a retry that came while the first was still being written waited for its lock: it finds the finding now
        if (found := earlier.select_related("hazard").first()) is not None:
            return found.hazard, False
        _require_team(actor, inspection)
        if inspection.status in DONE:
            raise Conflict(
                _(
                    "This inspection was submitted meanwhile, so a finding can no longer be added to it. "
                    "File it as a separate hazard, or discard it."
                )
            )
        filing = hazard_workflow.Filing(
            enterprise=inspection.enterprise,
            title=values["title"],
            place=values["place"],
            category=values["category"],
            level=values.get("level") or Level.GENERAL,
            description=values.get("description") or "",
            legal_basis=values.get("legal_basis") or "",
            source=SOURCES.get(inspection.kind, Source.INSPECTION),
            photos=tuple(photos),
            idempotency_key=key,
        )
        try:
            hazard, created = hazard_workflow.file_hazard(actor, filing)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "enterprise" in exc.error_dict:
                raise ValidationError(
                    {
                        "enterprise": _(
                            "%(name)s is no longer within your scope, so you cannot file a hazard for it. "
                            "Ask its supervising department to file this finding."
                        )
                        % {"name": inspection.enterprise.name}
                    }
                ) from exc
            raise
        if not created:  # this key filed a hazard outside this inspection
            raise ValidationError({"idempotency_key": _("This key was already used for another hazard.")})
        Finding.objects.create(inspection=inspection, hazard=hazard, created_by=actor)
        record(actor, "inspection.finding", inspection, {"hazard": hazard.code, "title": hazard.title})
        return hazard, True


def close(actor: User, inspection: Inspection | int) -> Inspection:
    """Close a submitted inspection (its findings live on as hazards): the lead, or a department head."""
    with transaction.atomic():
        inspection = _locked(actor, inspection)
        if not (actor.pk == inspection.lead_id or holds_any(actor, *SUPERVISORS)):
            raise PermissionDenied(_("Only the team lead or a department head can close an inspection."))
        if inspection.status != InspectionStatus.SUBMITTED:
            raise Conflict(_("Only a submitted inspection can be closed."))
        inspection.status = InspectionStatus.CLOSED
        inspection.save(update_fields=["status"])
        record(actor, "inspection.close", inspection)
        return inspection


def record_differences(supervision: Inspection) -> list[Difference]:
    """Items the supervisors failed that the original inspection passed or left out, against the original."""
    before = dict(supervision.original.answers.values_list("item_id", "result"))
    differences = [
        Difference(
            supervision=supervision,
            original_id=supervision.original_id,
            item_id=item_id,
            original_result=before.get(item_id, ""),
            supervision_result=Result.FAIL,
        )  # fmt: skip
        for item_id in supervision.answers.filter(result=Result.FAIL).values_list("item_id", flat=True)
        if before.get(item_id) != Result.FAIL
    ]
    return Difference.objects.bulk_create(differences, ignore_conflicts=True)


def unanswered(inspection: Inspection) -> list[ChecklistItem]:
    """The items still to answer before submitting (text items may stay empty), in checklist order."""
    return list(
        ChecklistItem.objects.filter(section__version=inspection.version)
        .exclude(answer_kind=AnswerKind.TEXT)
        .exclude(pk__in=inspection.answers.values("item_id"))
        .select_related("section")
        .order_by("section__order", "order")
    )


def _check_complete(inspection: Inspection) -> None:
    missing = unanswered(inspection)
    if missing:
        names = "；".join(item.text for item in missing[:5]) + ("……" if len(missing) > 5 else "")
        raise ValidationError(
            {"answers": _("%(count)d items are not answered yet: %(items)s") % {"count": len(missing), "items": names}}
        )


def _file(actor: User, inspection: Inspection, failed: Answer):
    """A failed item as a hazard: the inspector's finding is its title ("未达标：<item>" when nothing was written),
    the place is where it was found (the section's title when no place was given), and the item's requirement and
    legal basis go with it."""
    item = failed.item
    category = item.category or hazard_workflow.other_category()
    filing = hazard_workflow.Filing(
        enterprise=inspection.enterprise,
        title=finding_title(failed),
        place=(failed.note.strip() or item.section.title)[:200],
        category=category,
        level=Level.MAJOR if item.major_criterion else Level.GENERAL,
        description=_describe(failed),
        source=SOURCES.get(inspection.kind, Source.INSPECTION),
        legal_basis=item.legal_basis,
        checklist_item=item.text,
        idempotency_key=uuid.uuid5(uuid.NAMESPACE_URL, f"inspection-answer:{failed.pk}"),
    )
    hazard, _created = hazard_workflow.file_hazard(actor, filing)
    # the same stored files, now also the hazard's finding photos (with the hazard's timeline event)
    hazard_workflow.attach_inspection_photos(actor, hazard, failed.photos.all())
    return hazard


# The hazard source of a failed item, by the inspection's kind (an inspection by inspectors otherwise).
SOURCES = {
    InspectionKind.SELF_CHECK: Source.SELF_CHECK,
    InspectionKind.SUPERVISION: Source.SUPERVISION,
    InspectionKind.LESSON: Source.ACCIDENT_LESSON,
}

TITLE_LENGTH = 200


def finding_title(failed: Answer) -> str:
    """What the inspector found, or "未达标：<item>" (the requirement that was not met) when nothing was written."""
    finding = " ".join(failed.text.split())
    if not finding:
        with translation.override(settings.LANGUAGE_CODE):  # a record's words, whoever's screen they came from
            finding = _("Not met: %(item)s") % {"item": failed.item.text}
    return finding if len(finding) <= TITLE_LENGTH else finding[: TITLE_LENGTH - 1] + "…"


def plain_number(value: Decimal | None) -> str:
    """A decimal as a person writes it: 0.9, 100, 1.25 (not 0.900 or 1E+2)."""
    return "" if value is None else f"{value.normalize():f}"


def _describe(failed: Answer) -> str:
    """The measured value against its limits, and the whole finding when the title had to shorten it."""
    parts = []
    if failed.number is not None:
        with translation.override(settings.LANGUAGE_CODE):  # a record's words, whoever's screen they came from
            parts.append(_measured(failed))
    if len(" ".join(failed.text.split())) > TITLE_LENGTH:
        parts.append(failed.text)
    return "\n".join(parts)


def _measured(failed: Answer) -> str:
    item, value = failed.item, plain_number(failed.number)
    limits = " ".join(
        f"{sign} {plain_number(limit)}"
        for sign, limit in (("≥", item.min_value), ("≤", item.max_value))
        if limit is not None
    )
    if limits:
        return _("Measured: %(value)s %(unit)s (required: %(limits)s)") % {
            "value": value,
            "unit": item.unit,
            "limits": limits,
        }
    return _("Measured: %(value)s %(unit)s") % {"value": value, "unit": item.unit}
