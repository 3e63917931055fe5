"""The public form as a visitor fills it: the CAPTCHA solved by reading its answer from the database (never
CAPTCHA_TEST_MODE), the idempotency key taken from the rendered page."""

from __future__ import annotations

import io
import re

from captcha.models import CaptchaStore
from PIL import Image

FORM = "/public/tipoffs/"
PROGRESS = "/public/tipoffs/progress/"
SUGGEST = "/public/tipoffs/enterprises.json"


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html) or re.search(rf'value="([^"]*)"[^>]*name="{name}"', html)
    assert match, f"no {name} in the page"
    return match.group(1)


def answer(html: str) -> dict:
    """The CAPTCHA of this rendering, solved: its key and the characters the picture shows."""
    key = hidden(html, "captcha_0")
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def fields(world, html: str, **overrides) -> dict:
    data = {
        "kind": "hazard",
        "description": "仓库里堆放了大量易燃物品，消防通道被堵。",
        "region": str(world.t1.pk),
        "address": "海滨路18号二号仓库",
        "enterprise_name": world.e1.name,
        "is_anonymous": "0",
        "name": "李四",
        "phone": "139 0000 1234",
        "idempotency_key": hidden(html, "idempotency_key"),
        **answer(html),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_report(client, world, address: str = "203.0.113.7", **overrides):
    """GET the form, fill it in, POST it, from one client address."""
    page = client.get(FORM, REMOTE_ADDR=address)
    return client.post(FORM, fields(world, page.content.decode(), **overrides), REMOTE_ADDR=address)


def png(width: int = 40, height: int = 30, name: str = "photo.png") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 60, 40)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def receipt_of(html: str) -> tuple[str, str]:
    code = re.search(r'id="receipt-code">([^<]+)<', html).group(1)
    secret = re.search(r'id="receipt-secret">([^<]+)<', html).group(1)
    return code, secret
