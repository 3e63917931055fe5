"""`{% accident_record_link incident %}` for the incident report's page: the link to its accident record, or the button
to confirm it as one when the user may (`accidents.records.may_confirm`). A template tag, so the duty roster's code
does not import the accidents app."""

from __future__ import annotations

from django import template

from accidents import records
from accidents.models import Accident

register = template.Library()


@register.inclusion_tag("accidents/_incident_link.html", takes_context=True)
def accident_record_link(context, incident) -> dict:
    user = context["request"].user
    existing = Accident.objects.visible_to(user).filter(incident=incident).first()
    return {"existing": existing, "may_confirm": existing is None and records.may_confirm(user, incident),
            "incident": incident}  # fmt: skip
