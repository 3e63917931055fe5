"""Admission control in a real gunicorn, as gunicorn.conf.py runs it (gthread): one process, one place
(ADMIT_CONCURRENT=1) and no wait (ADMIT_WAIT_MS=0). Bursts of concurrent requests to the dashboard's figures (computed
on every request: DASHBOARD_CACHE_SECONDS=0) get their figures or a deliberate 503 with Retry-After in the API's error
shape, nothing else; the same requests one after another are never shed."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from rest_framework.authtoken.models import Token

from ..conftest import need
from ..processes import PYTHON, child_env, free_port, running, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BURST = 24


def fetch(url: str, token: str | None = None) -> tuple[int, dict, bytes]:
    headers = {"Authorization": f"Token {token}", "Accept-Language": "zh-hans"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()
    except OSError:
        return 0, {}, b""


def at_once(start: threading.Barrier, url: str, token: str) -> tuple[int, dict, bytes]:
    start.wait()  # every request of the burst is sent at the same moment
    return fetch(url, token)


def test_a_busy_process_sheds_with_503_and_retry_after_and_never_one_request_at_a_time(tmp_path, world):
    need("postgresql")
    token = Token.objects.create(user=world.users["city"]).key
    env = child_env(tmp_path, DEBUG="0", ALLOWED_HOSTS="127.0.0.1", WEB_WORKERS="1", WEB_THREADS=str(BURST),
                    ADMIT_CONCURRENT="1", ADMIT_WAIT_MS="0", DASHBOARD_CACHE_SECONDS="0")  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/api/v1/dashboard/"
    with running("gunicorn", [PYTHON, "-m", "gunicorn", "-b", f"127.0.0.1:{port}"], env, tmp_path):
        wait_for(lambda: fetch(f"{base}/healthz")[0] == 200, 60, "gunicorn to answer /healthz")

        for _ in range(BURST):
            status, _headers, body = fetch(url, token)
            assert status == 200, body

        answers = []
        for _ in range(10):  # bursts until one found the place taken (the first almost always does)
            start = threading.Barrier(BURST)
            with ThreadPoolExecutor(BURST) as pool:
                answers += list(pool.map(at_once, [start] * BURST, [url] * BURST, [token] * BURST))
            if any(status == 503 for status, _h, _b in answers):
                break
        statuses = [status for status, _h, _b in answers]
        assert set(statuses) == {200, 503}, statuses
        for status, headers, body in answers:
            if status == 503:
                assert headers["Retry-After"] == "1" and "no-store" in headers["Cache-Control"]
                assert json.loads(body) == {"detail": "系统繁忙，请稍后再试。", "code": "overloaded"}
            else:
                assert json.loads(body)["role"] == "all"
        assert fetch(f"{base}/healthz")[0] == 200
