"""Schemathesis over the whole OpenAPI schema, as the city office and as an enterprise (issue #12, point 17).

The test loads the demo city into the test database, starts the platform on a live server and runs the
schemathesis CLI against `/api/schema/` with the role's token. Every operation gets schema-conforming and
schema-violating requests; the run fails on any finding of not_a_server_error, status_code_conformance,
response_schema_conformance, negative_data_rejection or positive_data_acceptance. Seed, examples per operation
and checks are in schemathesis.toml beside this file; the figures of each run are printed and kept in
artifacts/schemathesis-<role>.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from organizations.models import User

from ..conftest import reseed

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ARTIFACTS = ROOT / "artifacts"
ROLES = {"city_office": "demo-city", "enterprise": "demo-enterprise"}
# Both roles together stay within 6 minutes on a 2-core machine; one role takes about half of that.
TIMEOUT = 170

pytestmark = pytest.mark.schemathesis


@pytest.mark.parametrize("role", list(ROLES))
def test_schemathesis(role, live_server, transactional_db):
    reseed()
    call_command("seed_demo", stdout=StringIO())
    token = Token.objects.get_or_create(user=User.objects.get(username=ROLES[role]))[0].key
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"schemathesis-{role}.json"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(HERE / "schemathesis.toml"),
        "--no-color",
        "run", f"{live_server.url}/api/schema/",
        "--header", f"Authorization: Token {token}",
        "--report", "json", "--report-json-path", str(report),
    ]  # fmt: skip
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT)
    figures = summary(report)
    sys.stdout.write(f"\nschemathesis as {role}: {figures}\n{run.stdout[-20000:]}\n{run.stderr[-3000:]}")
    assert run.returncode == 0, f"schemathesis found problems as {role} ({figures}):\n{run.stdout[-20000:]}"


def summary(report: Path) -> dict:
    if not report.exists():
        return {}
    data = json.loads(report.read_text())
    return {key: data[key] for key in ("operations", "cases", "failures", "errors") if key in data} or data
