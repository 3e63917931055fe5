"""The hazard ledger export: Excel and CSV contents, the list's filters, scope, bad input, the background path for
large exports, and the weekly summary."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from dashboards import exports, weekly
from dashboards.models import ExportJob
from hazards import workflow
from hazards.models import Hazard
from notifications.models import Notification
from organizations.choices import PositionKind
from workdays.calendar import SHANGHAI

from ..hazards.conftest import advance
from .conftest import NOW


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data), read_only=True)


def test_small_xlsx_streams_with_chinese_headers_and_every_row(client, ledger):
    client.force_login(ledger.users["city"])
    response = client.get(reverse("dashboards:ledger"), {"format": "xlsx"})
    assert response.status_code == 200 and response.streaming
    assert "attachment" in response["Content-Disposition"]
    rows = list(workbook(body(response)).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("滨海市安全生产委员会办公室隐患整改台账（截至 ")  # the title row
    assert rows[1][:4] == ("序号", "隐患编号", "企业名称", "统一社会信用代码")
    assert len(rows) == 2 + Hazard.objects.count()
    by_code = {r[1]: r for r in rows[2:]}
    late = by_code[ledger.hazards["confirmed_overdue"].code]
    assert late[2] == "新城建设集团" and late[14] == "已确认" and late[15] == "是" and late[16] == 36
    assert late[13] == datetime(2026, 5, 10, 9, 0)  # a date cell, local time


def test_csv_has_a_bom_and_neutralises_formulas(client, ledger):
    Hazard.objects.filter(pk=ledger.hazards["reported"].pk).update(title='=HYPERLINK("x")')
    client.force_login(ledger.users["city"])
    response = client.get(reverse("dashboards:ledger"), {"format": "csv"})
    data = body(response)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][1] == "隐患编号" and len(rows) == 1 + Hazard.objects.count()
    assert '\'=HYPERLINK("x")' in [r[7] for r in rows]


def test_the_export_follows_the_list_filters(client, ledger):
    client.force_login(ledger.users["city"])
    response = client.get(reverse("dashboards:ledger"), {"format": "csv", "is_overdue": "true"})
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))[1:]
    assert sorted(r[1] for r in rows) == sorted(
        ledger.hazards[k].code for k in ("old_open", "confirmed_overdue", "major_overdue")
    )


def test_a_department_heads_export_holds_nothing_outside_their_scope(client, ledger):
    head = ledger.users["dept_head"]
    client.force_login(head)
    for fmt in ("xlsx", "csv"):
        data = body(client.get(reverse("dashboards:ledger"), {"format": fmt}))
        if fmt == "xlsx":
            codes = {r[1] for r in list(workbook(data).active.iter_rows(values_only=True))[2:]}
        else:
            codes = {r[1] for r in list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]}
        assert codes == set(Hazard.objects.visible_to(head).values_list("code", flat=True))
        assert codes == {h.code for h in Hazard.objects.filter(enterprise=ledger.e2)}


@pytest.mark.parametrize("params", [{"format": "pdf"}, {"format": "csv", "status": "nonsense"},
                                    {"format": "xlsx", "created_after": "yesterday"}])  # fmt: skip
def test_bad_export_input_is_a_clear_error_and_queues_nothing(client, ledger, params):
    client.force_login(ledger.users["city"])
    response = client.get(reverse("dashboards:ledger"), params)
    assert response.status_code == 400
    assert ExportJob.objects.count() == 0


def test_a_large_export_runs_in_the_background_and_tells_its_owner(
    client, ledger, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_LIMIT = 4
    user = ledger.users["city"]
    client.force_login(user)
    confirm = client.get(reverse("dashboards:ledger"), {"format": "xlsx", "status": "closed"})
    assert confirm.status_code == 200 and "5" in confirm.content.decode()  # a GET only offers to start it
    assert not ExportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("dashboards:ledger"), {"format": "xlsx", "status": "closed"})
        again = client.post(reverse("dashboards:ledger"), {"format": "xlsx", "status": "closed"})  # a double click
    job = ExportJob.objects.get()
    assert again["Location"] == response["Location"]
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:export", args=[job.pk])
    assert len(callbacks) == 1  # the task is queued once the job row is committed
    assert (job.state, job.total, job.query) == ("queued", 5, "status=closed")
    assert AuditEvent.objects.filter(action="export.request", object_id=str(job.pk), actor=user).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"<progress" in page.content

    exports.run_export(job.pk, progress_every=2)
    job.refresh_from_db()
    assert (job.state, job.done, job.percent) == ("done", 5, 100)
    status = client.get(reverse("dashboards:export-status", args=[job.pk])).json()
    assert status["state"] == "done" and status["download"].endswith(f"/exports/{job.pk}/download/")
    data = b"".join(client.get(reverse("dashboards:export-download", args=[job.pk])).streaming_content)
    rows = list(workbook(data).active.iter_rows(values_only=True))
    assert len(rows) == 7 and {r[14] for r in rows[2:]} == {"销号"}  # the title row, the header, 5 rows
    notice = Notification.objects.get(recipient=user, key=f"export:{job.pk}:{user.pk}")
    assert "5" in notice.title
    assert exports.run_export(job.pk) is None  # a repeated task does nothing


def test_the_export_task_is_enqueued_by_its_name(
    client, ledger, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """exports.py sends the task by name (it does not import dashboards.tasks, which imports it): the name is the
    registered task's."""
    from celery import current_app

    from dashboards import tasks

    assert tasks.run_export.name == exports.RUN_EXPORT_TASK == "dashboards.tasks.run_export"
    assert exports.RUN_EXPORT_TASK in current_app.tasks
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args: sent.append((name, args)))
    settings.EXPORT_SYNC_LIMIT = 4
    client.force_login(ledger.users["city"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboards:ledger"), {"format": "csv", "status": "closed"})
    assert sent == [(exports.RUN_EXPORT_TASK, [ExportJob.objects.get().pk])]


def test_someone_elses_export_is_not_found(client, ledger):
    job = ExportJob.objects.create(owner=ledger.users["city"], format="csv")
    client.force_login(ledger.users["district"])
    for name in ("dashboards:export", "dashboards:export-status", "dashboards:export-download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_old_export_files_are_purged(ledger, settings):
    from django.core.files.base import ContentFile

    job = ExportJob.objects.create(owner=ledger.users["city"], format="csv", state="done",
                                   finished_at=NOW - timedelta(days=settings.EXPORT_KEEP_DAYS + 1))  # fmt: skip
    job.file.save("old.csv", ContentFile(b"x"))
    path = job.file.path
    assert exports.purge_old() == 1
    job.refresh_from_db()
    assert job.file.name == ""
    import os

    assert not os.path.exists(path)


def test_weekly_summary_goes_to_heads_and_leaders_once(ledger, mailoutbox):
    sent = weekly.send_weekly()
    notices = Notification.objects.filter(key__startswith="weekly:2026-W24")
    holders = {n.recipient.username for n in notices}
    assert holders == {"district", "dept_head"}  # the territorial leader and the department head
    assert sent == 2
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        assert weekly.send_weekly() == 0  # a second beat sends nothing more
    assert Notification.objects.filter(key__startswith="weekly:").count() == 2
    head = notices.get(recipient__username="dept_head")
    assert "市住房和城乡建设局" in head.title
    assert head.position.kind == PositionKind.DEPARTMENT_HEAD
    # Last week (06-08 .. 06-14) in construction: one filed (06-10 reported); now 2 open, 1 overdue.
    assert "上周排查隐患1项，其中已整改销号0项，不予认定0项。" in head.body
    assert "目前未销号隐患2项，其中逾期1项" in head.body
    assert ledger.hazards["confirmed_overdue"].code in head.body
    assert ledger.hazards["old_open"].code not in head.body  # 海滨 chemicals: not theirs


@pytest.mark.django_db(transaction=True)
def test_rows_stream_with_no_transaction_held_open(ledger):
    """Between chunks nothing is left open: no write lock on SQLite (`make run`), progress visible on PostgreSQL."""
    from django.db import connection

    rows = exports.ledger_rows(Hazard.objects.all())
    assert next(rows)[1]
    assert not connection.in_atomic_block
    assert len(list(rows)) == Hazard.objects.count() - 1


def test_keyset_chunks_give_every_row_once_in_order(ledger):
    ids = [row[0] for row in exports._keyset(Hazard.objects.all(), limit=None, size=5)]
    assert ids == sorted(Hazard.objects.values_list("id", flat=True))
    assert len([row for row in exports._keyset(Hazard.objects.all(), limit=7, size=5)]) == 7


def test_a_failed_background_export_says_so_and_leaves_no_file(client, ledger, settings):
    """GIVEN storage that cannot take the file (a plain file where the exports folder should be) WHEN the task runs
    THEN the job is failed with a plain message, no file is kept, and the page stops waiting."""
    user = ledger.users["city"]
    job = ExportJob.objects.create(owner=user, format="csv", query="", total=12)
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "exports").write_text("not a folder")
    with pytest.raises(OSError):
        exports.run_export(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and job.file.name == "" and "导出失败" in job.error
    client.force_login(user)
    assert client.get(reverse("dashboards:export-status", args=[job.pk])).json()["state"] == "failed"


def test_characters_xml_forbids_do_not_spoil_the_workbook(client, ledger):
    Hazard.objects.filter(pk=ledger.hazards["reported"].pk).update(title="损坏\uffff\x07字符")
    client.force_login(ledger.users["city"])
    rows = list(workbook(body(client.get(reverse("dashboards:ledger"), {"format": "xlsx"}))).active.iter_rows(
        values_only=True))  # fmt: skip
    assert "损坏字符" in [r[7] for r in rows[2:]]


def test_too_long_a_filter_is_refused(client, ledger):
    client.force_login(ledger.users["city"])
    response = client.post(reverse("dashboards:ledger"), {"format": "csv", "q": "x" * 2100})
    assert response.status_code == 400 and ExportJob.objects.count() == 0


def test_a_holder_without_a_unit_does_not_stop_the_weekly_summary(ledger):
    from organizations.choices import UnitKind

    from ..factories import PositionFactory, UserFactory, assign

    odd = UserFactory(username="aaa-odd", unit_kind="")
    assign(odd, PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT,
                                region=ledger.d2))  # fmt: skip
    from datetime import datetime

    from organizations.models import PositionAssignment
    from workdays.calendar import SHANGHAI

    PositionAssignment.objects.update(started_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))
    assert weekly.send_weekly() == 2
    assert not Notification.objects.filter(recipient=odd).exists()


def test_the_workbook_has_a_title_row_an_autofilter_date_cells_and_the_plan_and_acceptance(client, hz):
    """Opened as a person would (openpyxl, not read-only): the issuing unit and period on top, a filter on the header
    over every row, times as Excel dates, and the plan's deadline, contingency plan and the acceptance result."""
    closed = advance(hz, "closed")
    rejected = workflow.reject(hz.users["county_dept"], advance(hz, "awaiting_acceptance"), "整改照片与现场不符")
    advance(hz, "reported")
    client.force_login(hz.users["county_dept"])
    today = datetime.now(SHANGHAI).date()
    period = {"created_after": f"{today - timedelta(days=30):%Y-%m-%d}", "created_before": f"{today:%Y-%m-%d}"}
    data = body(client.get(reverse("dashboards:ledger"), {"format": "xlsx", **period}))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    count = Hazard.objects.count()
    assert count == 3

    title = sheet["A1"].value
    assert title.startswith("海滨区应急管理局隐患整改台账（")
    assert f"登记时间 {period['created_after']} 至 {period['created_before']}" in title and "，截至 " in title
    assert "A1:Y1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == f"A2:Y{2 + count}"

    header = [c.value for c in sheet[2]]
    assert header[12:14] == ["发现时间", "整改期限"] and header[20:25] == [
        "整改方案期限", "应急预案", "挂牌督办", "验收结果", "销号时间"
    ]  # fmt: skip
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=3)}
    done = rows[closed.code]
    for index, moment in ((12, closed.found_at), (13, closed.deadline), (20, closed.plan.deadline),
                          (24, Hazard.objects.get(pk=closed.pk).closed_at)):  # fmt: skip
        cell = done[index]
        assert cell.is_date and isinstance(cell.value, datetime), header[index]  # a date cell, not text
        assert cell.value == moment.astimezone(SHANGHAI).replace(tzinfo=None, second=0, microsecond=0)
    assert done[21].value == "临时配备移动灭火器" and done[23].value == "合格"
    assert rows[rejected.code][23].value == "不合格：整改照片与现场不符" and rows[rejected.code][24].value is None
    reported = next(r for code, r in rows.items() if code not in (closed.code, rejected.code))
    assert reported[13].value is None and reported[20].value is None and reported[23].value is None


def test_csv_keeps_times_as_text(client, hz):
    closed = advance(hz, "closed")
    client.force_login(hz.users["county_dept"])
    rows = list(csv.reader(io.StringIO(body(client.get(reverse("dashboards:ledger"), {"format": "csv"}))
                                       .decode("utf-8-sig"))))  # fmt: skip
    assert rows[0][23] == "验收结果" and len(rows) == 2
    assert rows[1][13] == f"{closed.deadline.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" and rows[1][23] == "合格"
