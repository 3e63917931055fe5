"""The live board of a red warning to 2,000 recipient posts (issue #16): its queries (target <= 5) and its time as a
ratio to one grouped SQL over the same posts (target <= 2x); then the same at 20,000 posts, for information.

Self-contained: it migrates, loads the demo city's regions if the database has none, and writes its own warning,
posts, recipients (a third answered with measures, a few nobody, the rest silent or waiting) and their must-answer
notices with bulk_create, replacing those of an earlier run. Run alone with `bench/run.py --only warning_board`.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

BENCH_TITLE = "BENCH 暴雨红色预警"
POST_PREFIX = "bench-warning-post-"
POSTS = 2_000


def regions():
    from organizations.demo import load_reference
    from organizations.models import Region

    if not Region.objects.exists():
        load_reference()
    return list(Region.objects.filter(level__in=["street", "township", "town"]).order_by("path")) or list(
        Region.objects.order_by("path")
    )


def generate(posts: int):
    """A red warning sent 30 minutes ago to `posts` duty posts spread over the townships, with its notices."""
    from early_warnings.models import EarlyWarning, WarningRecipient
    from notifications.models import Notification
    from organizations.choices import PositionKind, UnitKind
    from organizations.models import Position, User

    old = list(EarlyWarning.objects.filter(title=BENCH_TITLE).values_list("id", flat=True))
    for pk in old:
        Notification.objects.filter(key__startswith=f"warning:{pk}:").delete()
    EarlyWarning.objects.filter(id__in=old).delete()  # cascades to its recipients
    Position.objects.filter(title__startswith=POST_PREFIX).delete()
    places = regions()
    holder, _ = User.objects.get_or_create(username="bench-warning-holder", defaults={"full_name": "值班员"})
    now = timezone.now()
    sent = now - timedelta(minutes=30)
    w = EarlyWarning.objects.create(title=BENCH_TITLE, kind="rainstorm", level="red", issuer="市气象台", issued_at=sent,
                                    sent_at=sent, text="预计未来3小时有大暴雨。")  # fmt: skip
    EarlyWarning.objects.filter(pk=w.pk).update(series=w.pk)
    positions = Position.objects.bulk_create(
        Position(
            kind=PositionKind.DUTY_OFFICER,
            unit_kind=UnitKind.GOVERNMENT,
            region=places[i % len(places)],
            title=f"{POST_PREFIX}{i}",
        )  # fmt: skip
        for i in range(posts)
    )
    due = sent + timedelta(minutes=10)
    rows = []
    for i, p in enumerate(positions):
        answered = i % 3 == 0
        rows.append(WarningRecipient(
            warning=w, post=p, role="government_duty", region=p.region, region_path=p.region.path, sent_at=sent,
            answer_due_at=due if i % 5 else now + timedelta(minutes=5), nobody=i % 50 == 7,
            answered_at=sent + timedelta(minutes=3 + i % 15) if answered else None,
            answered_by=holder if answered else None, passed_up_at=now if i % 3 == 1 and i % 5 else None,
            measures=["patrols_out", "sites_closed"][: 1 + i % 2] if answered else [],
            note="已巡查" if answered else "",
        ))  # fmt: skip
    WarningRecipient.objects.bulk_create(rows, batch_size=1000)
    Notification.objects.bulk_create(
        (Notification(key=f"warning:{w.pk}:{r.post_id}:{holder.pk}", kind="warning", recipient=holder,
                      position_id=r.post_id, title=w.title, body=w.text, must_answer=True,
                      answer_due_at=r.answer_due_at, acknowledged_at=r.answered_at, created_at=sent)
         for r in rows),
        batch_size=1000,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE early_warnings_warningrecipient")
        cursor.execute("ANALYZE notifications_notification")
    return w


def run(args, median, entry) -> list[dict]:
    """The board at 2,000 posts (the targets), then at 20,000 (how the ratio goes with the size: information)."""
    from organizations.models import Region, User

    call_command("migrate", verbosity=0)
    regions()
    root = Region.objects.get(parent=None)
    unit = {"full_name": "bench-city", "unit_kind": "city_office", "region": root}
    city, _ = User.objects.get_or_create(username="bench-city", defaults=unit)
    results = measure(city, POSTS, args, median, entry, targets=True)
    results += measure(city, POSTS * 10, args, median, entry, targets=False)
    generate(POSTS)  # leave the scenario's own size for a look at /warnings/<pk>/board/
    return results


def grouped_sql(warning, now):
    """The baselines: one grouped SQL over the warning's posts (the five states per region path), and one over its
    notices (per post)."""
    from early_warnings.models import WarningRecipient
    from notifications.models import Notification

    unanswered = Q(answered_at__isnull=True)
    posts = (
        WarningRecipient.objects.filter(warning=warning)
        .values("region_path")
        .annotate(
            in_time=Count("id", filter=Q(answered_at__lte=F("answer_due_at"))),
            late=Count("id", filter=Q(answered_at__gt=F("answer_due_at"))),
            vacant=Count("id", filter=unanswered & Q(nobody=True)),
            silent=Count("id", filter=unanswered & Q(nobody=False, answer_due_at__lt=now)),
            pending=Count("id", filter=unanswered & Q(nobody=False, answer_due_at__gte=now)),
        )
        .order_by()
    )
    notices = Notification.objects.filter(key__startswith=f"warning:{warning.pk}:").values("position").annotate(
        n=Count("id")).order_by()  # fmt: skip
    return posts, notices


def raw(queryset):
    sql, params = queryset.query.sql_with_params()

    def call():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return call


def measure(city, posts: int, args, median, entry, targets: bool) -> list[dict]:
    from django.test import Client

    from early_warnings import board
    from organizations.models import User

    w = generate(posts)
    grouped, notices = grouped_sql(w, timezone.now())

    def ours():
        city.__dict__.pop("_scope", None)  # as in a fresh request
        return board.build(city, w.pk)

    ours_s = median(ours, args.repeat)
    sql_s = median(raw(grouped), args.repeat)
    notices_s = median(raw(notices), args.repeat)
    # What any query costs before it reads a row: the ORM reading one user by its primary key.
    floor_s = median(lambda: list(User.objects.filter(pk=city.pk).values_list("id")), args.repeat)
    with CaptureQueriesContext(connection) as ctx:
        result = ours()
    queries = len(ctx.captured_queries)
    client = Client()
    client.force_login(city)
    url = f"/api/v1/warnings/{w.pk}/board/"
    assert client.get(url).status_code == 200
    json_s = median(lambda: client.get(url), args.repeat)
    label = f"warning board ({result.totals['posts']:,} posts, {result.totals['silent']:,} silent)"
    ratio = ours_s / sql_s
    return [
        entry(f"{label}: queries", queries, "queries", "<= 5" if targets else "info", queries <= 5),
        entry(
            f"{label}: time / one grouped SQL over its posts",
            ratio,
            "ratio",
            "<= 2" if targets else "info",
            ratio <= 2 or not targets,
        ),  # fmt: skip
        entry(f"{label}: median ({sql_s * 1000:.2f} ms grouped SQL)", ours_s * 1000, "ms", "info", True),
        entry(
            f"{label}: time / one grouped SQL over its notices ({notices_s * 1000:.2f} ms)",
            ours_s / notices_s,
            "ratio",
            "info",
            True,
        ),  # fmt: skip
        entry(
            f"{label}: a one-row ORM query / the grouped SQL (the fixed cost of each query)",
            floor_s / sql_s,
            "ratio",
            "info",
            True,
        ),  # fmt: skip
        entry(f"{label}: the JSON request (session, scope, rendering)", json_s * 1000, "ms", "info", True),
    ]
