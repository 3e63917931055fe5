"""The replica router's rules (safety_platform/lib/replica.py, docs/replica.md) on the test database.

The alias `replica` is added for these tests as a second connection to the test database (a mirror, as
DATABASE_REPLICA_URL gives it TEST={"MIRROR": "default"}); which connection a request's queries ran on tells where
the router sent them. The real streaming replica, its lag and its failure are in tests/integration/test_replica.py.
"""

from __future__ import annotations

import contextlib
import time

import pytest
from django.db import connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hazards import workflow
from hazards.models import HazardCategory
from safety_platform.lib import replica
from safety_platform.lib.replica import REPLICA, ReplicaRouter, replica_reads

from ..processes import free_port

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(scope="module", autouse=True)
def mirror(django_db_setup, django_db_blocker):
    """The alias `replica`, a second connection to the test database, for this module's tests only."""
    with django_db_blocker.unblock():
        connections.settings[REPLICA] = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]
    replica.health.forget()


@pytest.fixture(autouse=True)
def fit(settings) -> None:
    """The replica counts as caught up (the mirror is no standby, so its own check would say not to use it)."""
    settings.REPLICA_CHECK_SECONDS = 3600
    replica.health.usable, replica.health.checked = True, time.monotonic()
    yield
    replica.health.forget()


