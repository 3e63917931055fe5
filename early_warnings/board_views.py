"""Pages of the live board (`/warnings/<pk>/board/`, polled by static/js/warning-board.js) and of the figures
(`/warnings/figures/`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from rest_framework.exceptions import ValidationError

from organizations.roles import is_government

from . import board, figures
from .board_api import FiguresSerializer, WarningBoardSerializer


@login_required
def board_page(request, pk: int):
    """The city office's main screen while a warning runs: the figures, the regions, the silent posts first."""
    data = WarningBoardSerializer(board.build(request.user, pk)).data
    return render(request, "early_warnings/board.html", {"data": data})


@login_required
def figures_page(request):
    """Call-and-answer figures for the last 30 days or a chosen period; bad dates fall back with a message."""
    if not is_government(request.user):
        raise PermissionDenied
    try:
        start, end = figures.figure_period(request.GET)
    except ValidationError as exc:
        for field_messages in exc.detail.values():
            messages.warning(request, " ".join(str(m) for m in field_messages))
        start, end = figures.figure_period({})
    data = FiguresSerializer(figures.build(request.user, start, end)).data
    return render(request, "early_warnings/figures.html", {"data": data, "start": start, "end": end})
