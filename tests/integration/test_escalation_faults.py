"""Escalation under faults, with real parts: PostgreSQL, Redis, Celery workers and beat as processes, and a
local HTTP server as the SMS/IM gateway. Nothing is mocked.

The gateway deduplicates on the X-Safety-Delivery header, as real gateways do with idempotency keys: a worker
killed after the gateway answered but before it recorded "sent" will send that delivery again, and only the
receiver can tell. So "exactly once" is asserted on what the gateway accepts, and raw repeats are reported.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from hazards.models import Escalation, Hazard, HazardCategory
from notifications.models import Delivery, Notification
from notifications.tasks import self_check, sweep
from ops.models import Heartbeat
from organizations.models import Position

from ..conftest import need
from ..notifications.receiver import Receiver
from ..processes import celery, child_env, free_port, running, wait_for, wait_for_progress

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SECRET = "fault-secret"
STEP = [{"offset": 0, "targets": ["enterprise_principal"], "must_answer": False, "label": "整改期限已到"}]


def make_due(world, count: int) -> set[str]:
    """`count` hazards whose escalation step is due now, all to the e1 principal (one holder, distinct keys);
    returns the keys of the notices the sweep must write."""
    principal = Position.objects.get(kind="enterprise_principal", enterprise=world.e1)
    category = HazardCategory.objects.first()
    now = timezone.now()
    run = uuid.uuid4().hex[:6]
    hazards = Hazard.objects.bulk_create(
        [
            Hazard(
                code=f"YT-{run}-{n:06d}",
                title="测试隐患",
                enterprise=world.e1,
                place="部位",
                category=category,
                found_by=world.users["inspector"],
                created_by=world.users["inspector"],
                region=world.t1,
                region_path=world.t1.path,
                industry=world.chem,
                principal_position=principal,
                status="rectifying",
                deadline=now - timedelta(minutes=5),
            )  # fmt: skip
            for n in range(count)
        ],
        batch_size=2000,
    )
    escalations = Escalation.objects.bulk_create(
        [Escalation(hazard=h, deadline=h.deadline, steps=STEP, next_due_at=h.deadline) for h in hazards],
        batch_size=2000,
    )
    (holder,) = principal.current_holders()
    return {f"esc:{e.pk}:0:{holder.pk}" for e in escalations}


def start_redis(command: list[str], port: int, log) -> subprocess.Popen:
    """Start the test's own redis-server and wait until it answers; fail loudly if it cannot start."""
    import redis

    with open(log, "ab") as out:  # a file, not a pipe: a full pipe would stop the server
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"redis-server did not start: {log.read_text(errors='replace')[-2000:]}")
        try:
            client.ping()
            return process
        except redis.RedisError:
            time.sleep(0.1)
    raise AssertionError("redis-server did not answer within 15 s")


def env_for(tmp_path, receiver, **extra):
    return child_env(
        tmp_path,
        NOTIFY_WEBHOOK_URL=receiver.url,
        NOTIFY_WEBHOOK_SECRET=SECRET,
        ESCALATION_SWEEP_INTERVAL=extra.pop("interval", "2"),
        ESCALATION_BATCH_SIZE="500",
        **extra,
    )


def sent() -> int:
    return Delivery.objects.filter(state="sent").count()


def progress(receiver) -> tuple[int, int, int, int]:
    """What moves while the platform works: notices written, deliveries sent, ids the gateway accepted, and the
    raw requests it accepted (a repeat moves only the last)."""
    return Notification.objects.count(), sent(), len(receiver.received), sum(receiver.received.values())


