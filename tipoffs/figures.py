"""The tip-offs' figures (issue #20, point 7), over the reports the viewer sees (`filters.seen_by`, as the list), for a
period (a `year`, this year by default, or the days `received_from` to `received_to`, both inclusive):

- the reports received in the period, by channel and kind (a cross table with its totals);
- of those accepted (`accepted_at` set), the share verified (verified or closed); of those verified, the share
  substantiated (wholly or partly); of those closed, the share closed on time (`handling.on_time`: by both the
  handling limit and the answer's);
- now, whatever the period: awaiting triage, being verified, awaiting the answer, and past a limit (`overdue_q`);
- the rewards paid in the period (by `paid_at`): how many and how much.

Three aggregate queries whatever the number of reports: the cross table (grouped), the shares and the counts of now
(one aggregate of filtered counts), the rewards. Every count of reports links to the list with the same filters:
the counts of now (`state`, `overdue=1`), the cross table's cells and totals (`channel`, `kind`, `received_from`,
`received_to`), over the same reports the list starts from (`filters.seen_by`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.roles import is_government
from safety_platform.lib import periods

from .choices import REWARDABLE, Channel, Kind, RewardState, State
from .filters import seen_by
from .models import Reward, overdue_q


@dataclass(frozen=True)
class Cell:
    count: int
    url: str | None = None


@dataclass(frozen=True)
class Share:
    """`part` of `whole`, and the percentage (one decimal; None when there is nothing to divide)."""

    part: int
    whole: int

    @property
    def percent(self) -> Decimal | None:
        if not self.whole:
            return None
        return (Decimal(100 * self.part) / self.whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Figures:
    period: dict  # the parameters of the period: {"year": "2026"} or {"received_from": …, "received_to": …}
    start: date
    end: date
    channels: list[tuple[str, str]]  # (value, label) of the table's rows
    kinds: list[tuple[str, str]]  # … and its columns
    table: dict[str, dict[str, int]]  # channel -> kind -> count
    by_channel: dict[str, int]
    by_kind: dict[str, int]
    received: int
    verified: Share
    substantiated: Share
    on_time: Share
    now: dict[str, Cell] = field(default_factory=dict)  # received, accepted, verified, overdue
    rewards_paid: int = 0
    rewards_amount: int = 0

    def link(self, **query) -> str:
        """The list of the period's reports with these filters."""
        return list_url(received_from=self.start.isoformat(), received_to=self.end.isoformat(), **query)

    @property
    def rows(self) -> list[tuple[str, list[Cell], Cell]]:
        """The cross table as the page shows it: a channel's label, its cell per kind, its total; each a link."""
        return [
            (
                label,
                [Cell(self.table[c][k], self.link(channel=c, kind=k)) for k, _l in self.kinds],
                Cell(self.by_channel[c], self.link(channel=c)),
            )
            for c, label in self.channels
        ]

    @property
    def totals(self) -> tuple[list[Cell], Cell]:
        """The table's last row: each kind's total, and all the period's reports."""
        return [Cell(self.by_kind[k], self.link(kind=k)) for k, _l in self.kinds], Cell(self.received, self.link())


def may_see(user) -> bool:
    """The government's staff (departments, governments, the city office): who handle and oversee tip-offs."""
    return bool(user.is_authenticated and is_government(user))


def require(user) -> None:
    if not may_see(user):
        raise PermissionDenied(_("Only the government's staff see the tip-offs' figures."))


def list_url(**query) -> str:
    """The handlers' list (`tipoffs:list`, /tipoffs/) with these filters."""
    return f"{reverse('tipoffs:list')}?{urlencode(query, doseq=True)}"


# --- the period -----------------------------------------------------------------------------------------------------


def period_of(params, today: date | None = None) -> tuple[dict, date, date]:
    """`received_from`/`received_to` (either may be left out), else `year` (this year by default): the parameters
    and the span (safety_platform.lib.periods). Raises ValidationError naming the parameter."""
    return periods.period_of(params, "received_from", "received_to", today)


# --- counting -------------------------------------------------------------------------------------------------------


def figures(user, params, now: datetime | None = None) -> Figures:
    """The figures for `params` (`year`, or `received_from`/`received_to`) over the reports the user sees;
    ValidationError names a bad parameter. Three queries."""
    now = now or timezone.now()
    period, start, end = period_of(params, timezone.localdate(now))
    since, until = periods.span(start, end)
    reports = seen_by(user).order_by()
    received = Q(received_at__gte=since, received_at__lt=until)
    table = {c: dict.fromkeys(Kind.values, 0) for c in Channel.values}
    for channel, kind, n in reports.filter(received).values_list("channel", "kind").annotate(n=Count("id")):
        table[channel][kind] = n
    totals = reports.aggregate(**_shares(received), **_now(now))
    paid = (
        Reward.objects.visible_to(user)
        .filter(state=RewardState.PAID, paid_at__gte=since, paid_at__lt=until)
        .aggregate(n=Count("id"), amount=Sum("amount"))
    )
    return Figures(
        period=period, start=start, end=end, channels=list(Channel.choices), kinds=list(Kind.choices), table=table,
        by_channel={c: sum(table[c].values()) for c in Channel.values},
        by_kind={k: sum(table[c][k] for c in Channel.values) for k in Kind.values},
        received=sum(sum(row.values()) for row in table.values()),
        verified=Share(totals["verified"], totals["accepted"]),
        substantiated=Share(totals["substantiated"], totals["verified"]),
        on_time=Share(totals["on_time"], totals["closed"]),
        now={
            "received": Cell(totals["now_received"], list_url(state=State.RECEIVED)),
            "accepted": Cell(totals["now_accepted"], list_url(state=State.ACCEPTED)),
            "verified": Cell(totals["now_verified"], list_url(state=State.VERIFIED)),
            "overdue": Cell(totals["now_overdue"], list_url(overdue=1)),
        },
        rewards_paid=paid["n"], rewards_amount=paid["amount"] or 0,
    )  # fmt: skip


def _shares(received: Q) -> dict:
    """The filtered counts of the period's shares (over the reports received in it)."""
    accepted = received & Q(accepted_at__isnull=False)
    verified = accepted & Q(state__in=(State.VERIFIED, State.CLOSED))
    closed = accepted & Q(state=State.CLOSED)
    # handling.on_time: closed by the handling limit and by the answer's.
    in_time = closed & Q(closed_at__lte=F("due_at")) & Q(closed_at__lte=F("feedback_due_at"))
    return {
        "accepted": Count("id", filter=accepted),
        "verified": Count("id", filter=verified),
        "substantiated": Count("id", filter=verified & Q(outcome__in=REWARDABLE)),
        "closed": Count("id", filter=closed),
        "on_time": Count("id", filter=in_time),
    }


def _now(now: datetime) -> dict:
    """The counts of now, whatever the period (each one a list's filter)."""
    return {
        "now_received": Count("id", filter=Q(state=State.RECEIVED)),
        "now_accepted": Count("id", filter=Q(state=State.ACCEPTED)),
        "now_verified": Count("id", filter=Q(state=State.VERIFIED)),
        "now_overdue": Count("id", filter=overdue_q(now)),
    }
