"""A public submission under load: 100 reports from one address against the live server, ten at a time, counted in
the real Redis cache. The limit lets exactly its number through, every other answer is the polite Chinese 429,
and none of those accepted is lost: every receipt's code is in the database and there are as many rows as
receipts."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from tipoffs.models import Informant, Report

from ..conftest import need
from .public_helpers import FORM, answer, hidden, receipt_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 100
AT_ONCE = 10
LIMIT = 10


def one(base: str, world, n: int) -> requests.Response:
    """A visitor: open the form, read the picture (here: its answer in the database), send the report.

    A socket per request, closed by the visitor: the live server's thread for it ends, and closes its database
    connection, as soon as it has answered (a kept-alive socket would hold one open per waiting visitor). Not a
    Session with "Connection: close": Django's test server closes after such a request without saying so in its
    answer, so requests keeps the socket for the POST, and when the server's thread is slow to close it (a loaded
    CPU) the POST goes out on a socket about to close and gets RemoteDisconnected, no answer at all."""
    try:
        page = requests.get(base + FORM, headers={"Connection": "close"}, timeout=60)
        html = page.text
        data = {
            "csrfmiddlewaretoken": hidden(html, "csrfmiddlewaretoken"),
            "idempotency_key": hidden(html, "idempotency_key"),
            **answer(html),
            "kind": "hazard",
            "description": f"第{n}号举报：仓库堆放易燃物品，消防通道被堵。",
            "region": str(world.t1.pk),
            "address": f"海滨路{n}号",
            "enterprise_name": world.e1.name,
            "is_anonymous": "0",
            "name": "李四",
            "phone": f"139{n:08d}",  # a phone each: only the address limit applies
        }
        headers = {"Connection": "close", "Referer": base + FORM}
        return requests.post(base + FORM, data=data, cookies=page.cookies, headers=headers, timeout=120)
    finally:
        connection.close()  # this thread's connection, opened to read the CAPTCHA


def test_a_hundred_submissions_from_one_address_are_throttled_politely_and_none_accepted_is_lost(
    live_server, world, settings
):
    need("postgresql", "redis")
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    settings.TIPOFF_RATE_ADDRESS = f"{LIMIT}/d"
    started = time.monotonic()
    with ThreadPoolExecutor(AT_ONCE) as pool:
        responses = list(pool.map(lambda n: one(live_server.url, world, n), range(SUBMISSIONS)))
    elapsed = time.monotonic() - started
    accepted = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code != 200]
    assert len(accepted) == LIMIT and len(refused) == SUBMISSIONS - LIMIT, [r.status_code for r in responses]
    for response in refused:
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
        assert "请稍后再试" in response.text and "Traceback" not in response.text
    codes = {receipt_of(r.text)[0] for r in accepted}
    assert len(codes) == LIMIT
    assert set(Report.objects.values_list("code", flat=True)) == codes
    assert Report.objects.count() == Informant.objects.count() == len(accepted)
    assert all(re.fullmatch(r"JB-\d{4}-\d{6}", code) for code in codes)
    print(f"\n{SUBMISSIONS} submissions, {AT_ONCE} at a time: {len(accepted)} filed, {len(refused)} refused, "
          f"{elapsed:.1f} s in all, {SUBMISSIONS / elapsed:.1f} a second")  # fmt: skip
