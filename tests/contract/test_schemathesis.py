"""Schemathesis over the whole OpenAPI schema, as the city office and as an enterprise (issue #12, point 17).

The test loads the demo city into the test database, starts the platform on a live server, fetches its
`/api/schema/` and runs the schemathesis CLI over it twice at once, with the city office's token and with an
enterprise's.
Every operation gets schema-conforming and schema-violating requests; the run fails on any finding of
not_a_server_error, status_code_conformance, response_schema_conformance, negative_data_rejection or
positive_data_acceptance. Seed, examples per operation and checks are in schemathesis.toml beside this file; each
role's figures are printed and kept in artifacts/schemathesis-<role>.json, its output in schemathesis-<role>.txt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from organizations.models import User

from ..conftest import need, reseed

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ARTIFACTS = ROOT / "artifacts"
ROLES = {"city_office": "demo-city", "enterprise": "demo-enterprise"}
# Both roles together, on a 2-core machine. The bound was 6 minutes in all (loading the city and starting take
# some 20 seconds of it); with the risks app's operations (181 in all, #17) a run takes 312-319 s on CI's machine,
# within that bound but with little room on a busy machine, so the runs are stopped at 420 s and the seconds each
# took are printed with its figures (README, Tests). The oversight app (#19) brought 25 operations more (233): its first
# run took 397 s and 414 s, so the bound is 540 s.
TIMEOUT = 540

pytestmark = pytest.mark.schemathesis


def test_schemathesis_as_city_office_and_enterprise(live_server, transactional_db):
    need("postgresql")
    reseed()
    call_command("seed_demo", stdout=StringIO())
    ARTIFACTS.mkdir(exist_ok=True)
    # The schema as the platform serves it, fetched once for both runs.
    with urlopen(f"{live_server.url}/api/schema/?format=json") as response:
        (ARTIFACTS / "schema.json").write_bytes(response.read())
    runs = {role: start(role, username, live_server.url) for role, username in ROLES.items()}
    deadline = time.monotonic() + TIMEOUT
    results = {role: finish(process, deadline) for role, process in runs.items()}
    problems = []
    for role, (code, output) in results.items():
        figures = summary(ARTIFACTS / f"schemathesis-{role}.json")
        sys.stdout.write(f"\nschemathesis as {role}: {figures}\n{output[-30000:]}\n")
        if code != 0:
            problems.append(f"as {role} ({'timed out' if code is None else figures}):\n{output[-15000:]}")
    assert not problems, "schemathesis found problems " + "\n".join(problems)


def start(role: str, username: str, url: str) -> subprocess.Popen:
    token = Token.objects.get_or_create(user=User.objects.get(username=username))[0].key
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(HERE / "schemathesis.toml"),
        "--no-color",
        "run", str(ARTIFACTS / "schema.json"), "--url", url,
        "--header", f"Authorization: Token {token}",
        "--report", "json", "--report-json-path", str(ARTIFACTS / f"schemathesis-{role}.json"),
    ]  # fmt: skip
    # Output to a file, not a pipe: two runs at once would block on a full pipe while the other is read.
    # The hooks serialise `ast.parse` between the workers' threads (st_hooks.py: a CPython 3.11.7 race).
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HERE / "st_hooks.py")}
    with open(ARTIFACTS / f"schemathesis-{role}.txt", "wb") as log:
        return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)


def finish(process: subprocess.Popen, deadline: float) -> tuple[int | None, str]:
    """The exit code (None when the time ran out: the process is killed) and the output."""
    try:
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        code = None
    log = Path(process.args[process.args.index("--report-json-path") + 1]).with_suffix(".txt")
    return code, log.read_text(errors="replace")


def summary(report: Path) -> dict:
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return {}
    return {"seconds": round(data["running_time"]), **data["test_cases"], "operations": data["operations"]["tested"]}
