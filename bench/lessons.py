"""A lesson to 50,000 operating enterprises (issue #18): `accidents.lessons.publish` makes the tasks (one INSERT …
SELECT), their departments (per region and industry pair) and each principal's must-answer notice, target <= 30 s;
then the lesson's completion board (by department, by region) against one plain grouped SQL over the same tasks,
target <= 2x.

Needs the bulk enterprises (`prepare`, e.g. --enterprises 70000): exactly 50,000 bulk enterprises are made operating
key units (the rest not key units), each given a principal post held by one bench person, and the lesson covers the key
units of the city. Untimed setup; an earlier run's lesson, tasks and notices are removed first. Run alone with
`bench/run.py --only lesson_publish,lesson_board --enterprises 70000 --hazards 0 --inspections 0`.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

TASKS = 50_000
TARGET_S = 30
BENCH_TITLE = "BENCH 吸取事故教训"
POST_PREFIX = "bench-lesson-principal-"


def _setup():
    """The bench person (a superuser of the city office), the key units with their principal posts, an accident."""
    from accidents.models import Accident, Lesson, LessonTask
    from inspections.models import ChecklistVersion
    from notifications.models import Notification
    from ops.seeding.enterprises import BULK_PREFIX
    from organizations.choices import OperatingState, PositionKind, UnitKind
    from organizations.models import Enterprise, Industry, Position, PositionAssignment, Region, User

    for pk in Lesson.objects.filter(title=BENCH_TITLE).values_list("pk", flat=True):
        Notification.objects.filter(key__startswith=f"lesson:{pk}:").delete()
        LessonTask.objects.filter(lesson_id=pk).delete()
        Lesson.objects.filter(pk=pk).delete()
    city = Region.objects.get(parent=None)
    user, _ = User.objects.get_or_create(username="bench-lesson-city", defaults={
        "full_name": "市安委办", "unit_kind": UnitKind.CITY_OFFICE, "region": city, "is_superuser": True})  # fmt: skip
    holder, _ = User.objects.get_or_create(username="bench-lesson-holder", defaults={"full_name": "企业负责人"})
    bulk = Enterprise.objects.filter(credit_code__startswith=BULK_PREFIX)
    chosen = list(bulk.order_by("pk").values_list("pk", flat=True)[:TASKS])
    if len(chosen) < TASKS:
        raise SystemExit(f"{len(chosen)} bulk enterprises; seed more (--enterprises 70000)")
    Enterprise.objects.filter(is_key_unit=True).exclude(pk__in=chosen).update(is_key_unit=False)
    Enterprise.objects.filter(pk__in=chosen).update(is_key_unit=True, operating_state=OperatingState.OPERATING)
    have = set(Position.objects.filter(title__startswith=POST_PREFIX).values_list("enterprise_id", flat=True))
    made = Position.objects.bulk_create(
        [Position(kind=PositionKind.ENTERPRISE_PRINCIPAL, unit_kind=UnitKind.ENTERPRISE, enterprise_id=pk,
                  title=f"{POST_PREFIX}{pk}") for pk in chosen if pk not in have], batch_size=2000,
    )  # fmt: skip
    PositionAssignment.objects.bulk_create([PositionAssignment(user=holder, position=p) for p in made],
                                           batch_size=2000)  # fmt: skip
    industry = Industry.objects.order_by("code").first()
    accident = Accident.objects.filter(title=BENCH_TITLE).first() or Accident.objects.create(
        title=BENCH_TITLE, external=True, source="bench", enterprise_name="某公司", region=city, region_path=city.path,
        industry=industry, place="某省某市", accident_type="08", occurred_at=timezone.now() - timedelta(days=2),
        created_by=user,
    )  # fmt: skip
    version = ChecklistVersion.objects.order_by("pk").first()
    return user, accident, version


def _draft(user, accident, version):
    from accidents import lessons

    return lessons.create(user, accident, title=BENCH_TITLE, lesson="对照检查。", key_units_only=True,
                          deadline=timezone.now() + timedelta(days=7), version=version)  # fmt: skip


def lesson_publish(args, median, entry) -> list[dict]:
    from accidents import lessons
    from accidents.models import LessonTask
    from notifications.models import Notification

    user, accident, version = _setup()
    lesson = _draft(user, accident, version)
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        lessons.publish(user, lesson.pk)
        seconds = time.perf_counter() - start
    tasks = LessonTask.objects.filter(lesson=lesson).count()
    told = Notification.objects.filter(key__startswith=f"lesson:{lesson.pk}:").count()
    print(f"lesson_publish: {tasks:,} tasks, {told:,} notices in {seconds:.2f} s "
          f"({seconds / tasks * 1e6:.1f} µs per task), {len(ctx.captured_queries)} queries")  # fmt: skip
    return [
        entry(f"lesson_publish to {tasks:,} enterprises (tasks and notices)", seconds, "s", f"<= {TARGET_S}",
              seconds <= TARGET_S and tasks == TASKS and told == TASKS),
        entry("lesson_publish: per task", seconds / tasks * 1e6, "µs", "info", True),
        entry("lesson_publish: queries", len(ctx.captured_queries), "queries", "constant", True),
    ]  # fmt: skip


# One plain grouped SQL per dimension over the same tasks: the board's floor (it adds the states' CASEs on the deadline
# and, for regions, the child regions' query and their sums).
PLAIN = """SELECT {column}, COUNT(*) FILTER (WHERE completed_at IS NOT NULL),
       COUNT(*) FILTER (WHERE completed_at IS NULL AND inspection_id IS NOT NULL),
       COUNT(*) FILTER (WHERE completed_at IS NULL AND inspection_id IS NULL)
