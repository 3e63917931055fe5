"""Reads from a real PostgreSQL streaming replica (docs/replica.md).

A primary and a streaming replica of their own (initdb, pg_basebackup -R) in a temporary directory on free ports,
loaded with the test's city; gunicorn runs with DATABASE_URL at the primary and DATABASE_REPLICA_URL at the replica.
With the replica's replay paused, a hazard filed on the primary is missing from another user's list, read from the
replica, while its filer, pinned to the primary by their write, sees it; another gunicorn that tolerates one second
of lag reads it from the primary; with the replica stopped every page still answers, from the primary.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from ..conftest import REQUIRE_SERVICES, need
from ..processes import PYTHON, child_env, fetch, free_port, running, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: its servers and tools run as the postgres user then."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *args], check=True, capture_output=True, text=True, **kwargs)


class Cluster:
    def __init__(self, root: Path, name: str, port: int) -> None:
        self.data, self.port, self.log = root / name, port, root / f"{name}.log"

    def start(self) -> None:
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start"])

    def stop(self) -> None:
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def sql(self, query: str, db: str = "postgres") -> str:
        return _as_postgres(
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db, "-Atc", query]
        ).stdout.strip()

    def url(self, db: str, user: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{db}"


@pytest.fixture(scope="module")
def clusters():
    """A primary (wal_level=replica) and its streaming replica, for the module; removed afterwards."""
    missing = [
        name for name in ("initdb", "pg_ctl", "pg_basebackup", "psql", "pg_dump") if not (PG_BIN / name).exists()
    ]
    if missing or (os.geteuid() == 0 and shutil.which("runuser") is None):
        reason = f"PostgreSQL server binaries missing in {PG_BIN}: {', '.join(missing) or 'runuser'}"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="replica-test-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary = Cluster(root, "primary", free_port())
    replica = Cluster(root, "replica", free_port())
    started = []
    try:
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(primary.data), "-U", "postgres", "--auth=trust",
                      "-E", "UTF8", "--locale=C.UTF-8"])  # fmt: skip
        settings = (
            f"port = {primary.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{root}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nfsync = off\nsynchronous_commit = off\n"
        )
        with open(primary.data / "postgresql.conf", "a") as conf:
            conf.write(settings)
        with open(primary.data / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        primary.start()
        started.append(primary)
        primary.sql("CREATE ROLE reader LOGIN")
        _as_postgres([str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                      "-D", str(replica.data), "-R", "-X", "stream"])  # fmt: skip
        with open(replica.data / "postgresql.conf", "a") as conf:
            conf.write(f"port = {replica.port}\nhot_standby = on\n")
        replica.start()
        started.append(replica)
        assert replica.sql("SELECT pg_is_in_recovery()") == "t"
        yield primary, replica
    finally:
        for cluster in reversed(started):
            with contextlib.suppress(subprocess.CalledProcessError):  # stopped by the test already
                cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def load_test_database(primary: Cluster, name: str) -> None:
    """Copy the test database (the test's city, its tokens and sessions) into the primary, as database `name`."""
    s = connection.settings_dict
    primary.sql(f"CREATE DATABASE {name}")
    dump = subprocess.run(
        [str(PG_BIN / "pg_dump"), "-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"],
         "--no-owner", "--no-privileges", s["NAME"]],
        check=True, capture_output=True, env={**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""},
    )  # fmt: skip
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [*prefix, str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "-d", name,
         "-q", "-v", "ON_ERROR_STOP=1"],
        input=dump.stdout, check=True, capture_output=True,
    )  # fmt: skip


