"""The hazard ledger (隐患整改台账) as Excel or CSV, written as a stream in constant memory.

Rows come from the database through a server-side cursor (`iterator`), are turned into sheet XML or CSV lines
in small batches, and leave as soon as they are written: the first bytes go out before the last row is read.
The .xlsx is written by `safety_platform.lib.xlsx` (text cells as strings, never formulas). A small export
streams in the request; a large one (over EXPORT_SYNC_LIMIT rows) runs as a Celery task that writes the same
stream to a file, counting rows as it goes.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Concat
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from audit.models import record
from hazards.choices import OPEN_STATUSES, Action, Level, Source, Status
from hazards.filters import HazardFilterSet
from hazards.models import Hazard, HazardEvent
from organizations.models import User
from safety_platform.lib import xlsx
from safety_platform.lib.replica import REPLICA, replica_reads, stream_with

from .models import ExportJob
from .units import unit_name

logger = logging.getLogger(__name__)
BATCH = 500
CHUNK = 2000
OPEN = {str(s) for s in OPEN_STATUSES}

# (header, field) in ledger order; a field of None is computed from the row.
COLUMNS = [
    (pgettext_lazy("ledger column", "No."), None),
    (gettext_lazy("Hazard code"), "code"),
    (pgettext_lazy("ledger column", "Enterprise"), "enterprise__name"),
    (gettext_lazy("Unified social credit code"), "enterprise__credit_code"),
    (gettext_lazy("Territory"), "region__name"),
    (gettext_lazy("Industry"), "industry__name"),
    (gettext_lazy("Supervising department"), "department__name"),
    (gettext_lazy("Hazard"), "title"),
    (gettext_lazy("Place / part"), "place"),
    (gettext_lazy("Category"), "category__name"),
    (gettext_lazy("Level"), "level"),
    (gettext_lazy("Source"), "source"),
    (gettext_lazy("Found at"), "found_at"),
    (gettext_lazy("Rectification deadline"), "deadline"),
    (gettext_lazy("Status"), "status"),
    (gettext_lazy("Overdue"), None),
    (gettext_lazy("Days overdue"), None),
    (gettext_lazy("Responsible person"), "plan__responsible_person"),
    (gettext_lazy("Measures"), "plan__measures"),
    (gettext_lazy("Funds (CNY)"), "plan__funds"),
    (gettext_lazy("Plan deadline"), "plan__deadline"),
    (pgettext_lazy("ledger column", "Contingency plan"), "plan__contingency_plan"),
    (gettext_lazy("Listed supervision"), "listing__order_number"),
    (gettext_lazy("Acceptance result"), "accepted"),
    (gettext_lazy("Closed at"), "closed_at"),
]
FIELDS = [f for _, f in COLUMNS if f]
# Columns people type into (names, titles, places, measures, order numbers): a spreadsheet must not read them as a
# formula, so in CSV a leading = + - @ gets a quote.
TEXT_COLUMNS = [2, 4, 5, 6, 7, 8, 9, 17, 18, 21, 22, 23]
# Columns of times: Excel date cells in the .xlsx, "YYYY-MM-DD HH:MM" in CSV.
TIME_COLUMNS = [12, 13, 20, 24]
FORMULA_START = frozenset("=+-@\t\r")
WIDTHS = [6, 22, 30, 22, 12, 16, 18, 30, 16, 12, 10, 10, 17, 17, 10, 8, 8, 12, 40, 12, 17, 30, 16, 24, 17]


def headers() -> list[str]:
    return [str(h) for h, _ in COLUMNS]


def ledger_queryset(user: User, query: str):
    """The user's visible hazards under the list's filters (the same FilterSet as the list); bad filters raise."""
    params = QueryDict(query)
    filterset = HazardFilterSet(params or None, queryset=Hazard.objects.visible_to(user), request=_Request(user))
    if filterset.is_bound and not filterset.is_valid():
        messages = [f"{filterset.form.fields[k].label}: {' '.join(v)}" if k in filterset.form.fields else " ".join(v)
                    for k, v in filterset.form.errors.items()]  # fmt: skip
        raise ValidationError(messages)
    return filterset.qs.order_by("id")


def with_acceptance(queryset):
    """The last acceptance decision of each hazard (accepted, or the rectification rejected) with its comment or
    reason, as "action|text": one correlated subquery on the timeline's (hazard, at) index per row."""
    last = (
        HazardEvent.objects.filter(hazard=OuterRef("pk"), action__in=[Action.ACCEPT, Action.REJECT])
        .order_by("-at", "-id")
        .annotate(decision=Concat("action", Value("|"), "reason", output_field=CharField()))
        .values("decision")[:1]
    )
    return queryset.annotate(accepted=Subquery(last))


def acceptance_text(decision: str | None) -> str:
    """ "合格：现场复查合格" / "不合格：<reason>" from "accept|comment" / "reject|reason"; "" before any decision."""
    if not decision:
        return ""
    action, _sep, text = decision.partition("|")
    result = pgettext("acceptance", "Passed") if action == Action.ACCEPT else pgettext("acceptance", "Failed")
    return _("%(result)s: %(comment)s") % {"result": result, "comment": text} if text else result


