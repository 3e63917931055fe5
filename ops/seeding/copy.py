"""Writing many rows fast, one writer for every bulk generator (enterprises, hazards, inspections): COPY on
PostgreSQL, `bulk_create` elsewhere."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Iterator

from django.db import connection, models
from django.utils import timezone

CHUNK_ROWS = 50_000
SQLITE_BATCH = 5_000
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def chunked(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_insert(model: type[models.Model], rows: Iterable[dict]) -> int:
    """Insert column dicts (keyed by field attname): COPY on PostgreSQL, bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        return copy_insert(model, rows)
    total = 0
    for chunk in chunked(rows, SQLITE_BATCH):
        model.objects.bulk_create([model(**row) for row in chunk], batch_size=SQLITE_BATCH)
        total += len(chunk)
    return total


def copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).translate(COPY_ESCAPES)


def copy_insert(model: type[models.Model], rows: Iterable[dict]) -> int:
    """COPY the rows in chunks; the id comes from the table's sequence.

    Every concrete column is written, so a NOT NULL column added to the model later gets its Python default
    (COPY does not know Django's defaults) instead of failing the load.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    # auto_now / auto_now_add columns hold the load time; other missing columns their field default.
    fallback = {f.attname: now if getattr(f, "auto_now", False) else f.get_default() for f in fields}
    auto_now = {f.attname for f in fields if getattr(f, "auto_now", False)}
    names = [f.attname for f in fields]
    sql = "COPY {} ({}) FROM STDIN".format(
        connection.ops.quote_name(model._meta.db_table), ", ".join(connection.ops.quote_name(f.column) for f in fields)
    )
    total = 0
    with connection.cursor() as cursor:
        for chunk in chunked(rows, CHUNK_ROWS):
            buffer = io.StringIO()
            for row in chunk:
                values = (now if name in auto_now else row.get(name, fallback[name]) for name in names)
                buffer.write("\t".join(map(copy_value, values)) + "\n")
            buffer.seek(0)
            copy_from_buffer(cursor, sql, buffer)
            total += len(chunk)
        # Fresh statistics, or the planner guesses from an almost empty table in the benchmark that follows.
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return total


def copy_from_buffer(cursor, sql: str, buffer: io.StringIO) -> None:
    """psycopg2 has copy_expert; psycopg 3 has copy(); Django's cursor wrapper passes both through."""
    raw = cursor.cursor
    if hasattr(raw, "copy_expert"):
        raw.copy_expert(sql, buffer)
    else:
        with raw.copy(sql) as copy:
            copy.write(buffer.getvalue())
