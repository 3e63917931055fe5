"""The demo city's certificates and principal verifications (through the writers), for `seed_demo`: the demo
enterprise and most of 海滨区's producing enterprises are in order; a few show `no_certificate` (an expired
principal's certificate, a safety manager's missing) and `principal_unverified` (one found not in post, one checked
more than a year ago); and a 主要负责人全面核查 campaign over 海滨区 that has covered part of it. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from inspections.choices import CampaignKind
from inspections.models import Campaign
from inspections.workflow import create_campaign
from organizations.models import Department, Enterprise, Region, User

from . import certificates, verifications
from .models import Certificate, Verification
from .signals import PRODUCING

CAMPAIGN = "主要负责人全面核查"
# How many of 海滨区's producing enterprises (by id, besides the demo enterprise) get certificates and checks.
HOW_MANY = 12


def _certificate(actor, enterprise, holder: str, number: str, expires_in: int) -> int:
    if Certificate.objects.filter(enterprise=enterprise, number=number).exists():
        return 0
    today = timezone.localdate()
    principal = holder == "principal"
    certificates.record(
        actor, enterprise.pk, holder=holder,
        person_name=(enterprise.principal_name if principal else enterprise.safety_manager_name) or "张明",
        kind="principal_assessment" if principal else "manager_assessment", number=number,
        issued_on=today - timedelta(days=3 * 365 - expires_in), expires_on=today + timedelta(days=expires_in),
    )  # fmt: skip
    return 1


def _verification(actor, enterprise, *, in_post=True, note="", campaign=None, days_ago=0) -> int:
    if Verification.objects.filter(enterprise=enterprise, checked_by=actor).exists():
        return 0
    made = verifications.verify(
        actor, enterprise.pk, person_name=enterprise.principal_name or "张明", in_post=in_post, has_experience=True,
        experience_note="从事本行业十年以上", certificate_seen=in_post, note=note, campaign=campaign,
    )  # fmt: skip
    if days_ago:  # the demo's history: a check of long ago (the writer takes only recent ones)
        Verification.objects.filter(pk=made.pk).update(checked_at=timezone.now() - timedelta(days=days_ago))
    return 1


def _campaign(city: User) -> tuple[Campaign, int]:
    today = timezone.localdate()
    found = Campaign.objects.filter(name=CAMPAIGN, kind=CampaignKind.PRINCIPAL_VERIFICATION, created_by=city).first()
    dates = {"starts_on": today - timedelta(days=10), "ends_on": today + timedelta(days=20)}
    if found is not None:
        if not (found.starts_on <= today <= found.ends_on):
            Campaign.objects.filter(pk=found.pk).update(**dates)
            found.refresh_from_db()
        return found, 0
    values = {"name": CAMPAIGN, "kind": CampaignKind.PRINCIPAL_VERIFICATION, **dates,
              "lead_department": Department.objects.get(code="city-yjj"),
              "regions": list(Region.objects.filter(name="海滨区"))}  # fmt: skip
    return create_campaign(city, values), 1


def load_demo_people() -> dict[str, int]:
    city = User.objects.filter(username="demo-city").first()
    owner = User.objects.filter(username="demo-enterprise").select_related("enterprise").first()
    if city is None or owner is None or owner.enterprise is None:
        return {}
    made = {"certificates": 0, "verifications": 0}
    with transaction.atomic():
        campaign, campaigns_created = _campaign(city)
        firm = owner.enterprise
        # The demo enterprise: in order (its own certificates, checked in post in the campaign).
        made["certificates"] += _certificate(owner, firm, "principal", "AQ-DEMO-P", 700)
        made["certificates"] += _certificate(owner, firm, "safety_manager", "AQ-DEMO-M", 500)
        made["verifications"] += _verification(city, firm, campaign=campaign)
        district = Region.objects.get(name="海滨区")
        others = list(
            Enterprise.objects.filter(region__path__startswith=district.path, operating_state__in=PRODUCING)
            .exclude(pk=firm.pk)
            .order_by("id")[:HOW_MANY]
        )
        for n, enterprise in enumerate(others):
            code = f"AQ-{enterprise.pk:06d}"
            # no_certificate: the first's principal certificate expired 20 days ago, the second has no manager's
            made["certificates"] += _certificate(city, enterprise, "principal", code + "-P", -20 if n == 0 else 300 + n)
            if n != 1:
                made["certificates"] += _certificate(city, enterprise, "safety_manager", code + "-M", 30 + 40 * n)
            # principal_unverified: the third found not in post, the fourth checked 400 days ago; the rest in post,
            # every other one in the campaign (part coverage)
            if n == 2:
                away = "主要负责人长期不在岗，由生产副总代为主持工作"
                made["verifications"] += _verification(city, enterprise, in_post=False, campaign=campaign, note=away)
            elif n == 3:
                made["verifications"] += _verification(city, enterprise, days_ago=400)
            else:
                in_campaign = n % 2 == 1
                made["verifications"] += _verification(
                    city, enterprise, campaign=campaign if in_campaign else None, days_ago=0 if in_campaign else 40 + n
                )
    return {
        "certificates": Certificate.objects.count(), "certificates_created": made["certificates"],
        "verifications": Verification.objects.count(), "verifications_created": made["verifications"],
        "verification_campaigns_created": campaigns_created,
    }  # fmt: skip
