"""The one writer of principal verifications (主要负责人核查): the government's staff in scope check that an
enterprise's principal person is in post and has safety management experience, and whether the certificate was seen;
a check may belong to a 主要负责人全面核查 campaign, whose coverage counts these rows (registered with
inspections.coverage from OversightConfig.ready()). The row and its audit record in one transaction; see
docs/oversight.md."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import record as audit
from inspections.choices import CampaignKind
from inspections.models import Campaign
from organizations.models import Enterprise, User
from safety_platform.lib import rules

from .certificates import is_government_staff
from .models import Verification

FIELDS = ("person_name", "in_post", "has_experience", "experience_note", "certificate_seen", "note", "campaign",
          "checked_at")  # fmt: skip
# A check entered afterwards may be dated this far back at most.
BACKDATE_DAYS = 30


def _verifies(actor: User, enterprise: Enterprise) -> None:
    if not is_government_staff(actor):
        raise PermissionDenied(_("Principal persons are verified by the government's staff."))


RULES: dict[str, rules.Rule] = {"verify": rules.Rule(_verifies)}


def may_verify(actor: User, enterprise: Enterprise | None = None) -> bool:
    return is_government_staff(actor)


def campaign_rows(campaign: Campaign) -> QuerySet:
    """What covers an enterprise in a 全面核查 campaign: its verifications recorded in the campaign."""
    return Verification.objects.filter(campaign=campaign)


def open_campaigns(actor: User) -> QuerySet:
    """The 全面核查 campaigns running today that a check may be recorded in."""
    today = timezone.localdate()
    return Campaign.objects.visible_to(actor).filter(
        kind=CampaignKind.PRINCIPAL_VERIFICATION, starts_on__lte=today, ends_on__gte=today
    )


def _clean(actor: User, values: dict) -> dict:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned = {
        "person_name": (values.get("person_name") or "").strip(),
        "experience_note": (values.get("experience_note") or "").strip(),
        "note": (values.get("note") or "").strip(),
        "certificate_seen": bool(values.get("certificate_seen")),
    }
    for name in ("in_post", "has_experience"):
        if not isinstance(values.get(name), bool):
            errors[name] = [_("Answer yes or no.")]
        cleaned[name] = values.get(name)
    if not cleaned["person_name"]:
        errors["person_name"] = [_("Give the name of the principal person checked.")]
    if cleaned["in_post"] is False and not cleaned["note"]:
        errors["note"] = [_("Say what was found: who runs the enterprise while the principal person is away.")]
    now = timezone.now()
    checked_at = values.get("checked_at") or now
    if checked_at > now + timedelta(minutes=5):
        errors["checked_at"] = [_("The check cannot be in the future.")]
    elif checked_at < now - timedelta(days=BACKDATE_DAYS):
        errors["checked_at"] = [_("A check is entered within %(days)d days.") % {"days": BACKDATE_DAYS}]
    cleaned["checked_at"] = checked_at
    campaign = values.get("campaign")
    if campaign not in (None, ""):
        campaign_id = campaign.pk if isinstance(campaign, Campaign) else campaign
        day = timezone.localdate(checked_at)
        campaign = (
            Campaign.objects.visible_to(actor)
            .filter(pk=campaign_id, kind=CampaignKind.PRINCIPAL_VERIFICATION, starts_on__lte=day, ends_on__gte=day)
            .first()
        )
        if campaign is None:
            errors["campaign"] = [_("Choose a principal verification campaign running on the day of the check.")]
    cleaned["campaign"] = campaign or None
    if errors:
        raise ValidationError(errors)
    return cleaned


def verify(actor: User, enterprise_id: int, **values) -> Verification:
    """Record a check of the enterprise's principal person (the government's staff in scope): 403 when the actor
    may not, 400 by field when a value is wrong; the enterprise is locked in the actor's scope (404 outside it)."""
    if not is_government_staff(actor):  # before anything about the values is said
        raise PermissionDenied(_("Principal persons are verified by the government's staff."))
    cleaned = _clean(actor, values)
    with transaction.atomic():
        enterprise = (
            Enterprise.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=enterprise_id).first()
        )
        if enterprise is None:
            raise Http404
        rules.check(RULES, actor, enterprise, "verify")
        verification = Verification(enterprise=enterprise, checked_by=actor, **cleaned)
        verification.full_clean(exclude=["enterprise", "checked_by", "campaign"])
        verification.save()
        audit(actor, "verification.record", verification, {
            "enterprise": enterprise.pk, "person_name": verification.person_name, "in_post": verification.in_post,
            "has_experience": verification.has_experience, "certificate_seen": verification.certificate_seen,
            "campaign": verification.campaign_id,
        })  # fmt: skip
        return verification
