"""Document fixtures: the hazard World (people and hazards walked through the workflow), this branch's new
strings in the zh-hans catalog, and a helper that reads a PDF back and keeps it (and a PNG) for a person."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.translation import trans_real

from hazards import workflow
from hazards.models import Hazard

from ..browser.conftest import ARTIFACTS
from ..conftest import need
from ..hazards.conftest import filing, hz, media  # noqa: F401 - fixtures shared with the hazard tests

NEW_STRINGS = Path(settings.BASE_DIR) / "NEW_STRINGS.json"
TZ = timezone.get_default_timezone()


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=TZ)


def make(world, enterprise, level="general", found=(5, 1), closed=None, status=None, **extra) -> Hazard:
    """A hazard filed now by the city office at the enterprise, found on a past day; closed (at a past time) or put
    in another status by hand: the reports read only these fields."""
    hazard, _ = workflow.file_hazard(
        world.users["city"],
        filing(world, enterprise=enterprise, level=level, title=f"隐患{found}", found_at=at(*found)),
    )
    if closed:
        Hazard.objects.filter(pk=hazard.pk).update(status="closed", closed_at=at(*closed))
    elif status:
        Hazard.objects.filter(pk=hazard.pk).update(status=status)
    if extra:
        Hazard.objects.filter(pk=hazard.pk).update(**extra)
    hazard.refresh_from_db()
    return hazard


@pytest.fixture(autouse=True)
def new_strings():
    """Until NEW_STRINGS.json is merged into locale/, the compiled zh-hans catalog lacks this branch's strings;
    add the missing ones for the test (and take them out after), so the documents read as they will."""
    if not NEW_STRINGS.exists():
        yield
        return
    catalog = trans_real.translation("zh-hans")._catalog
    added = []
    for msgid, msgstr in json.loads(NEW_STRINGS.read_text(encoding="utf-8")).items():
        key = msgid.replace("|", "\x04", 1)
        if key not in catalog:
            catalog[key] = msgstr
            added.append(key)
    yield
    for key in added:
        catalog._catalogs[0].pop(key, None)


def pdf_text(content: bytes, name: str) -> str:
    """Keep the PDF and its first pages as PNG under artifacts/ (out of git), and return its text."""
    need("pdftotext")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / name)], check=True)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
