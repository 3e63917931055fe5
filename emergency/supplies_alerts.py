"""The daily supplies alert (items 9 and 12): each warehouse's owning unit is told once a day of its stock below the
minimum and expiring within SUPPLY_EXPIRY_DAYS. Registered with `notifications.sweeps` from `EmergencyConfig.ready()`.
"""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from notifications.outbox import Outbox, SweepResult
from organizations.models import Position, User
from workdays.calendar import SHANGHAI

from .models import Stock, Warehouse
from .supplies import holders_of, owner_posts, plain

ALERTS_FROM = time(8, 0)  # local time: the daily notice waits for the working day


def sweep(now: datetime, batch_size: int, dry_run: bool, result: SweepResult) -> None:
    """Registered with `notifications.sweeps`: once a day, from 08:00, each warehouse's owning unit's heads are told
    in one notice of its stock below the minimum and expiring within SUPPLY_EXPIRY_DAYS. A warehouse told today
    (`alerted_on`) is left out of the query, so the sweep every minute costs one indexed query once all are told; the
    notice's key (`supplyalert:<day>:<warehouse>:<person>`) makes a repeat write nothing."""
    local = timezone.localtime(now, SHANGHAI)
    if local.time() < ALERTS_FROM:
        return
    day = local.date()
    alerts = Stock.objects.alerts().filter(warehouse__active=True).exclude(warehouse__alerted_on=day)
    rows = list(alerts.select_related("warehouse", "item").order_by("warehouse_id", "item_id")[:batch_size])
    by_house: dict[int, list[Stock]] = {}
    for stock in rows:
        by_house.setdefault(stock.warehouse_id, []).append(stock)
    if len(rows) == batch_size and len(by_house) > 1:
        by_house.pop(rows[-1].warehouse_id)  # cut short by the batch: told whole in the next run
    if not by_house:
        return
    posts = owner_posts(stocks[0].warehouse for stocks in by_house.values())
    outbox, prefix = Outbox(now), f"supplyalert:{day:%Y%m%d}:"
    with override(settings.LANGUAGE_CODE):
        for house_id, stocks in by_house.items():
            _alert(outbox, prefix, stocks, holders_of(posts[house_id]))
    with transaction.atomic():
        result.notifications += outbox.flush(dry_run)
        if not dry_run:
            Warehouse.objects.filter(pk__in=by_house).update(alerted_on=day)


def _alert(outbox: Outbox, prefix: str, stocks: list[Stock], people: list[tuple[User, Position]]) -> None:
    house = stocks[0].warehouse
    low = [f"{s.item} {plain(s.quantity)}/{plain(s.minimum)}{s.item.unit}" for s in stocks if s.below_minimum]
    old = [f"{s.item} {s.expires_on:%Y-%m-%d}" for s in stocks if s.expiring]
    parts = []
    if low:
        parts.append(_("Below minimum: %(items)s.") % {"items": "、".join(low)})
    if old:
        parts.append(_("Expiring: %(items)s.") % {"items": "、".join(old)})
    title = _("Supplies alert: %(warehouse)s") % {"warehouse": house}
    for user, position in people:
        outbox.add(f"{prefix}{house.pk}:{user.pk}", user, position, title=title, body="".join(parts),
                   link=f"/emergency/warehouses/{house.pk}/")  # fmt: skip
