"""The hazard tally and the PostgreSQL triggers that keep it: every statement that inserts, updates or deletes
hazards adds its rows' contributions (+1 new, -1 old) in the same transaction, so the tally is always the hazard
table grouped. On SQLite nothing is installed and the dashboard reads the hazards themselves.

The functions read these hazard columns: created_at, closed_at, deadline, status, level, region_id, region_path,
department_id, industry_id, recurrence_of_id. A later migration that renames or drops one of them must replace
the functions in the same migration, or every write to a hazard fails."""

import django.db.models.deletion
from django.db import migrations, models

KEY = "kind, month, region_id, region_path, department_id, industry_id, level, status, recurrence, on_time"
OPEN = "('reported', 'confirmed', 'rectifying', 'awaiting_acceptance')"
# Months and weeks (from Monday) of the platform's calendar, Asia/Shanghai.
TRUNC = "date_trunc('{}', {} AT TIME ZONE 'Asia/Shanghai')::date"
DIMS = "region_id, region_path, department_id, industry_id, level, status"


def facts(source: str) -> str:
    """Each hazard's contributions (a `delta` column of +1 or -1): while open, one row without a month and one by
    its deadline's month; one by the month and one by the week it was filed; once closed, one by the month and one
    by the week it was closed."""
    on_time = "COALESCE(status = 'closed' AND (deadline IS NULL OR closed_at <= deadline), false)"
    flags = f"recurrence_of_id IS NOT NULL, {on_time}"
    return f"""
        SELECT 'o' AS kind, NULL::date AS month, {DIMS}, false AS recurrence, false AS on_time, delta FROM {source}
         WHERE status IN {OPEN}
        UNION ALL
        SELECT 'd', {TRUNC.format("month", "deadline")}, {DIMS}, false, false, delta FROM {source}
         WHERE deadline IS NOT NULL AND status IN {OPEN}
        UNION ALL
        SELECT 'f', {TRUNC.format("month", "created_at")}, {DIMS}, {flags}, delta FROM {source}
        UNION ALL
        SELECT 'F', {TRUNC.format("week", "created_at")}, {DIMS}, {flags}, delta FROM {source}
        UNION ALL
        SELECT 'c', {TRUNC.format("month", "closed_at")}, {DIMS}, false, false, delta FROM {source}
         WHERE closed_at IS NOT NULL
        UNION ALL
        SELECT 'C', {TRUNC.format("week", "closed_at")}, {DIMS}, false, false, delta FROM {source}
         WHERE closed_at IS NOT NULL"""


def add(source: str) -> str:
    """The statement's contributions, summed per key, appended as new rows: writers never update or lock a tally
    row, so concurrent transitions neither wait for nor deadlock on each other. `compact` merges the rows later."""
    return f"""
        INSERT INTO dashboards_hazardtally ({KEY}, n, merged)
        SELECT {KEY}, sum(delta), false FROM ({facts(source)}) f
         GROUP BY {KEY} HAVING sum(delta) <> 0;"""


FRESH = f"SELECT {KEY}, sum(delta) AS n FROM ({facts('(SELECT h.*, 1 AS delta FROM hazards_hazard h) s')}) f GROUP BY {KEY}"
# Two rows of the same key; `month` is compared by `=` (the index) and the one kind without a month separately.
SAME_KEY = " AND ".join(
    f"t.{c} = d.{c}" for c in ("kind", "month", "region_id", "region_path", "industry_id", "level", "status",
                              "recurrence", "on_time")
) + " AND t.department_id IS NOT DISTINCT FROM d.department_id"


NEW = "(SELECT h.*, 1 AS delta FROM new_rows h) s"
OLD = "(SELECT h.*, -1 AS delta FROM old_rows h) s"
BOTH = "(SELECT h.*, 1 AS delta FROM new_rows h UNION ALL SELECT h.*, -1 FROM old_rows h) s"
EVENTS = {
    "insert": ("INSERT", "REFERENCING NEW TABLE AS new_rows", NEW),
    "update": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", BOTH),
    "delete": ("DELETE", "REFERENCING OLD TABLE AS old_rows", OLD),
}