def report(receiver, keys: set[str], broker: str = "") -> str:
    """The state at this moment: counts, the notices missing, the deliveries the gateway has not accepted (with
    their state, attempts and last error), the repeated ones, and what waits in the broker."""
    import redis
    from django.conf import settings
    from django.db.models import Count

    notices = set(Notification.objects.values_list("key", flat=True))
    missing = sorted(keys - notices)
    states = dict(Delivery.objects.values_list("state").annotate(n=Count("id")).order_by())
    unaccepted = Delivery.objects.exclude(pk__in=[int(pk) for pk in receiver.received]).order_by("pk")
    repeated = {pk: n for pk, n in receiver.received.items() if n > 1}
    client = redis.Redis.from_url(broker or settings.REDIS_URL, socket_connect_timeout=2)
    try:
        queued = {q: client.llen(q) for q in ("celery", "escalation")} | {"unacked": client.hlen("unacked")}
    except redis.RedisError as exc:
        queued = {"error": str(exc)}
    # Whether the periodic jobs ran: a stall with a self-check that has not run for a while is the worker or beat
    # (a consumer that did not come back, every message expired), one with it running is a lost delivery.
    jobs = {
        name: (runs, f"{(timezone.now() - last_at).total_seconds():.0f}s ago", data)
        for name, runs, last_at, data in Heartbeat.objects.filter(name__in=["escalation_sweep", "self_check"])
        .order_by("name")
        .values_list("name", "runs", "last_at", "data")
    }
    return (
        f"notices {len(notices)} of {len(keys)}, missing {len(missing)} {missing[:10]}; deliveries {states}; "
        f"the gateway accepted {len(receiver.received)} ids, not yet {unaccepted.count()} "
        f"{list(unaccepted.values_list('pk', 'state', 'attempts', 'last_error')[:10])}; "
        f"repeated {len(repeated)} {dict(list(repeated.items())[:10])}; broker {queued}; jobs {jobs}"
    )


def settle(receiver, keys: set[str], nudge, still: float = 60, bound: float = 1800, broker: str = "") -> float:
    """Wait until every notice exists and every delivery is sent, nudging the sweep and self-check meanwhile.

    Fails only when nothing has moved for `still` seconds (or after `bound` in all), with the state at that
    moment: a busy machine is slow, and only a stall says something is stuck or lost. Returns the seconds."""
    total = len(keys)

    def done(now: tuple[int, int, int, int]) -> bool:
        return now[0] == total and now[1] == total and now[2] == total

    def moved() -> tuple[int, int, int, int]:
        nudge()
        return progress(receiver)

    return wait_for_progress(moved, done, lambda: report(receiver, keys, broker), still=still, bound=bound)


def test_worker_killed_mid_sweep_loses_nothing_and_repeats_nothing(tmp_path, world, settings):
    """GIVEN 10,000 due escalation steps WHEN the worker is SIGKILLed in the middle of the sweep and a new one
    starts THEN every notice exists exactly once and the gateway accepted each delivery exactly once.

    Slowness is not failure here: the wait fails only when nothing has moved for 60 s (or after 30 minutes), and
    then says what is missing, what was repeated and what waits in the broker."""
    need("postgresql", "redis")
    settings.ESCALATION_SWEEP_INTERVAL = 2
    keys = make_due(world, 10_000)
    total = len(keys)
    with Receiver(SECRET) as receiver:
        env = env_for(tmp_path, receiver)
        with running("worker-1", celery("worker", "-l", "warning", "-c", "2"), env, tmp_path) as first:
            sweep.delay()
            wait_for(lambda: sent() >= 300, 300, lambda: f"the first 300 deliveries: {report(receiver, keys)}")
            killed_at = progress(receiver)
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
        assert killed_at[0] < total or killed_at[1] < total, "killed too late to prove anything"
        last = [0.0]

        def nudge():
            if time.monotonic() - last[0] > 3:  # what beat does every interval
                sweep.delay()
                self_check.delay()
                last[0] = time.monotonic()

        with running("worker-2", celery("worker", "-l", "warning", "-c", "2"), env, tmp_path):
            took = settle(receiver, keys, nudge)
    assert set(Notification.objects.values_list("key", flat=True)) == keys
    assert set(receiver.received) == {str(pk) for pk in Delivery.objects.values_list("pk", flat=True)}
    repeats = sum(c - 1 for c in receiver.received.values())
    print(
        f"killed at notices={killed_at[0]} sent={killed_at[1]}; all sent {took:.0f}s after the kill; "
        f"raw repeats seen by the gateway: {repeats}"
    )
    assert repeats <= 4, "only deliveries in flight at the kill (one per worker child) may be repeated"
    assert receiver.bad_signatures == 0


