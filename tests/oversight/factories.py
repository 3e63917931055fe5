"""Oversight rows for tests, written directly (the writers have their own tests): certificates, verifications,
watches, visits, illegal operations and enforcement actions with sensible defaults; `fields` override."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from organizations.models import Department, Enterprise, User
from oversight.models import Certificate, EnforcementAction, IllegalOperation, Verification, Watch, WatchVisit


def make_certificate(enterprise: Enterprise, by: User, holder: str = "principal", **fields) -> Certificate:
    values = {
        "enterprise": enterprise,
        "holder": holder,
        "person_name": "张三",
        "kind": "principal_assessment" if holder == "principal" else "manager_assessment",
        "number": f"AQ{enterprise.pk:06d}{holder[0]}",
        "expires_on": timezone.localdate() + timedelta(days=365),
        "recorded_by": by,
        **fields,
    }
    return Certificate.objects.create(**values)


def make_verification(enterprise: Enterprise, by: User, **fields) -> Verification:
    values = {
        "enterprise": enterprise,
        "person_name": enterprise.principal_name or "张三",
        "in_post": True,
        "has_experience": True,
        "certificate_seen": True,
        "checked_by": by,
        **fields,
    }
    return Verification.objects.create(**values)


def make_watch(enterprise: Enterprise, department: Department, by: User, watchers=(), **fields) -> Watch:
    now = timezone.now()
    values = {
        "enterprise": enterprise,
        "department": department,
        "interval_days": 30,
        "started_by": by,
        "started_at": now,
        "due_at": now + timedelta(days=30),
        **fields,
    }
    watch = Watch.objects.create(**values)
    watch.watchers.set(watchers or [by])
    return watch


def make_visit(watch: Watch, by: User, **fields) -> WatchVisit:
    values = {"watch": watch, "enterprise": watch.enterprise, "visitor": by, "observations": ["no_activity"], **fields}
    return WatchVisit.objects.create(**values)


def make_illegal(enterprise: Enterprise | None, by: User, region=None, industry=None, **fields) -> IllegalOperation:
    region = region or enterprise.region
    values = {
        "enterprise": enterprise,
        "operator_name": enterprise.name if enterprise else "无名小作坊",
        "address": "某路1号",
        "region": region,
        "region_path": region.path,
        "industry": industry or enterprise.industry,
        "source": "patrol",
        "kind": "unlicensed",
        "description": "无证经营",
        "recorded_by": by,
        **fields,
    }
    return IllegalOperation.objects.create(**values)


def make_action(enterprise: Enterprise, department: Department, by: User, kind: str = "penalty", **fields):
    now = timezone.now()
    last = EnforcementAction.objects.filter(kind=kind, year=now.year).order_by("-serial").first()
    values = {
        "kind": kind,
        "enterprise": enterprise,
        "department": department,
        "year": now.year,
        "serial": (last.serial if last else 0) + 1,
        "facts": "检查发现违法行为",
        "basis": "《中华人民共和国安全生产法》第一百零二条",
        "issued_by": by,
        "issued_at": now,
        **fields,
    }
    return EnforcementAction.objects.create(**values)
