"""Production processes, as docker-compose runs them: gunicorn (whitenoise), a worker and beat,
on PostgreSQL and Redis. Checks a page, a static file, the API with a token, /healthz and a
scheduled task's round trip."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
import uuid

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from ops.models import Heartbeat
from ops.tasks import ping

from ..conftest import need
from ..factories import UserFactory
from ..processes import PYTHON, ROOT, celery, child_env, fetch, free_port, running, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_gunicorn_worker_and_beat(tmp_path, world):
    need("postgresql", "redis")
    # Hashed with the production hasher: the test process itself uses a fast one.
    password = PBKDF2PasswordHasher().encode("Smoke-test-pass-1", PBKDF2PasswordHasher().salt())
    user = UserFactory(username="smoke", unit_kind="city_office", region=world.city)
    type(user).objects.filter(pk=user.pk).update(password=password)
    env = child_env(
        tmp_path,
        DEBUG="0",
        SECRET_KEY="smoke-" + uuid.uuid4().hex * 2,
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(tmp_path / "static"),
        STATICFILES_STORAGE="whitenoise.storage.CompressedManifestStaticFilesStorage",
        WHITENOISE_USE_FINDERS="0",
        HEARTBEAT_INTERVAL="1",
    )
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = [PYTHON, "-m", "gunicorn", "safety_platform.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"]
    with (
        running("gunicorn", gunicorn, env, tmp_path),
        running("worker", celery("worker", "-l", "info", "-c", "2"), env, tmp_path),
        running("beat", celery("beat", "-l", "info", "-s", str(tmp_path / "beat-schedule")), env, tmp_path),
    ):
        wait_for(lambda: fetch(f"{base}/healthz")[0] == 200, 60, "gunicorn to answer /healthz")
        status, page = fetch(f"{base}/accounts/login/", headers={"Accept-Language": "zh-CN"})
        assert status == 200 and "登录" in page.decode()
        assert "Content-Security-Policy" in urllib.request.urlopen(f"{base}/accounts/login/").headers
        css = page.decode().split('href="/static/css/')[1].split('"')[0]
        assert fetch(f"{base}/static/css/{css}")[0] == 200  # hashed name, served by whitenoise

        status, body = fetch(f"{base}/api/v1/auth/token/", {"username": "smoke", "password": "Smoke-test-pass-1"})
        assert status == 200, body
        token = json.loads(body)["token"]
        status, body = fetch(f"{base}/api/v1/enterprises/", headers={"Authorization": f"Token {token}"})
        assert status == 200 and len(json.loads(body)["results"]) == 4

        health = json.loads(fetch(f"{base}/healthz")[1])
        assert health["database"] and health["broker"] and health["broker_transport"] == "redis"

        wait_for(lambda: Heartbeat.objects.filter(name="scheduler").exists(), 60, "beat's heartbeat via the worker")
        token = uuid.uuid4().hex
        ping.delay(token)
        wait_for(lambda: Heartbeat.objects.filter(name="ping", token=token).exists(), 60, "the ping round trip")
        assert json.loads(fetch(f"{base}/healthz")[1])["last_scheduler_beat"] is not None
