"""CAP messages all the way through `workflow.apply_cap` (issue #16): created once, superseded, lifted; by
the API and by the command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from early_warnings.choices import WarningKind, WarningLevel, WarningStatus
from early_warnings.models import EarlyWarning

from ..factories import RegionFactory
from .cap_samples import ALERT, CANCEL, DATA, UPDATE

URL = "/api/v1/warnings/cap/"


@pytest.fixture
def city_api(world):
    RegionFactory(code="990104", name="港口区", level="district", parent=world.city)  # the update's third area
    client = APIClient()
    client.force_authenticate(world.users["city"])
    return client


def send(client, body: bytes):
    return client.post(URL, body, content_type="application/xml")


def test_the_same_alert_twice_is_one_warning(city_api, world):
    first = send(city_api, ALERT)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] is True and body["kind"] == WarningKind.RAINSTORM and body["level"] == WarningLevel.ORANGE
    again = send(city_api, ALERT)
    assert again.status_code == 200, again.content
    assert again.json()["id"] == body["id"] and again.json()["created"] is False
    warning = EarlyWarning.objects.get()
    assert warning.cap_identifier == "99010041600000_20260720083000" and warning.cap_sender == "99010041600000"
    assert set(warning.areas.values_list("code", flat=True)) == {"990102", "990103"}
    assert warning.status == WarningStatus.IN_FORCE and warning.issuer == "滨海市气象台"


def test_an_update_supersedes_and_a_cancel_lifts(city_api):
    first = send(city_api, ALERT).json()
    update = send(city_api, UPDATE)
    assert update.status_code == 201, update.content
    assert update.json()["level"] == WarningLevel.RED and update.json()["series"] == first["series"]
    assert EarlyWarning.objects.get(pk=first["id"]).status == WarningStatus.SUPERSEDED
    assert send(city_api, UPDATE).status_code == 200  # the update again changes nothing
    cancel = send(city_api, CANCEL)
    assert cancel.status_code in (200, 201), cancel.content
    assert not EarlyWarning.objects.filter(status=WarningStatus.IN_FORCE).exists()


def test_the_command_imports_files_once(city_api, world):
    files = [str(DATA / "rainstorm_orange_alert.xml"), str(DATA / "rainstorm_red_update.xml")]
    out = StringIO()
    call_command("import_cap", *files, stdout=out)
    assert out.getvalue().count("created") == 2
    out = StringIO()
    call_command("import_cap", *files, "--as", "city", stdout=out)
    assert out.getvalue().count("already imported") == 2
    assert EarlyWarning.objects.count() == 2
    assert EarlyWarning.objects.filter(status=WarningStatus.IN_FORCE).get().level == WarningLevel.RED
