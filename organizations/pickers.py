"""The searchable enterprise picker's first options (templates/_enterprise_picker.html with
static/js/enterprise-picker.js): the hazard list's filter and the inspection start form share it."""

from __future__ import annotations

from .models import Enterprise, User

FIRST = 50  # the rest are found by typing (the API's `q` within the same scope)


def enterprise_options(user: User, chosen=None, queryset=None) -> list[Enterprise]:
    """The first visible enterprises by name, with the chosen one (an Enterprise or its id) in front when it is
    not among them; the search box fetches the rest."""
    queryset = (queryset if queryset is not None else Enterprise.objects.visible_to(user)).order_by("name")
    queryset = queryset.select_related("region")
    options = list(queryset[:FIRST])
    chosen_id = getattr(chosen, "pk", chosen)
    if isinstance(chosen_id, str):
        chosen_id = int(chosen_id) if chosen_id.isascii() and chosen_id.isdigit() and len(chosen_id) < 19 else None
    if chosen_id and all(e.pk != chosen_id for e in options):
        options = list(queryset.filter(pk=chosen_id)) + options
    return options