def ledger_banner(user: User, query: str, now: datetime | None = None) -> str:
    """The title row: the exporting unit, the period the filters choose (filed or closed between two days) and
    the moment of the export, e.g.
    海滨区应急管理局隐患整改台账（登记时间 2026-01-01 至 2026-06-30，截至 2026-07-01 10:00）."""
    params = QueryDict(query)
    parts = []
    for start, end, label in (
        ("created_after", "created_before", pgettext("ledger period", "filed")),
        ("closed_after", "closed_before", pgettext("ledger period", "closed")),
    ):
        first, last = params.get(start, ""), params.get(end, "")
        if first or last:
            parts.append(
                _("%(what)s %(first)s to %(last)s") % {"what": label, "first": first or "…", "last": last or "…"}
            )
    parts.append(_("as of %(now)s") % {"now": f"{timezone.localtime(now):%Y-%m-%d %H:%M}"})
    return _("%(unit)s hazard ledger (%(period)s)") % {
        "unit": unit_name(user) if user.unit_kind or not user.is_superuser else "",
        "period": pgettext("list separator", ", ").join(parts),
    }


class _Request:
    def __init__(self, user: User) -> None:
        self.user = user
        self.GET = QueryDict()


def ledger_rows(queryset, now: datetime | None = None, limit: int | None = None) -> Iterator[list]:
    """Each hazard as a list of cell values, in COLUMNS order (labels translated, times local)."""
    now = now or timezone.now()
    levels = {k: str(v) for k, v in Level.choices}
    sources = {k: str(v) for k, v in Source.choices}
    statuses = {k: str(v) for k, v in Status.choices}
    yes, no = _("Yes"), _("No")
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)

    def local(value: datetime | None) -> datetime | str:
        # Local wall time to the minute (an Excel date cell; text in CSV). Once per timestamp of a million rows:
        # astimezone with the zone looked up once, not timezone.localtime.
        return value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) if value else ""

    for n, values in enumerate(_keyset(queryset, limit), 1):
        (_pk, code, enterprise, credit_code, region, industry, department, title, place, category, level, source,
         found_at, deadline, status, responsible, measures, funds, plan_deadline, contingency, order_number,
         accepted, closed_at) = values  # fmt: skip
        overdue = status in OPEN and deadline is not None and deadline < now
        yield [
            n, code, enterprise, credit_code, region, industry, department or "", title, place, category,
            levels.get(level, level), sources.get(source, source), local(found_at), local(deadline),
            statuses.get(status, status), yes if overdue else no,
            (today - deadline.astimezone(tz).date()).days if overdue else "",
            responsible or "", measures or "", funds if funds is not None else "", local(plan_deadline),
            contingency or "", order_number or "", acceptance_text(accepted), local(closed_at),
        ]  # fmt: skip


def _keyset(queryset, limit: int | None, size: int = CHUNK) -> Iterator[tuple]:
    """The rows in id order, CHUNK at a time, each chunk a query continuing after the last id.

    Not a server-side cursor: in autocommit Django declares it WITH HOLD, and PostgreSQL materialises the whole
    result before the first row (5.5 s at a million rows); inside a transaction it would hold SQLite's write lock
    (`make run`) and hide the progress a background export writes, for the whole download. Keyset chunks need
    neither: each is an index range on the primary key, and nothing stays open between them."""
    values = with_acceptance(queryset).order_by("id").values_list("id", *FIELDS)
    last, sent = 0, 0
    while limit is None or sent < limit:
        take = size if limit is None else min(size, limit - sent)
        batch = list(values.filter(id__gt=last)[:take])
        yield from batch
        if len(batch) < take:
            return
        last, sent = batch[-1][0], sent + len(batch)


# CSV ---------------------------------------------------------------------------------------------------------


def csv_stream(rows: Iterable[list], banner: str = "") -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (so Excel reads the Chinese), formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers())  # CSV keeps the header first (no banner row), so that it reads back as a table
    for n, row in enumerate(rows, 1):
        for i in TIME_COLUMNS:
            if row[i]:
                row[i] = row[i].strftime("%Y-%m-%d %H:%M")
        for i in TEXT_COLUMNS:
            value = row[i]
            if value and value[0] in FORMULA_START:
                row[i] = "'" + value
        writer.writerow(row)
        if n % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# XLSX --------------------------------------------------------------------------------------------------------


def xlsx_stream(rows: Iterable[list], banner: str = "") -> Iterator[bytes]:
    """A title row (`ledger_banner`), the header, the rows; an autofilter on the header, times as date cells."""
    return xlsx.stream(rows, _("Hazard ledger"), head=[headers()], widths=WIDTHS, banner=banner, autofilter=True)


STREAMS = {"xlsx": xlsx_stream, "csv": csv_stream}
CONTENT_TYPE = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def filename(fmt: str, now: datetime | None = None) -> str:
    return f"hazard-ledger-{timezone.localtime(now):%Y%m%d-%H%M}.{fmt}"


