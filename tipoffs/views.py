"""The handlers' pages (part: handling). See docs/tipoffs.md."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def detail(request, pk: int):
    raise Http404