def sweeps(heartbeat) -> int:
    return heartbeat.objects.filter(name="escalation_sweep").values_list("runs", flat=True).first() or 0


def test_two_schedulers_and_two_workers_send_nothing_twice(tmp_path, world, settings):
    """GIVEN two beat schedulers and two workers sweeping every second WHEN 10 sweeps have run THEN each of the
    2,000 due notices exists once and the gateway received each delivery exactly once."""
    need("postgresql", "redis")
    settings.ESCALATION_SWEEP_INTERVAL = 1
    keys = make_due(world, 2_000)
    total = len(keys)
    with Receiver(SECRET) as receiver:
        env = env_for(tmp_path, receiver, interval="1")
        beats = [
            running(f"beat-{i}", celery("beat", "-l", "warning", "-s", str(tmp_path / f"beat-{i}")), env, tmp_path)
            for i in (1, 2)
        ]
        workers = [running(f"worker-{i}", celery("worker", "-l", "warning", "-c", "2", "-n", f"w{i}@%h"), env, tmp_path)
                   for i in (1, 2)]  # fmt: skip
        with beats[0], beats[1], workers[0], workers[1]:
            wait_for(lambda: sweeps(Heartbeat) >= 10, 120, "ten sweeps")
            settle(receiver, keys, lambda: None, bound=600)
    assert Notification.objects.count() == total
    assert all(count == 1 for count in receiver.received.values()), "no crash here, so not even a raw repeat"
    assert len(receiver.received) == total


def test_redis_stopped_and_flushed_loses_nothing(tmp_path, world, settings):
    """GIVEN a worker and beat on the test's own Redis WHEN that Redis stops for a while and comes back empty
    THEN every due notice is still sent, once (the database decides; the self-check re-queues lost messages)."""
    need("postgresql")
    if shutil.which("redis-server") is None:
        need("redis-server")
    settings.ESCALATION_SWEEP_INTERVAL = 1
    keys = make_due(world, 1_000)
    total = len(keys)
    port = free_port(20000, 30000)  # below the ephemeral range: a retrying client cannot be sitting on it
    redis_cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with Receiver(SECRET) as receiver:
        env = env_for(tmp_path, receiver, interval="1", REDIS_URL=f"redis://127.0.0.1:{port}/0")
        redis_proc = start_redis(redis_cmd, port, tmp_path / "redis.log")
        try:
            with (
                running("worker", celery("worker", "-l", "warning", "-c", "2"), env, tmp_path),
                running("beat", celery("beat", "-l", "warning", "-s", str(tmp_path / "beat")), env, tmp_path),
            ):
                # Two processes start on a busy machine before anything is sent: wait while it moves, as below.
                before = wait_for_progress(
                    lambda: progress(receiver),
                    lambda now: now[1] >= 50,
                    lambda: f"deliveries before the outage: {report(receiver, keys, env['REDIS_URL'])}",
                    still=120,
                    bound=600,
                )
                redis_proc.terminate()  # messages in the broker are gone with it: it keeps nothing on disk
                redis_proc.wait()
                outage_sent = sent()
                time.sleep(4)
                redis_proc = start_redis(redis_cmd, port, tmp_path / "redis.log")  # back, and empty
                # The worker's consumer may restart after Redis comes back (kombu's reconnect raised AttributeError on
                # a closed channel once, on a full-suite run) and take longer than a minute before it consumes again:
                # a stall of 120 s, not 60, is a failure here; every notice must still arrive, once.
                after = settle(receiver, keys, lambda: None, still=120, bound=600, broker=env["REDIS_URL"])
        finally:
            redis_proc.terminate()
            redis_proc.wait()
    runs = dict(Heartbeat.objects.filter(name__in=["escalation_sweep", "self_check"]).values_list("name", "runs"))
    print(f"sent before the outage: {outage_sent} of {total} ({before:.0f} s); all sent {after:.0f} s after it; {runs}")
    assert Notification.objects.count() == total
    assert len(receiver.received) == total
    assert sum(c - 1 for c in receiver.received.values()) <= 4
