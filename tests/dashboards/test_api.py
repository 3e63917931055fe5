"""The API surfaces of the top layer: the dashboard's figures (held equal to the page's), the ledger export started,
polled and downloaded, the quarterly table, and the people a user may pick, each within the user's scope."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from dashboards import exports
from dashboards.models import ExportJob
from hazards import workflow
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, assign
from ..hazards.conftest import filing
from .test_dashboard import figure_queries
from .test_quarterly import download, rows


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.get_or_create(user=user)[0].key)
    return client


# Dashboard -----------------------------------------------------------------------------------------------------

FIGURES = ("found", "dismissed", "closed", "on_time", "recurrences", "open_now", "overdue_now", "major_open", "counted",
         "rate", "on_time_rate")  # fmt: skip


def figures(row_figures) -> dict:
    return {key: getattr(row_figures, key) for key in FIGURES}


@pytest.mark.parametrize("who", ["city", "district", "dept_head", "county_dept", "enterprise"])
@pytest.mark.parametrize("params", [{}, {"period": "quarter"}, {"from": "2025-10-01", "to": "2026-03-31"}])
def test_dashboard_figures_are_the_pages(client, ledger, who, params):
    """GIVEN the hand-made ledger WHEN a user opens the dashboard page and asks the API for the same period THEN
    every number of the page (totals, matrix, breakdowns, trend, watch lists, unanswered notices) is in the JSON."""
    user = ledger.users[who]
    client.force_login(user)
    board = client.get(reverse("dashboards:dashboard"), params).context["board"]
    data = api(user).get("/api/v1/dashboard/", params).json()

    assert data["role"] == board.role and data["scope_name"] == board.scope_name
    assert (data["period"]["start"], data["period"]["end"]) == (str(board.period.start), str(board.period.end))
    assert data["totals"] == figures(board.totals)
    assert [[c["n"] for c in row["cells"]] for row in data["matrix"]] == [
        [c["n"] for c in row["cells"]] for row in board.matrix
    ]
    assert [row["total"] for row in data["matrix"]] == [row["total"] for row in board.matrix]
    assert [(b["title"], [(r["label"], r["figures"], r["found"]) for r in b["rows"]]) for b in data["breakdowns"]] == [
        (b.title, [(r["label"], figures(r["figures"]), r["found"]) for r in b.rows]) for b in board.breakdowns
    ]
    for key in ("weeks", "months"):
        assert [(b["label"], b["found"], b["closed"]) for b in data[key]] == [
            (b["label"], b["found"], b["closed"]) for b in getattr(board, key)
        ]
    assert [h["code"] for h in data["top_overdue"]] == [h.code for h in board.top_overdue]
    assert [h["code"] for h in data["majors"]] == [h.code for h in board.majors]
    assert data["unanswered"] == board.unanswered


def test_dashboard_counts_by_hand_and_in_few_queries(ledger, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0  # computed on every request (kept: tests/dashboards/test_board_cache.py)
    data = api(ledger.users["city"]).get("/api/v1/dashboard/", {"period": "year"}).json()
    t = data["totals"]
    assert (t["found"], t["dismissed"], t["closed"], t["on_time"], t["recurrences"]) == (10, 1, 4, 3, 1)
    assert (t["open_now"], t["overdue_now"], t["major_open"]) == (6, 3, 2)
    assert data["matrix"][0]["cells"][4] == {"status": "closed", "n": 4, "link": data["matrix"][0]["cells"][4]["link"]}
    user = ledger.users["dept_head"]
    client = api(user)
    client.get("/api/v1/dashboard/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/dashboard/").status_code == 200
    # The token with its user, the department and its region, then the figures; the reference data was read by the
    # first request and is kept until it changes (organizations.scope.Reference.shared).
    assert len(ctx.captured_queries) == 3 + figure_queries(user), [q["sql"] for q in ctx.captured_queries]


def test_dashboard_refuses_an_outsider_and_a_bad_period(ledger):
    assert api(ledger.users["outsider"]).get("/api/v1/dashboard/").status_code == 403
    bad = api(ledger.users["city"]).get("/api/v1/dashboard/", {"period": "decade"})
    assert bad.status_code == 400 and "统计期" in bad.json()["period"][0]
    assert APIClient().get("/api/v1/dashboard/").status_code == 401


# Ledger export -------------------------------------------------------------------------------------------------


def test_the_ledger_export_is_started_polled_and_downloaded(ledger, django_capture_on_commit_callbacks):
    user = ledger.users["city"]
    client = api(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        started = client.post("/api/v1/exports/", {"format": "xlsx", "filters": {"status": "closed"}}, format="json")
    assert started.status_code == 202, started.json()
    job = ExportJob.objects.get()
    assert started["Location"] == f"/api/v1/exports/{job.pk}/"
    assert started.json()["state"] == "queued" and started.json()["download"] is None
    assert (job.total, job.query) == (5, "status=closed") and len(callbacks) == 1
    assert AuditEvent.objects.filter(action="export.request", object_id=str(job.pk), actor=user).exists()
    assert client.get(f"/api/v1/exports/{job.pk}/download/").status_code == 409  # not ready yet

    exports.run_export(job.pk)  # what the Celery task (dashboards.tasks.run_export) runs
    polled = client.get(started["Location"]).json()
    assert (polled["state"], polled["done"], polled["percent"]) == ("done", 5, 100)
    assert polled["download"] == f"/api/v1/exports/{job.pk}/download/"
    download_ = client.get(polled["download"])
    assert download_.status_code == 200 and download_["Content-Disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download_.streaming_content)))
    sheet_rows = list(book.active.iter_rows(values_only=True))
    assert len(sheet_rows) == 7 and {r[14] for r in sheet_rows[2:]} == {"销号"}
    assert sheet_rows[0][0].startswith("滨海市安全生产委员会办公室隐患整改台账（截至 ")
    assert [j["id"] for j in client.get("/api/v1/exports/").json()["results"]] == [job.pk]

    other = api(ledger.users["district"])
    assert other.get(started["Location"]).status_code == 404
    assert other.get(polled["download"]).status_code == 404
    assert other.get("/api/v1/exports/").json()["results"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"filters": {"status": "bogus"}}, "filters"),
        ({"filters": {"level": {"nested": 1}}}, "filters"),
        ({"filters": {"q": "x" * 3000}}, "filters"),
    ],
)
def test_a_bad_export_request_is_a_clear_error_and_queues_nothing(ledger, body, field):
    response = api(ledger.users["city"]).post("/api/v1/exports/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not ExportJob.objects.exists()


def test_the_export_holds_only_the_scope(ledger):
    """The construction bureau's export of everything holds only its construction hazards."""
    response = api(ledger.users["dept_head"]).post("/api/v1/exports/", {"format": "csv"}, format="json")
    assert response.status_code == 202
    assert ExportJob.objects.get().total == 5


