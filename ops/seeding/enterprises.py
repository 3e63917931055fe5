"""Generated enterprises for benchmarks (`manage.py seed_bulk --enterprises N`): any number, reproducibly, hung
from the demo city's reference data (`organizations.demo.load_reference`) and written by COPY on PostgreSQL.

Bulk rows are told apart from the demo's by the credit-code prefix alone (`BULK_PREFIX`).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator

from django.db import transaction

from organizations.choices import RegionLevel, UnitKind
from organizations.creditcode import make_credit_code
from organizations.demo import TRADE_NAMES, Place, body_of_index, fake_enterprise, index_of_body
from organizations.models import Enterprise, Industry, Region, User

from .copy import bulk_insert

BULK_PREFIX = "92"  # bulk rows are told apart from the demo's ("91") by this prefix alone
BULK_EPOCH = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)  # fixed, so created_at is reproducible
BULK_SPAN_SECONDS = 5 * 365 * 24 * 3600


def bulk_places() -> list[tuple[Region, Place]]:
    """Every township-level region in the database, with its county, whatever loaded it."""
    levels = (RegionLevel.TOWNSHIP, RegionLevel.STREET)
    rows = Region.objects.filter(level__in=levels).select_related("parent").order_by("code")
    return [(r, Place(r.code, r.name, r.parent.code if r.parent else r.code[:6], r.parent.name if r.parent else ""))
            for r in rows]  # fmt: skip


def next_bulk_index() -> int:
    """One past the highest index used by earlier bulk runs, so that codes never repeat.

    Indexes read back from codes typed in by hand (a real 个体工商户 also starts with 92) come out as huge
    numbers; they are ignored here, and `bulk_enterprise_rows` skips any code that exists anyway.
    """
    codes = Enterprise.objects.filter(credit_code__startswith=BULK_PREFIX).values_list("credit_code", flat=True)
    indexes = [index_of_body(code[8:17]) for code in codes.iterator(chunk_size=20_000)]
    return max((i for i in indexes if i < 10**9), default=-1) + 1


def bulk_enterprise_rows(count: int, seed: int, start: int) -> Iterator[dict]:
    """`count` generated enterprises as column dicts, spread over all townships, leaf industries and states."""
    # A continued run seeds differently, or it would repeat the first run's names and places.
    rng = random.Random(seed if start == 0 else f"{seed}:{start}")
    places = bulk_places()
    parents = set(Industry.objects.exclude(parent=None).values_list("parent_id", flat=True))
    industries = [(i.pk, i.code) for i in Industry.objects.order_by("code") if i.pk not in parents]
    if not places or not industries:
        raise ValueError("No township or industry to attach enterprises to; load the reference data first.")
    taken = set(Enterprise.objects.filter(credit_code__startswith=BULK_PREFIX).values_list("credit_code", flat=True))
    index = start
    for _ in range(count):
        region, place = rng.choice(places)
        industry_id, industry_code = rng.choice(industries)
        code = make_credit_code(BULK_PREFIX, place.county_code, body_of_index(index))
        while code in taken:  # only a hand-typed code can be here; move on to the next free index
            index += 1
            code = make_credit_code(BULK_PREFIX, place.county_code, body_of_index(index))
        row = fake_enterprise(rng, place, industry_code, rng.choice(TRADE_NAMES))
        row.update(
            credit_code=code,
            region_id=region.pk,
            industry_id=industry_id,
            principal_phone=f"150{index % 10**8:08d}",
            safety_manager_phone=f"151{index % 10**8:08d}",
            created_at=BULK_EPOCH + datetime.timedelta(seconds=rng.randrange(BULK_SPAN_SECONDS)),
        )
        index += 1
        yield row


def delete_bulk_enterprises() -> int:
    """Through the ORM, so that protected references (users, later hazards) stop the reset instead of dangling."""
    _, per_model = Enterprise.objects.filter(credit_code__startswith=BULK_PREFIX).delete()
    return per_model.get(Enterprise._meta.label, 0)  # the total would also count cascaded positions


@transaction.atomic
def load_bulk_enterprises(count: int, seed: int, reset: bool = False) -> dict[str, int]:
    """Add `count` generated enterprises after the earlier bulk ones (or instead of them, with `reset`)."""
    deleted = delete_bulk_enterprises() if reset else 0
    start = next_bulk_index()
    inserted = bulk_insert(Enterprise, bulk_enterprise_rows(count, seed, start))
    return {"deleted": deleted, "start": start, "inserted": inserted}


def bulk_user() -> User:
    """The inactive city-office user that bulk hazards and inspections are found, led and created by."""
    root = Region.objects.get(parent=None)
    user, _ = User.objects.get_or_create(
        username="bulk-inspector", defaults={"unit_kind": UnitKind.CITY_OFFICE, "region": root, "is_active": False}
    )
    return user
