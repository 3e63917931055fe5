"""Two web instances and two workers as one platform (docs/topology.md): two gunicorns on two ports and two Celery
workers, each with a var/ of its own, on one PostgreSQL, one Redis and one shared media folder. Nothing is mocked.

What a load balancer may do to a user is done here on purpose: a login on A is used on B, a photo filed through A
is read through B, an export started through B (written by whichever worker took it) is downloaded through A, a
throttle counts the requests through both, and a sign-out on B ends the session on A. Then several sweeps are
queued at once for both workers, and every due escalation step must be acted on exactly once: one timeline event,
one notice, one delivery the gateway accepted.
"""

from __future__ import annotations

import io
import re
import uuid

import openpyxl
import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from dashboards.models import ExportJob
from hazards.choices import Action
from hazards.models import Hazard, HazardEvent, HazardPhoto
from notifications.models import Delivery, Notification
from notifications.tasks import sweep
from ops.models import Heartbeat

from ..conftest import need
from ..hazards.conftest import jpeg_bytes
from ..notifications.receiver import Receiver
from ..processes import PYTHON, celery, free_port, running, wait_for, wait_for_progress
from .test_escalation_faults import SECRET, env_for, make_due, report, sweeps

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "Cluster-test-pass-1"
DUE = 400  # escalation steps due at once
SWEEPS = 8  # sweeps queued at once: both workers, two children each, run them side by side