# Quarterly table -----------------------------------------------------------------------------------------------


def test_the_quarterly_table_as_json_is_the_workbooks(client, q2):
    user = q2.users["city"]
    data = api(user).get("/api/v1/reports/quarterly/", {"year": 2026, "quarter": 2}).json()
    assert data["quarter"] == {"year": 2026, "number": 2, "first_day": "2026-04-01", "last_day": "2026-06-30",
                               "due": "2026-07-15"}  # fmt: skip
    sheet = rows(download(client, user).worksheets[0])

    def as_row(row):
        return [value for part in ("general", "major", "total") for value in (
            row[part]["found"], row[part]["rectified"], row[part]["open"], row[part]["rate"] if row[part]["rate"]
            is not None else "—")]  # fmt: skip

    by_json = {row["label"]: as_row(row) for row in data["by_region"]}
    by_json["合计"] = as_row(data["by_region_total"])

    def rounded(table):  # Excel keeps 15 significant digits
        return {k: [round(v, 9) if isinstance(v, float) else v for v in row] for k, row in table.items()}

    assert rounded(by_json) == rounded(sheet)
    assert data["by_industry_total"] == data["by_region_total"] | {"label": "合计"}


def test_the_quarterly_workbook_through_the_api(client, q2):
    response = api(q2.users["city"]).get("/api/v1/reports/quarterly/", {"year": 2026, "quarter": 2, "as": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert rows(book.worksheets[0]) == rows(download(client, q2.users["city"]).worksheets[0])


@pytest.mark.parametrize(("params", "code"), [({"year": 1999, "quarter": 1}, 400), ({"quarter": 5}, 400),
                                              ({"as": "pdf"}, 400)])  # fmt: skip
def test_bad_quarterly_requests(world, params, code):
    assert api(world.users["city"]).get("/api/v1/reports/quarterly/", params).status_code == code


def test_the_quarterly_table_is_for_government_only(world):
    assert api(world.users["enterprise"]).get("/api/v1/reports/quarterly/").status_code == 403
    assert api(world.users["outsider"]).get("/api/v1/reports/quarterly/").status_code == 403


# People --------------------------------------------------------------------------------------------------------


def people(user, **params) -> list[str]:
    response = api(user).get("/api/v1/people/", params)
    assert response.status_code == 200, response.json()
    return sorted(p["username"] for p in response.json()["results"])


def test_team_members_are_government_inspectors_in_scope(world):
    UserFactory(username="d2-staff", unit_kind=UnitKind.DEPARTMENT, department=world.d2_zjj)
    staff = UserFactory(username="d2-inspector", unit_kind=UnitKind.DEPARTMENT, department=world.d2_zjj)
    assign(staff, PositionFactory(kind=PositionKind.INSPECTOR, unit_kind=UnitKind.DEPARTMENT, department=world.d2_zjj))
    everyone = ["city", "county_dept", "d2-inspector", "dept_head", "inspector"]
    assert people(world.users["city"], purpose="team_member") == everyone
    # A district department sees the departments of its district and the city's, not the other district's.
    assert people(world.users["county_dept"], purpose="team_member") == ["city", "county_dept", "dept_head",
                                                                           "inspector"]  # fmt: skip
    assert people(world.users["enterprise"], purpose="team_member") == []
    assert people(world.users["city"], purpose="team_member", q="insp") == ["d2-inspector", "inspector"]


def test_duty_officers_are_the_posts_unit(world):
    post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    UserFactory(username="d1-clerk", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    UserFactory(username="gone", unit_kind=UnitKind.GOVERNMENT, region=world.d1, is_active=False)
    assert people(world.users["district"], purpose="duty_officer", post=post.pk) == ["d1-clerk", "district"]
    assert people(world.users["city"], purpose="duty_officer", post=post.pk) == ["d1-clerk", "district"]
    outside = api(world.users["dept_head"]).get("/api/v1/people/", {"purpose": "duty_officer", "post": post.pk})
    assert outside.status_code == 404
    missing = api(world.users["district"]).get("/api/v1/people/", {"purpose": "duty_officer"})
    assert missing.status_code == 400 and "post" in missing.json()


def test_leaders_hold_the_positions_a_listing_takes(world):
    hazard, _ = workflow.file_hazard(world.users["inspector"], filing(world))
    response = api(world.users["city"]).get("/api/v1/people/", {"purpose": "leader", "hazard": hazard.pk})
    found = {p["username"]: p["positions"] for p in response.json()["results"]}
    assert sorted(found) == ["dept_head", "district"]
    leader_ids = set(workflow.leader_positions(hazard).values_list("pk", flat=True))
    assert {pos["id"] for held in found.values() for pos in held} <= leader_ids
    assert found["district"][0]["kind"] == "territorial_leader"
    # The construction bureau does not see the chemical works' hazard; an unknown purpose is a 400.
    outside = api(world.users["dept_head"]).get("/api/v1/people/", {"purpose": "leader", "hazard": hazard.pk})
    assert outside.status_code == 404
    assert api(world.users["city"]).get("/api/v1/people/", {"purpose": "anyone"}).status_code == 400
    assert people(world.users["enterprise"], purpose="leader", hazard=hazard.pk) == []