class Reads:
    """Records the statements a block ran on each connection (without opening one)."""

    def __enter__(self):
        self.sql = {"default": [], REPLICA: []}
        self.stack = contextlib.ExitStack()
        for alias, statements in self.sql.items():
            self.stack.enter_context(connections[alias].execute_wrapper(self.recorder(statements)))
        return self

    @staticmethod
    def recorder(statements: list):
        def record(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        return record

    def __exit__(self, *exc):
        self.stack.close()

    def on(self, alias: str) -> int:
        return len(self.sql[alias])

    def writes(self, alias: str) -> int:
        return sum(sql.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE") for sql in self.sql[alias])


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def file_one(world, user, title="灭火器过期"):
    fire = HazardCategory.objects.get(code="fire")
    filing = workflow.Filing(enterprise=world.e1, title=title, place="一号仓库", category=fire, level="general")
    return workflow.file_hazard(user, filing)[0]


def test_only_opted_in_reads_go_to_the_replica(world):
    hazard = file_one(world, world.users["enterprise"])
    client = api(world.users["city"])
    with Reads() as reads:
        assert client.get("/api/v1/hazards/").json()["results"][0]["id"] == hazard.pk
    assert reads.on(REPLICA) >= 1  # the list's rows and count
    with Reads() as reads:
        assert client.get(f"/api/v1/hazards/{hazard.pk}/").status_code == 200  # the detail did not opt in
    assert reads.on(REPLICA) == 0 and reads.on("default") >= 1
    with Reads() as reads:
        assert client.get("/api/v1/enterprises/").status_code == 200
        assert client.get("/api/v1/dashboard/").status_code == 200
    assert reads.on(REPLICA) >= 2


def test_the_pages_and_the_streamed_export_read_from_the_replica(world, client):
    file_one(world, world.users["enterprise"])
    client.force_login(world.users["city"])
    for path in ("/hazards/", "/dashboard/"):
        with Reads() as reads:
            assert client.get(path).status_code == 200
        assert reads.on(REPLICA) >= 1, path
    with Reads() as reads:
        response = client.get("/hazards/ledger/", {"format": "csv"})
        before = reads.on(REPLICA)
        content = b"".join(response.streaming_content)  # read after the view returned
    assert "灭火器过期" in content.decode("utf-8-sig")
    assert reads.on(REPLICA) > before  # the rows were read while streaming, from the replica


def test_a_write_pins_its_user_to_the_primary_token_or_session(world, client):
    filer, other = world.users["enterprise"], world.users["city"]
    filer_api = api(filer)
    body = {"enterprise": world.e1.pk, "title": "配电箱未接地", "place": "二号车间", "category": "fire",
            "level": "general"}  # fmt: skip
    with Reads() as reads:
        assert filer_api.post("/api/v1/hazards/", body, format="json").status_code == 201
    assert reads.on(REPLICA) == 0  # writes and the reads of a write never go to the replica
    with Reads() as reads:
        assert filer_api.get("/api/v1/hazards/").json()["results"][0]["title"] == "配电箱未接地"
    assert reads.on(REPLICA) == 0  # pinned: their own new hazard comes from the primary
    with Reads() as reads:
        api(other).get("/api/v1/hazards/")
    assert reads.on(REPLICA) >= 1  # someone else is not pinned
    # a session that posts (here a failed one: it may still have written) is pinned as well
    client.force_login(other)
    client.post("/hazards/new/", {})
    with Reads() as reads:
        client.get("/hazards/")
    assert reads.on(REPLICA) == 0
    # the pin ends (after REPLICA_PIN_SECONDS)
    from django.core.cache import cache

    cache.delete(replica._pin_key(filer.pk))
    with Reads() as reads:
        filer_api.get("/api/v1/hazards/")
    assert reads.on(REPLICA) >= 1


def test_writes_go_to_the_primary_even_inside_replica_reads(world):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(HazardCategory) == REPLICA
        assert router.db_for_write(HazardCategory) == "default"
        with Reads() as reads:
            file_one(world, world.users["enterprise"])  # its reads may come from the replica, its writes not
        assert reads.writes("default") >= 2 and reads.writes(REPLICA) == 0
    assert router.db_for_read(HazardCategory) == "default"
    assert router.allow_migrate(REPLICA, "hazards") is False and router.allow_migrate("default", "hazards")


def test_a_database_that_is_no_standby_is_not_used(settings, caplog):
    settings.REPLICA_CHECK_SECONDS = 0
    replica.health.forget()
    with replica_reads():
        assert ReplicaRouter().db_for_read(HazardCategory) == "default"  # pg_is_in_recovery() is false
    assert replica.health.lag is None


def test_a_replica_that_does_not_answer_is_passed_over(world, settings, caplog):
    replica_settings = connections[REPLICA].settings_dict
    connections[REPLICA].close()
    port, replica_settings["PORT"] = replica_settings["PORT"], str(free_port())  # nothing listens there
    try:
        replica.health.forget()
        with Reads() as reads:
            response = api(world.users["city"]).get("/api/v1/hazards/")
        assert response.status_code == 200 and reads.on("default") >= 1
        assert "replica not used" in caplog.text
        # it fails after a check found it fit: the view runs again on the primary
        replica.health.usable, replica.health.checked = True, time.monotonic()
        with Reads() as reads:
            response = api(world.users["city"]).get("/api/v1/hazards/")
        assert response.status_code == 200 and reads.on("default") >= 1
        assert replica.health.usable is False
    finally:
        connections[REPLICA].close()
        replica_settings["PORT"] = port


def test_the_background_export_reads_the_ledger_from_the_replica_and_its_job_from_the_primary(world, settings):
    from dashboards import exports
    from dashboards.models import ExportJob

    file_one(world, world.users["enterprise"])
    file_one(world, world.users["enterprise"], title="配电箱未接地")
    user = world.users["city"]
    job = exports.start_export(user, "csv", "", 2)
    with Reads() as reads:
        exports.run_export(job.pk, progress_every=1)
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("done", 2, 2)
    assert "配电箱未接地" in job.file.open("rb").read().decode("utf-8-sig")
    ledger = [sql for sql in reads.sql[REPLICA] if '"hazards_hazard"' in sql]
    assert len(ledger) >= 2  # the count and the rows
    assert reads.writes(REPLICA) == 0 and reads.writes("default") >= 3  # claimed, progress, done
    assert not [sql for sql in reads.sql[REPLICA] if ExportJob._meta.db_table in sql]
