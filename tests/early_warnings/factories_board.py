"""Rows for the board's and the figures' tests, written directly (the warning workflow that writes them in the
platform is `early_warnings.workflow`): a warning version, its recipient posts and their must-answer notices, keyed
as the workflow keys them (`warning:<warning>:<post>:<user>`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from early_warnings.models import EarlyWarning, WarningRecipient
from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind
from organizations.models import Position, Region, User

LIMIT = {"red": 10, "orange": 15, "yellow": 30, "blue": 60}


def warning(
    title: str = "暴雨红色预警", level: str = "red", areas=(), issued_at: datetime | None = None, **fields
) -> EarlyWarning:
    issued_at = issued_at or timezone.now()
    w = EarlyWarning.objects.create(
        title=title,
        level=level,
        kind=fields.pop("kind", "rainstorm"),
        issuer="市气象台",
        issued_at=issued_at,
        sent_at=issued_at,
        text="预计未来3小时有大暴雨。",
        **fields,
    )
    if w.series is None:
        w.series = w.pk
        w.save(update_fields=["series"])
    if areas:
        w.areas.set(areas)
    return w


def next_version(old: EarlyWarning, level: str, note: str) -> EarlyWarning:
    new = warning(
        old.title,
        level,
        old.areas.all(),
        series=old.series,
        version=old.version + 1,
        supersedes=old,
        change="raised",
        change_note=note,
    )
    EarlyWarning.objects.filter(pk=old.pk).update(status="superseded")
    return new


def post(region: Region, title: str | None = None, kind: str = PositionKind.DUTY_OFFICER, **fields) -> Position:
    return Position.objects.create(
        kind=kind,
        unit_kind=fields.pop("unit_kind", UnitKind.GOVERNMENT),
        region=region,
        title=title or f"{region.name}值班室",
        **fields,
    )


def recipient(
    w: EarlyWarning,
    position: Position,
    region: Region | None = None,
    role: str = "government_duty",
    sent_at: datetime | None = None,
    **fields,
) -> WarningRecipient:
    sent_at = sent_at or w.sent_at
    due = sent_at + timedelta(minutes=LIMIT[w.level])
    return WarningRecipient.objects.create(
        warning=w,
        post=position,
        role=role,
        region=region or position.region,
        sent_at=sent_at,
        answer_due_at=fields.pop("answer_due_at", due),
        **fields,
    )


def notice(r: WarningRecipient, person: User) -> Notification:
    return Notification.objects.create(
        key=f"warning:{r.warning_id}:{r.post_id}:{person.pk}",
        kind="warning",
        recipient=person,
        position=r.post,
        title=r.warning.title,
        body=r.warning.text,
        must_answer=True,
        answer_due_at=r.answer_due_at,
        created_at=r.sent_at,
    )


def answer(r: WarningRecipient, person: User, at: datetime, measures=(), note: str = "") -> WarningRecipient:
    r.answered_at, r.answered_by, r.measures, r.note = at, person, list(measures), note
    r.save(update_fields=["answered_at", "answered_by", "measures", "note"])
    Notification.objects.filter(key__startswith=f"warning:{r.warning_id}:{r.post_id}:").update(acknowledged_at=at)
    return r


def many(w: EarlyWarning, regions: list[Region], count: int, answered_every: int = 3) -> list[WarningRecipient]:
    """`count` posts spread over `regions`, bulk-created; every `answered_every`-th answered in time with measures."""
    positions = Position.objects.bulk_create(
        Position(
            kind=PositionKind.DUTY_OFFICER,
            unit_kind=UnitKind.GOVERNMENT,
            region=regions[i % len(regions)],
            title=f"岗位{i}",
        )
        for i in range(count)
    )
    due = w.sent_at + timedelta(minutes=LIMIT[w.level])
    rows = []
    for i, p in enumerate(positions):
        answered = i % answered_every == 0
        rows.append(
            WarningRecipient(
                warning=w,
                post=p,
                role="government_duty",
                region=p.region,
                region_path=p.region.path,
                sent_at=w.sent_at,
                answer_due_at=due,
                answered_at=w.sent_at + timedelta(minutes=3) if answered else None,
                measures=["patrols_out", "sites_closed"] if answered else [],
                note="已巡查" if answered else "",
            )
        )
    return WarningRecipient.objects.bulk_create(rows, batch_size=1000)