def call(base: str, path: str, *, token: str | None = None, session: str | None = None, data: dict | None = None):
    headers = {"Accept-Language": "zh-CN"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if session:
        headers["Cookie"] = f"sessionid={session}"
    return fetch(base + path, data, headers)


def titles(base: str, token: str) -> set[str]:
    status, body = call(base, "/api/v1/hazards/?page_size=200", token=token)
    assert status == 200, body[:500]
    return {row["title"] for row in json.loads(body)["results"]}


def test_reads_from_the_replica_but_not_ones_own_writes_nor_when_it_lags_or_is_down(clusters, world, tmp_path):
    need("postgresql", "redis")
    primary, replica = clusters
    filer, other = world.users["enterprise"], world.users["city"]
    filer_token, other_token = Token.objects.create(user=filer).key, Token.objects.create(user=other).key
    browser = Client()
    browser.force_login(other)
    other_session = browser.cookies["sessionid"].value
    name = f"app_{uuid.uuid4().hex[:8]}"
    load_test_database(primary, name)
    # the web processes read the replica as a role that may only connect and select (no pg_read_all_stats)
    primary.sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader", db=name)
    # the city is on the replica too before anyone reads (the copy is streamed to it)
    wait_for(lambda: replica.sql("SELECT count(*) FROM organizations_user", db=name) == str(
        type(filer).objects.count()), 30, "the city to reach the replica")  # fmt: skip

    import redis
    from django.conf import settings

    pins = redis.Redis.from_url(settings.REDIS_URL)
    for user in (filer, other):  # a pin left by an earlier run's user of the same id
        pins.delete(f":1:replica-pin:{user.pk}")

    common = dict(
        DATABASE_URL=primary.url(name), DATABASE_REPLICA_URL=replica.url(name, "reader"), DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1", REPLICA_PIN_SECONDS="600", REPLICA_CHECK_SECONDS="0.2",
        # The dashboard's figures read here must be read from the database each time, not from the per-scope cache
        # (which would hand the strict server what the tolerant one computed from the lagging replica).
        DASHBOARD_CACHE_SECONDS="0",
    )  # fmt: skip
    tolerant = child_env(tmp_path / "a", **common, REPLICA_MAX_LAG="3600")
    strict = child_env(tmp_path / "b", **common, REPLICA_MAX_LAG="1")
    ports = free_port(), free_port()
    a, b = (f"http://127.0.0.1:{port}" for port in ports)

    def gunicorn(port: int) -> list[str]:
        return [PYTHON, "-m", "gunicorn", "safety_platform.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"]

    for env in (tolerant, strict):
        Path(env["VAR_DIR"]).mkdir(parents=True)
    with (
        running("gunicorn-tolerant", gunicorn(ports[0]), tolerant, tmp_path / "a"),
        running("gunicorn-strict", gunicorn(ports[1]), strict, tmp_path / "b"),
    ):
        for base in (a, b):
            wait_for(lambda base=base: call(base, "/healthz")[0] == 200, 60, f"gunicorn at {base}")
        assert titles(a, other_token) == titles(b, other_token) == set()

        # The replica stops replaying; a hazard filed now is on the primary only.
        replica.sql("SELECT pg_wal_replay_pause()")
        wait_for(lambda: replica.sql("SELECT pg_get_wal_replay_pause_state()") == "paused", 10, "replay to pause")
        hazard = {"enterprise": world.e1.pk, "title": "灭火器过期", "place": "一号仓库", "category": "fire",
                  "level": "general"}  # fmt: skip
        status, body = call(a, "/api/v1/hazards/", token=filer_token, data=hazard)
        assert status == 201, body[:500]  # written on the primary: the replica would refuse it (read-only)
        assert primary.sql("SELECT count(*) FROM hazards_hazard", db=name) == "1"
        assert replica.sql("SELECT count(*) FROM hazards_hazard", db=name) == "0"

        # The filer wrote, so they read from the primary and see their hazard at once ...
        assert titles(a, filer_token) == {"灭火器过期"}
        # ... while another user's list, page and dashboard come from the replica, which has not got it yet.
        assert titles(a, other_token) == set()
        status, page = call(a, "/hazards/", session=other_session)
        assert status == 200 and "灭火器过期" not in page.decode()
        status, board = call(a, "/api/v1/dashboard/", token=other_token)
        assert status == 200 and json.loads(board)["totals"]["found"] == 0, board[:300]

        # A web process that tolerates one second of lag reads from the primary once the replica is further behind.
        wait_for(lambda: titles(b, other_token) == {"灭火器过期"}, 30, "the lagging replica to be passed over")
        status, board = call(b, "/api/v1/dashboard/", token=other_token)
        assert status == 200 and json.loads(board)["totals"]["found"] == 1, board[:300]

        # Replay resumes: the replica catches up and serves the hazard.
        replica.sql("SELECT pg_wal_replay_resume()")
        wait_for(lambda: titles(a, other_token) == {"灭火器过期"}, 30, "the replica to catch up")

        # The replica stops: every read answers, from the primary; nothing is a 500.
        replica.stop()
        hazard2 = {**hazard, "title": "配电箱未接地", "place": "二号车间"}
        assert call(a, "/api/v1/hazards/", token=filer_token, data=hazard2)[0] == 201
        assert titles(a, other_token) == {"灭火器过期", "配电箱未接地"}
        for path in ("/hazards/", "/dashboard/"):
            status, page = call(a, path, session=other_session)
            assert status == 200, (path, page[:300])
        assert call(a, "/api/v1/dashboard/", token=other_token)[0] == 200
        assert call(a, "/api/v1/enterprises/", token=other_token)[0] == 200
    log = (tmp_path / "a" / "gunicorn-tolerant.log").read_text(errors="replace")
    assert "replica not used" in log
