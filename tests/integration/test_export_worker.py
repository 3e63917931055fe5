"""A large ledger export written by a real Celery worker, read back through the download link."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.models import ExportJob
from notifications.models import Notification

from ..conftest import need
from ..dashboards.conftest import put
from ..processes import celery, child_env, running, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_writes_a_large_export_and_its_owner_downloads_it(client, world, settings, tmp_path):
    """GIVEN a city office user and an export above EXPORT_SYNC_LIMIT WHEN they ask for it THEN a job is queued, a
    real worker writes the file with its progress, the owner is told, and the download holds every row."""
    need("postgresql", "redis")
    settings.EXPORT_SYNC_LIMIT = 3
    settings.MEDIA_ROOT = tmp_path / "var" / "media"  # the worker's VAR_DIR is tmp_path/var
    now = timezone.now()
    for i in range(12):
        put(world, (world.e1, world.e2)[i % 2], "rectifying", now - timedelta(days=i + 1),
             deadline=now + timedelta(days=5 - i, hours=12))  # fmt: skip
    user = world.users["city"]
    client.force_login(user)
    with running("worker", celery("worker", "-l", "info", "-c", "1"), child_env(tmp_path), tmp_path):
        response = client.post(reverse("dashboards:ledger"), {"format": "xlsx"})
        assert response.status_code == 302
        job = ExportJob.objects.get(owner=user)
        wait_for(lambda: ExportJob.objects.get(pk=job.pk).state == "done", 60, "the worker to write the export")
    job.refresh_from_db()
    assert (job.done, job.total) == (12, 12)
    data = b"".join(client.get(reverse("dashboards:export-download", args=[job.pk])).streaming_content)
    rows = list(openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 14 and rows[0][0].startswith("滨海市") and rows[1][1] == "隐患编号"  # title row, header
    assert sum(1 for r in rows[2:] if r[15] == "是") == 6  # deadlines 5 days ahead down to 6 days ago
    assert Notification.objects.filter(recipient=user, key=f"export:{job.pk}:{user.pk}").exists()