INSTALL = [
    # Rebuild from scratch (this migration, `manage.py tally --rebuild`, bulk loads): the hazard table is locked
    # against writes meanwhile, so no change slips between emptying the tally and counting it again (TRUNCATE leaves
    # no dead rows for the dashboard to read past; it waits for the tally's readers).
    f"""CREATE FUNCTION dashboards_tally_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE written bigint;
        BEGIN
          PERFORM pg_advisory_xact_lock(hashtext('dashboards_tally_compact'));
          LOCK TABLE hazards_hazard IN SHARE MODE;
          TRUNCATE dashboards_hazardtally;
          INSERT INTO dashboards_hazardtally ({KEY}, n, merged) SELECT *, true FROM ({FRESH}) fresh;
          GET DIAGNOSTICS written = ROW_COUNT;
          RETURN written;
        END $$""",
    # Merge the rows of every key that a trigger appended to since the last compaction into one, in one transaction:
    # a reader sees the rows before or after, with the same sums; rows appended meanwhile by transactions not yet
    # committed are not in the statements' snapshots and stay as they are. One compaction at a time (advisory lock).
    f"""CREATE FUNCTION dashboards_tally_compact() RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE written bigint; appended bigint; kept real;
        BEGIN
          PERFORM pg_advisory_xact_lock(hashtext('dashboards_tally_compact'));
          SELECT count(*) INTO appended FROM dashboards_hazardtally WHERE merged = false;
          SELECT reltuples INTO kept FROM pg_class WHERE oid = 'dashboards_hazardtally'::regclass;
          IF appended * 10 > kept THEN
            -- After a bulk change (a tenth of the table or more appended): one pass over everything.
            WITH gone AS (DELETE FROM dashboards_hazardtally RETURNING *)
            INSERT INTO dashboards_hazardtally ({KEY}, n, merged)
            SELECT {KEY}, sum(n), true FROM gone GROUP BY {KEY} HAVING sum(n) <> 0;
            GET DIAGNOSTICS written = ROW_COUNT;
            RETURN written;
          END IF;
          WITH d AS (SELECT DISTINCT {KEY} FROM dashboards_hazardtally WHERE merged = false AND month IS NOT NULL),
          gone AS (DELETE FROM dashboards_hazardtally t USING d WHERE {SAME_KEY} RETURNING t.*)
          INSERT INTO dashboards_hazardtally ({KEY}, n, merged)
          SELECT {KEY}, sum(n), true FROM gone GROUP BY {KEY} HAVING sum(n) <> 0;
          GET DIAGNOSTICS written = ROW_COUNT;
          -- The open rows have no month: a few thousand at most, merged all together.
          WITH gone AS (DELETE FROM dashboards_hazardtally WHERE month IS NULL RETURNING *)
          INSERT INTO dashboards_hazardtally ({KEY}, n, merged)
          SELECT {KEY}, sum(n), true FROM gone GROUP BY {KEY} HAVING sum(n) <> 0;
          RETURN written;
        END $$""",
    # The keys where the tally and a fresh grouping of the hazards disagree (0 when all is well).
    f"""CREATE FUNCTION dashboards_tally_differences() RETURNS bigint LANGUAGE sql STABLE AS $$
        WITH fresh AS ({FRESH}),
        kept AS (SELECT {KEY}, sum(n) AS n FROM dashboards_hazardtally GROUP BY {KEY} HAVING sum(n) <> 0)
        SELECT count(*) FROM ((SELECT * FROM fresh EXCEPT ALL SELECT * FROM kept)
                              UNION ALL (SELECT * FROM kept EXCEPT ALL SELECT * FROM fresh)) d
        $$""",
]
for event, (verb, referencing, source) in EVENTS.items():
    INSTALL += [
        f"""CREATE FUNCTION dashboards_tally_on_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {add(source)}
              RETURN NULL;
            END $$""",
        f"""CREATE TRIGGER dashboards_tally_{event} AFTER {verb} ON hazards_hazard {referencing}
            FOR EACH STATEMENT EXECUTE FUNCTION dashboards_tally_on_{event}()""",
    ]
INSTALL.append("SELECT dashboards_tally_rebuild()")

REMOVE = [f"DROP TRIGGER IF EXISTS dashboards_tally_{event} ON hazards_hazard" for event in EVENTS] + [
    f"DROP FUNCTION IF EXISTS dashboards_tally_on_{event}()" for event in EVENTS
] + [
    "DROP FUNCTION IF EXISTS dashboards_tally_rebuild()",
    "DROP FUNCTION IF EXISTS dashboards_tally_compact()",
    "DROP FUNCTION IF EXISTS dashboards_tally_differences()",
]


def run(statements):
    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return forwards


class Migration(migrations.Migration):

    dependencies = [
        ('dashboards', '0002_document_counter'),
        ('organizations', '0001_initial'),
        ('hazards', '0005_closed_at_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='HazardTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('o', 'Open'), ('d', 'Open, by deadline month'), ('f', 'Filed, by month'), ('F', 'Filed, by week'), ('c', 'Closed, by month'), ('C', 'Closed, by week')], max_length=1, verbose_name='kind')),
                ('month', models.DateField(null=True, verbose_name='month or week')),
                ('region_path', models.CharField(max_length=255, verbose_name='territory path')),
                ('level', models.CharField(max_length=16, verbose_name='level')),
                ('status', models.CharField(max_length=24, verbose_name='status')),
                ('recurrence', models.BooleanField(default=False, verbose_name='recurrence')),
                ('on_time', models.BooleanField(default=False, verbose_name='closed on time')),
                ('n', models.IntegerField(default=0, verbose_name='hazards')),
                ('merged', models.BooleanField(default=False, verbose_name='merged')),
                ('department', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organizations.department', verbose_name='supervising department')),
                ('industry', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organizations.industry', verbose_name='industry')),
                ('region', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organizations.region', verbose_name='territory')),
            ],
            options={
                'verbose_name': 'hazard tally',
                'verbose_name_plural': 'hazard tallies',
                'indexes': [
                    models.Index(fields=['kind', 'month', 'region'], name='hazard_tally_kind_month'),
                    models.Index(condition=models.Q(('merged', False)), fields=['id'], name='hazard_tally_appended'),
                ],
            },
        ),
        migrations.RunPython(run(INSTALL), run(REMOVE)),
    ]
