"""The allocation ledger (调拨台账, item 10): every approved allocation in the user's scope, a row per item, as an
Excel workbook streamed by `safety_platform.lib.xlsx`."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import User
from safety_platform.lib import xlsx
from workdays.calendar import SHANGHAI

from .models import AllocationRequest, AllocationRequestLine

Status = AllocationRequest.Status


def ledger(actor: User):
    """Approved allocations in scope, a line each, newest first."""
    requests = AllocationRequest.objects.visible_to(actor).filter(status=Status.APPROVED)
    return (
        AllocationRequestLine.objects.filter(request__in=requests)
        .select_related(
            "item",
            "request__warehouse",
            "request__region",
            "request__destination_warehouse",
            "request__requested_by",
            "request__decided_by",
        )  # fmt: skip
        .order_by("-request__decided_at", "-request_id", "id")
    )


def ledger_head() -> list[str]:
    return [_("Request"), _("Approved at"), _("Approved by"), _("From warehouse"), _("Item"), _("Specification"),
            _("Quantity"), _("Unit of measure"), _("To"), _("Destination warehouse"), _("Requesting territory"),
            _("Requested by"), _("Reason")]  # fmt: skip


def ledger_rows(lines) -> Iterator[list]:
    for line in lines.iterator(chunk_size=500):
        req = line.request
        yield [req.pk, timezone.localtime(req.decided_at, SHANGHAI).replace(tzinfo=None), str(req.decided_by),
               req.warehouse.name, line.item.name, line.item.specification, line.quantity, line.item.unit,
               req.destination, req.destination_warehouse.name if req.destination_warehouse else "",
               req.region.name, str(req.requested_by), req.reason]  # fmt: skip


def ledger_workbook(actor: User) -> Iterator[bytes]:
    """The ledger as an .xlsx, streamed (`safety_platform.lib.xlsx`: typed text never runs as a formula)."""
    title = _("Allocation ledger")
    widths = [8, 17, 10, 20, 14, 16, 10, 8, 24, 20, 12, 10, 30]
    return xlsx.stream(ledger_rows(ledger(actor)), title, head=[ledger_head()], widths=widths, banner=title,
                       autofilter=True)  # fmt: skip
