"""Tip-offs for tests: `submit_report` through the intake (as the public form does), `make_report` written directly
in a given state (the writers have their own tests); `fields` override."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tipoffs.intake import Submission, new_secret, next_code, secret_hash, submit
from tipoffs.models import Informant, Report

PHONE = "13900001234"


def submission(world, **fields) -> Submission:
    values = {
        "kind": "hazard",
        "description": "仓库里堆放了大量易燃物品，消防通道被堵。",
        "region": world.t1,
        "address": "海滨路18号二号仓库",
        "enterprise_name": world.e1.name,
        "name": "李四",
        "phone": PHONE,
        **fields,
    }
    return Submission(**values)


def submit_report(world, actor=None, **fields):
    """A report through the intake; returns the receipt (report, secret)."""
    return submit(submission(world, **fields), actor=actor)


def make_report(world, state: str = "received", **fields) -> Report:
    now = timezone.now()
    values = {
        "code": next_code(timezone.localtime(now).year),
        "kind": "hazard",
        "description": "非法储存危险化学品",
        "region": world.t1,
        "region_path": world.t1.path,
        "address": "海滨路20号",
        "enterprise": world.e1,
        "enterprise_name": world.e1.name,
        "industry": world.e1.industry,
        "department": world.d1_yjj,
        "state": state,
        "received_at": now - timedelta(days=5),
        **fields,
    }
    if state != "received":
        values.setdefault("accepted_at", now - timedelta(days=4))
        values.setdefault("due_at", values["accepted_at"] + timedelta(days=60))
    if state in ("verified", "closed"):
        values.setdefault("verified_at", now - timedelta(days=1))
        values.setdefault("feedback_due_at", values["verified_at"] + timedelta(days=10))
        values.setdefault("outcome", "substantiated")
        values.setdefault("finding", "属实")
    if state == "closed":
        values.setdefault("closed_at", now)
        values.setdefault("answer", "已责令整改")
    report = Report.objects.create(**values)
    Informant.objects.create(report=report, name="王五", phone=PHONE, secret_hash=secret_hash(new_secret()))
    return report