FROM accidents_lessontask WHERE lesson_id = %s GROUP BY {column}"""
COLUMNS = {"department": "department_id", "region": "region_path"}


def lesson_board(args, median, entry) -> list[dict]:
    """The board by department and by region of the last published bench lesson (a third of its tasks done)."""
    from accidents import lessons
    from accidents.models import Lesson, LessonTask

    lesson = Lesson.objects.filter(title=BENCH_TITLE, status="published").order_by("-pk").first()
    if lesson is None:
        lesson_publish(args, median, entry)
        lesson = Lesson.objects.filter(title=BENCH_TITLE, status="published").order_by("-pk").first()
    user = lesson.created_by
    ids = list(LessonTask.objects.filter(lesson=lesson).order_by("pk").values_list("pk", flat=True)[::3])
    LessonTask.objects.filter(pk__in=ids).update(completed_at=timezone.now())

    def plain(by: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(PLAIN.format(column=COLUMNS[by]), [lesson.pk])
            cursor.fetchall()

    results = []
    for by in ("department", "region"):
        sql_s = median(lambda by=by: plain(by), args.repeat)
        board_s = median(lambda by=by: lessons.completion(user, lesson, by), args.repeat)
        with CaptureQueriesContext(connection) as ctx:
            rows = lessons.completion(user, lesson, by)
        assert sum(r.counts.total for r in rows) == lesson.tasks_total
        ratio = board_s / sql_s
        print(f"lesson_board by {by}: {board_s * 1000:.1f} ms vs {sql_s * 1000:.1f} ms plain SQL, ratio {ratio:.2f}, "
              f"{len(ctx.captured_queries)} queries")  # fmt: skip
        results += [
            entry(f"lesson_board by {by}: time / one grouped SQL", ratio, "ratio", "<= 2", ratio <= 2),
            entry(f"lesson_board by {by}: median ({sql_s * 1000:.1f} ms plain SQL)", board_s * 1000, "ms", "info",
                  True),
            entry(f"lesson_board by {by}: queries", len(ctx.captured_queries), "queries", "<= 2",
                  len(ctx.captured_queries) <= 2),
        ]  # fmt: skip
    return results
