"""The embedded mode (`make run` without DATABASE_URL: SQLite, no Redis) runs the periodic sweep: every domain's
sweeper, the tip-offs' limits included, whose SQL is written per database (tipoffs/limits.py). The rest of the
suite runs on PostgreSQL, so this runs a child process on a SQLite file of its own."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from ..processes import PYTHON, ROOT

pytestmark = pytest.mark.integration

SCRIPT = """
import json
from datetime import timedelta
from django.utils import timezone
from notifications import sweeps
from organizations.models import Industry, Region
from tipoffs.intake import new_secret, secret_hash
from tipoffs.models import Informant, Report

now = timezone.now()
city = Region.objects.create(code="990100", name="滨海市", level="city")
industry = Industry.objects.create(code="S01", name="危险化学品")
common = {"kind": "hazard", "description": "举报", "region": city, "region_path": city.path, "address": "某地",
          "industry": industry}
made = [
    Report.objects.create(code="JB-2026-000001", state="accepted", accepted_at=now - timedelta(days=61),
                          due_at=now - timedelta(days=1), **common),
    Report.objects.create(code="JB-2026-000002", state="accepted", accepted_at=now - timedelta(days=55),
                          due_at=now + timedelta(days=5), **common),
    Report.objects.create(code="JB-2026-000003", state="verified", accepted_at=now - timedelta(days=20),
                          due_at=now + timedelta(days=40), verified_at=now - timedelta(days=11),
                          feedback_due_at=now - timedelta(days=1), outcome="substantiated", **common),
]
for report in made:
    Informant.objects.create(report=report, secret_hash=secret_hash(new_secret()))
first, again = sweeps.run(), sweeps.run()
print(json.dumps({"first": first.steps, "again": again.steps,
                  "marks": sorted(e.data["step"] + ":" + e.data["limit"] for r in made for e in r.events.all())}))
"""


def test_the_sweep_runs_on_sqlite_and_sends_each_limit_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DEBUG="1", VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="safety_platform.settings")
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=600)
    done = subprocess.run([*manage, "shell", "-c", SCRIPT], env=env, cwd=ROOT, check=True, timeout=300,
                          capture_output=True, text=True)  # fmt: skip
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # an overdue handling limit, a reminder due within 7 days, an overdue answer: each once, nothing the second time
    assert found == {"first": 3, "again": 0, "marks": ["overdue:due", "overdue:feedback", "remind:due"]}
