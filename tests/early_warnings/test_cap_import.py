"""The CAP import's doors, short of the workflow: who may post a message, how a refused one is answered, and the
command's choice of whom it acts as. The happy path through `workflow.apply_cap` is in test_cap_import_e2e.py."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from early_warnings.cap_import import default_importer
from early_warnings.models import EarlyWarning
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, assign
from .cap_samples import ALERT, BILLION_LAUGHS, DATA, EXTERNAL_ENTITY, oversized, replaced

URL = "/api/v1/warnings/cap/"


def post(user, body: bytes, content_type: str = "application/xml", language: str = "zh-hans"):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client.post(URL, body, content_type=content_type, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("role", ["district", "dept_head", "county_dept", "inspector", "enterprise", "outsider"])
def test_only_city_office_staff_may_import(world, role):
    response = post(world.users[role], ALERT)
    assert response.status_code == 403, response.content
    assert not EarlyWarning.objects.exists()


def test_a_city_office_member_without_the_staff_post_is_refused(world):
    clerk = UserFactory(username="clerk", unit_kind=UnitKind.CITY_OFFICE, region=world.city)
    assert post(clerk, ALERT).status_code == 403


def test_anonymous_is_refused():
    assert post(None, ALERT).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [(b"not xml", "cap"), (BILLION_LAUGHS, "cap"), (EXTERNAL_ENTITY, "cap"), (b"", "cap"),
     (replaced("<severity>Severe</severity>", "<severity>Unknown</severity>"), "severity"),
     (replaced("<status>Actual</status>", "<status>Exercise</status>"), "status")],
)  # fmt: skip
def test_a_refused_message_is_a_400_naming_the_element(world, body, field):
    response = post(world.users["city"], body)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not EarlyWarning.objects.exists()


def test_refusals_follow_the_users_language(world):
    bad = replaced("<severity>Severe</severity>", "<severity>Unknown</severity>")
    chinese = post(world.users["city"], bad).json()["severity"][0]
    english = post(world.users["city"], bad, language="en").json()["severity"][0]
    assert "<severity>" in chinese and "<severity>" in english and chinese != english


def test_text_xml_is_read_too(world):
    response = post(world.users["city"], b"<nope/>", content_type="text/xml")
    assert response.status_code == 400 and list(response.json()) == ["alert"]


def test_an_oversized_body_is_refused_unread(world, settings):
    settings.CAP_MAX_BYTES = 4096
    response = post(world.users["city"], oversized(64 * 1024))
    assert response.status_code == 400 and "4096" in response.json()["cap"][0]


def test_json_is_not_a_cap_message(world):
    response = APIClient()
    response.force_authenticate(world.users["city"])
    answer = response.post(URL, {"identifier": "x"}, format="json")
    assert answer.status_code == 415


# --- the command ------------------------------------------------------------------------------------------------


def test_the_default_importer_is_the_first_active_city_office_staff_member(world):
    assert default_importer() == world.users["city"]
    world.users["city"].is_active = False
    world.users["city"].save()
    assert default_importer() is None
    later = UserFactory(username="later", unit_kind=UnitKind.CITY_OFFICE, region=world.city)
    assign(later, PositionFactory(kind=PositionKind.CITY_OFFICE_STAFF, unit_kind=UnitKind.CITY_OFFICE,
                                  region=world.city))  # fmt: skip
    assert default_importer() == later


def test_the_command_needs_someone_to_act_as(db, tmp_path):
    with pytest.raises(CommandError, match="--as"):
        call_command("import_cap", str(DATA / "rainstorm_orange_alert.xml"))
    with pytest.raises(CommandError, match="nobody"):
        call_command("import_cap", str(DATA / "rainstorm_orange_alert.xml"), "--as", "nobody")


def test_the_command_acts_only_as_city_office_staff(world):
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 1 files refused"):
        call_command("import_cap", str(DATA / "rainstorm_orange_alert.xml"), "--as", "district", stderr=err)
    assert "refused: 只有市安委办工作人员可以导入 CAP 预警。" in err.getvalue()
    assert not EarlyWarning.objects.exists()


def test_the_command_reports_each_refused_file_and_fails(world, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(BILLION_LAUGHS)
    missing = tmp_path / "missing.xml"
    err = StringIO()
    with pytest.raises(CommandError, match="2 of 2 files refused"):
        call_command("import_cap", str(broken), str(missing), stdout=StringIO(), stderr=err)
    assert f"{broken}: refused: cap:" in err.getvalue()
    assert f"{missing}: refused:" in err.getvalue()
    assert not EarlyWarning.objects.exists()
