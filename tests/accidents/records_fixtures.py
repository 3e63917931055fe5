"""Helpers of the accident records' tests: an incident reported through the duty roster's writer at the World's
enterprise e1 (海滨化工, 海滨街道, chemicals: supervised by 海滨区应急管理局), a PDF, an API client.

Who answers for e1: the city office's `city`, 海滨区's leader `district`, 海滨区应急管理局's staff `county_dept`; not
the city 应急局's `inspector` (another department, an inspector), nor the enterprise, nor 住建局's `dept_head` (who
does not see it)."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accidents.demo import demo_report_pdf
from duty_roster import incidents
from duty_roster.choices import IncidentKind


def reported(actor, enterprise=None, region=None, **facts):
    now = timezone.now()
    values = {"kind": IncidentKind.PRODUCTION, "place": "二号仓库", "occurred_at": now - timedelta(hours=3),
              "known_at": now - timedelta(hours=2, minutes=50), "course": "仓库起火，两人受伤。",
              "serious_injuries": 2, "direct_loss": Decimal("300000"), **facts}  # fmt: skip
    return incidents.report(actor, incidents.Facts(enterprise=enterprise, region=region, **values))


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo_report_pdf("test"), "application/pdf")


def not_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>", "application/pdf")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def as_bytes(upload) -> io.BytesIO:
    upload.seek(0)
    return io.BytesIO(upload.read())
