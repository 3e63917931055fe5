"""The tip-offs' figures page (part: limits): the period's reports by channel and kind, the shares, the counts of
now and the rewards paid (tipoffs/figures.py). See docs/tipoffs.md, "Figures"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render

from . import figures


@login_required
def page(request):
    figures.require(request.user)
    try:
        found = figures.figures(request.user, request.GET)
    except ValidationError as exc:
        errors = [message for messages in exc.message_dict.values() for message in messages]
        return render(request, "tipoffs/figures.html", {"errors": errors, "figures": None, "params": request.GET},
                      status=400)  # fmt: skip
    return render(request, "tipoffs/figures.html", {"figures": found, "params": request.GET})
