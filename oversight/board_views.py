"""The oversight board's page (`oversight:board`, /oversight/): oversight/board.py builds it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import board

# The other parts' lists, linked from the board (plain paths: their URL names live in their own modules).
PART_LINKS = (
    ("watches", "/oversight/watches/"),
    ("illegal", "/oversight/illegal/"),
    ("illegal_figures", "/oversight/illegal/figures/"),
    ("enforcement", "/oversight/enforcement/"),
    ("verifications", "/oversight/verifications/"),
    ("certificates", "/oversight/certificates/"),
)


def part_links() -> list[tuple[str, str]]:
    from django.utils.translation import gettext as _

    labels = {
        "watches": _("Watches"),
        "illegal": _("Illegal operations"),
        "illegal_figures": _("Illegal operations: figures"),
        "enforcement": _("Enforcement documents"),
        "verifications": _("Principal verifications"),
        "certificates": _("Safety certificates"),
    }
    return [(labels[key], path) for key, path in PART_LINKS]


@login_required
def board_page(request):
    b = board.build(request.user)
    return render(request, "oversight/board.html", {"board": b, "links": part_links()})
