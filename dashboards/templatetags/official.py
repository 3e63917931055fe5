"""Template helpers of the official documents: the print buttons on a hazard's page, Chinese counting."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from dashboards.documents import STATUSES, is_issuer
from dashboards.models import IssuedDocument

register = template.Library()


@register.simple_tag
def hazard_documents(user, hazard) -> list[dict]:
    """Each kind the user may print now: an issued one to print again, or one the hazard's state allows."""
    if not is_issuer(user):
        return []
    issued = {d.kind: d for d in IssuedDocument.objects.filter(hazard=hazard)}
    return [
        {"kind": kind, "label": label, "document": issued.get(kind)}
        for kind, label in IssuedDocument.Kind.choices
        if kind in issued or hazard.status in STATUSES[kind]
    ]


DIGITS = "〇一二三四五六七八九"


@register.filter
def counting(number: int) -> str:
    """一, 二, … 九十九 in Chinese (sections are headed （一）、（二）), the number itself in English."""
    if not (get_language() or "").startswith("zh") or not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")
