"""The handlers' actions by name, as the page (`tipoffs:act`) and the API (`POST /api/v1/tipoffs/<pk>/<action>/`)
call them: each name maps to its rule in `handling.RULES` and to the one writer of `tipoffs/handling.py` it runs.
`check` asks the rule first (403, then 409) so a bad form from someone who may not act is a 403, not a 400."""

from __future__ import annotations

from django.http import Http404

from hazards.choices import Level
from safety_platform.lib import rules

from . import handling

# name -> the rule of handling.RULES it needs.
RULE = {
    "accept": "accept",
    "transfer": "transfer",
    "decline": "decline",
    "merge": "merge",
    "spam": "spam",
    "extend": "extend",
    "hazard": "link",
    "illegal": "link",
    "verify": "verify",
    "answer": "answer",
}


def check(actor, report, name: str) -> None:
    if name not in RULE:
        raise Http404
    rules.check(handling.RULES, actor, report, RULE[name])


def perform(actor, report, name: str, data: dict):
    """Run the writer of `name` with the cleaned values of its form or serializer; returns the report."""
    pk = report.pk
    value = data.get
    if name == "accept":
        return handling.accept(actor, pk, note=value("note") or "", industry=value("industry"))
    if name == "transfer":
        return handling.transfer(
            actor, pk, value("reason") or "", department=value("department"), region=value("region")
        )
    if name == "decline":
        return handling.decline(actor, pk, value("reason") or "")
    if name == "merge":
        return handling.merge(actor, pk, value("note") or "")
    if name == "spam":
        return handling.mark_spam(actor, pk, value("reason") or "")
    if name == "extend":
        return handling.extend(actor, pk, value("reason") or "")
    if name == "hazard":
        return handling.file_hazard(
            actor, pk, title=value("title") or "", description=value("description") or "",
            category=value("category"), level=value("level") or Level.GENERAL, place=value("place") or "",
            deadline=value("deadline"),
        )  # fmt: skip
    if name == "illegal":
        return handling.record_illegal(actor, pk, kind=value("kind"), description=value("description") or "")
    if name == "verify":
        return handling.verify(actor, pk, value("outcome") or "", value("finding") or "")
    if name == "answer":
        return handling.answer(actor, pk, value("answer") or "")
    raise Http404
