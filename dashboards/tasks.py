from __future__ import annotations

from celery import shared_task

from . import exports, weekly


@shared_task(name=exports.RUN_EXPORT_TASK, acks_late=True, ignore_result=True)
def run_export(pk: int) -> None:
    """Write a large ledger export to a file; a lost worker's job runs again from the start (acks_late)."""
    exports.run_export(pk)


@shared_task(acks_late=True, ignore_result=True)
def weekly_summaries() -> int:
    """Beat, Monday morning: each department head and territorial leader gets last week's figures by e-mail."""
    return weekly.send_weekly()


@shared_task(acks_late=True, ignore_result=True)
def purge_exports() -> int:
    """Daily: delete export files older than EXPORT_KEEP_DAYS (the job rows stay, marked expired)."""
    return exports.purge_old()


@shared_task(ignore_result=True)
def compact_tally() -> int | None:
    """Every few minutes: merge the dashboard tally's appended rows (its sums stay the same)."""
    from ops.heartbeat import beat

    from . import tally

    merged = tally.compact()
    if merged is not None:
        beat("tally_compact", data={"merged": merged})
    return merged