def log_in(session: requests.Session, base: str, username: str) -> None:
    session.get(f"{base}/accounts/login/", timeout=10)
    response = session.post(
        f"{base}/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302 and "sessionid" in session.cookies, response.text[-500:]


def test_two_web_instances_and_two_workers_act_as_one(tmp_path, world):
    need("postgresql", "redis")
    user = world.users["city"]
    type(user).objects.filter(pk=user.pk).update(  # the production hasher: the test process uses a fast one
        password=PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    )
    keys = make_due(world, DUE)
    forget_throttle()
    shared_media = tmp_path / "shared-media"
    before = Heartbeat.objects.filter(name="escalation_sweep").values_list("runs", flat=True).first() or 0

    with Receiver(SECRET) as receiver:
        common = env_for(tmp_path, receiver, interval="60")  # no beat here: the test queues the sweeps itself
        common.update(
            DEBUG="0",
            SECRET_KEY="cluster-" + uuid.uuid4().hex * 2,  # one key for every process: sessions, CSRF, signatures
            ALLOWED_HOSTS="127.0.0.1",
            MEDIA_ROOT=str(shared_media),
            EXPORT_SYNC_LIMIT="0",  # every export goes to a worker
            ESCALATION_BATCH_SIZE="25",  # many batches, so that the sweeps meet on the same rows
            TOKEN_THROTTLE_RATE="4/min",
        )

        def env(name: str) -> dict[str, str]:
            return {**common, "VAR_DIR": str(tmp_path / name)}  # nothing local is shared between processes

        ports = free_port(), free_port()
        a, b = (f"http://127.0.0.1:{port}" for port in ports)
        web = [
            # gunicorn 27's control socket defaults to one path per user: each instance on a host needs its own.
            running(name, [PYTHON, "-m", "gunicorn", "safety_platform.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1",
                           "--control-socket", str(tmp_path / f"{name}.ctl")], env(name), tmp_path)
            for name, port in zip(("web-a", "web-b"), ports, strict=True)
        ]  # fmt: skip
        workers = [
            running(name, celery("worker", "-l", "info", "-c", "2", "-n", f"{name}@%h"), env(name), tmp_path)
            for name in ("worker-1", "worker-2")
        ]
        with web[0], web[1], workers[0], workers[1]:
            for base in (a, b):
                wait_for(lambda base=base: _status(f"{base}/healthz") == 200, 60, f"{base} to answer /healthz")
            for name in ("worker-1", "worker-2"):
                log = tmp_path / f"{name}.log"
                wait_for(lambda log=log: "ready." in log.read_text(errors="replace"), 60, f"{name} to be ready")

            # One session, two instances: the cookie set by A is sent to B (the browser would, behind one address).
            session = requests.Session()
            log_in(session, a, user.username)
            assert session.get(f"{b}/api/v1/hazards/", timeout=10).status_code == 200
            assert requests.get(f"{b}/api/v1/hazards/", timeout=10).status_code == 401  # no cookie, no access
            # The service worker is the same script (same version) whichever instance serves it.
            assert session.get(f"{a}/sw.js", timeout=10).text == session.get(f"{b}/sw.js", timeout=10).text

            # One throttle count for the city (Redis): four token requests through A and B, the fifth refused on both.
            answers = [requests.post(f"{base}/api/v1/auth/token/", json={}, timeout=10).status_code
                       for base in (a, b, a, b, a, b)]  # fmt: skip
            assert answers == [400, 400, 400, 400, 429, 429], answers

            # A photo filed through A is read through B (the CSRF token is the cookie's: any instance takes it).
            csrf = {"X-CSRFToken": session.cookies["csrftoken"]}
            photo = jpeg_bytes((320, 240))
            fields = {"enterprise": world.e1.pk, "title": "配电箱未接地", "place": "二号车间", "category": "fire",
                      "level": "general"}  # fmt: skip
            filed = session.post(f"{a}/api/v1/hazards/", data=fields, files={"photos": ("p.jpg", photo, "image/jpeg")},
                                 headers=csrf, timeout=30)  # fmt: skip
            assert filed.status_code == 201, filed.text
            hazard = filed.json()
            shown = session.get(f"{b}/api/v1/hazards/{hazard['id']}/", timeout=10).json()
            assert shown["code"] == hazard["code"] and len(shown["photos"]) == 1
            stored = HazardPhoto.objects.get(hazard_id=hazard["id"])
            for url in (shown["photos"][0]["url"], f"/hazards/photos/{stored.pk}/"):
                fetched = session.get(f"{b}{url}", timeout=10)
                assert fetched.status_code == 200, (url, fetched.status_code)
                assert fetched.content == (shared_media / stored.image.name).read_bytes(), url

            # An export started through B, written by a worker into the shared media, downloaded through A.
            started = session.post(f"{b}/hazards/ledger/", {"format": "xlsx", **_form_token(session)},
                                   allow_redirects=False, timeout=30)  # fmt: skip
            assert started.status_code == 302, started.text[-500:]
            job_pk = int(re.search(r"/(\d+)/", started.headers["Location"]).group(1))
            wait_for(lambda: ExportJob.objects.get(pk=job_pk).state == "done", 60, "a worker to write the export")
            download = session.get(f"{a}{ExportJob.objects.get(pk=job_pk).get_download_url()}", timeout=30)
            assert download.status_code == 200, download.status_code
            rows = list(openpyxl.load_workbook(io.BytesIO(download.content), read_only=True).active.iter_rows())
            assert len(rows) == 2 + Hazard.objects.count()  # title row, header, every hazard in the city

            # Several sweeps at once, on both workers: each due step is acted on once.
            for _ in range(SWEEPS):
                sweep.delay()
            notices = Notification.objects.filter(key__in=keys)  # the export's notice is not one of them
            wait_for_progress(  # fails on a stall, not on a slow machine
                lambda: (
                    sweeps(Heartbeat) - before,
                    notices.count(),
                    Delivery.objects.filter(notification__in=notices, state="sent").count(),
                ),
                lambda now: now[0] >= SWEEPS and now[1:] == (DUE, DUE),
                lambda: f"sweeps {sweeps(Heartbeat) - before} of {SWEEPS}; {report(receiver, keys)}",
                still=60,
                bound=300,
            )
            logs = {name: (tmp_path / f"{name}.log").read_text(errors="replace") for name in ("worker-1", "worker-2")}

            # Signing out on B ends the session on A too (the session lives in PostgreSQL, not in a process).
            assert session.post(f"{b}/accounts/logout/", _form_token(session), timeout=10).status_code == 200
            assert session.get(f"{a}/api/v1/hazards/", timeout=10).status_code == 401

    for name, log in logs.items():
        assert re.search(r"Task notifications\.tasks\.sweep\[[^]]+\] succeeded", log), f"{name} ran no sweep"
    steps = HazardEvent.objects.filter(action=Action.ESCALATION_STEP, hazard__code__startswith="YT-")
    assert steps.count() == DUE and steps.values("hazard").distinct().count() == DUE, "a step acted on twice"
    assert set(Notification.objects.filter(key__in=keys).values_list("key", flat=True)) == keys
    assert Notification.objects.filter(key__startswith="esc:").count() == DUE
    assert Delivery.objects.filter(notification__key__in=keys).count() == DUE
    assert len(receiver.received) >= DUE and all(n == 1 for n in receiver.received.values()), "a delivery sent twice"


def forget_throttle() -> None:
    """The children's cache has no per-test prefix: an earlier run's token requests from 127.0.0.1 are forgotten."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.REDIS_URL).delete(":1:throttle_token_127.0.0.1")


def _status(url: str) -> int:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0


def _form_token(session: requests.Session) -> dict[str, str]:
    return {"csrfmiddlewaretoken": session.cookies["csrftoken"]}