def check_format(fmt: str) -> str:
    if fmt not in STREAMS:
        raise ValidationError(_("Unknown export format: %(format)s.") % {"format": fmt})
    return fmt


# Background exports ------------------------------------------------------------------------------------------


def start_export(actor: User, fmt: str, query: str, total: int) -> ExportJob:
    """Queue a large export: a job row and its audit record in one transaction, the task after commit."""
    check_format(fmt)
    ledger_queryset(actor, query)  # bad filters fail here, before anything is stored
    waiting = ExportJob.objects.filter(owner=actor, format=fmt, query=query,
                                       state__in=[ExportJob.State.QUEUED, ExportJob.State.RUNNING]).first()  # fmt: skip
    if waiting is not None:
        return waiting  # the same export asked twice (a double click): follow the one already under way
    with transaction.atomic():
        job = ExportJob.objects.create(owner=actor, format=fmt, query=query, total=total)
        record(actor, "export.request", job, {"format": fmt, "filters": query, "rows": total})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


# The Celery task that runs `run_export` (dashboards/tasks.py registers it under this name): enqueued by name, so
# this module does not import the task module, which imports it.
RUN_EXPORT_TASK = "dashboards.tasks.run_export"


def _enqueue(pk: int) -> None:
    current_app.send_task(RUN_EXPORT_TASK, args=[pk])


def run_export(pk: int, progress_every: int = 2000) -> ExportJob | None:
    """Write the job's file; safe to run again (a worker lost mid-way re-runs it from the start).

    The stream goes to a temporary file first and into storage only when complete, so a failure leaves no partial
    file behind; a failure marks the job failed with a plain message (the cause goes to the log)."""
    claimed = ExportJob.objects.filter(pk=pk, state__in=[ExportJob.State.QUEUED, ExportJob.State.RUNNING]).update(
        state=ExportJob.State.RUNNING, done=0
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("owner").get(pk=pk)
    written = _Counter(pk, progress_every)
    try:
        with translation.override(settings.LANGUAGE_CODE), tempfile.TemporaryFile() as spool:
            # the ledger's rows may come from the replica (docs/replica.md); the job's own row from the primary
            with replica_reads():
                queryset = ledger_queryset(job.owner, job.query)
                total = queryset.count()
                banner = ledger_banner(job.owner, job.query)
            ExportJob.objects.filter(pk=pk).update(total=total)
            rows = stream_with(REPLICA, ledger_rows(queryset))
            for chunk in STREAMS[job.format](written.count(rows), banner=banner):
                spool.write(chunk)
            spool.seek(0)
            job.file.save(filename(job.format), File(spool), save=False)
        _finish(job, written.n)
    except Exception:
        logger.exception("export %s failed", pk)
        if job.file:
            job.file.delete(save=False)
        with translation.override(settings.LANGUAGE_CODE):
            message = _("The export failed. Try again; if it fails again, tell the administrator.")
        ExportJob.objects.filter(pk=pk).update(state=ExportJob.State.FAILED, error=message, file="",
                                               finished_at=timezone.now())  # fmt: skip
        raise
    return job


def _finish(job: ExportJob, rows: int) -> None:
    from notifications.outbox import notify

    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.DONE, file=job.file.name, done=rows,
                                                   total=rows, finished_at=timezone.now())  # fmt: skip
        from django.urls import reverse

        notify(
            [(job.owner, None)],
            key=f"export:{job.pk}",
            title=_("Your hazard ledger export is ready (%(rows)s rows)") % {"rows": rows},
            body=_("Download it from the export page; it is kept for %(days)s days.")
            % {"days": settings.EXPORT_KEEP_DAYS},
            link=reverse("dashboards:export", args=[job.pk]),
        )


class _Counter:
    """Counts rows as they pass and writes the progress every `every` rows (one UPDATE)."""

    def __init__(self, pk: int, every: int) -> None:
        self.pk, self.every, self.n = pk, every, 0

    def count(self, rows: Iterable[list]) -> Iterator[list]:
        for row in rows:
            self.n += 1
            if self.n % self.every == 0:
                ExportJob.objects.filter(pk=self.pk).update(done=self.n)
            yield row


def purge_old(now: datetime | None = None) -> int:
    """Delete the files of exports finished more than EXPORT_KEEP_DAYS ago (the rows stay as a record), and any
    file under exports/ that no job points to and that is as old (left by a worker killed after writing it)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EXPORT_KEEP_DAYS)
    purged = 0
    for job in ExportJob.objects.filter(finished_at__lt=cutoff).exclude(file=""):
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        purged += 1
    storage = ExportJob._meta.get_field("file").storage
    kept = set(ExportJob.objects.exclude(file="").values_list("file", flat=True))
    for name in _files(storage, "exports"):
        if name not in kept and storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            purged += 1
    return purged


def _files(storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _files(storage, f"{folder}/{sub}")
