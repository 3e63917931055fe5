"""The demo city's lost-supervision picture for `manage.py seed_demo`: enterprises showing every signal, watches
with visits, verifications and certificates, illegal operations and enforcement documents, around today. Each part
seeds its own (demo_*.py); this runs them in order and reports each table's rows and how many this run made.
Idempotent."""

from __future__ import annotations

from .demo_board import load_demo_board
from .demo_enforcement import load_demo_enforcement
from .demo_history import load_demo_inspection_history
from .demo_illegal import load_demo_illegal
from .demo_people import load_demo_people
from .demo_registry import load_demo_registry_flags
from .demo_watches import load_demo_watches
from .models import (
    Certificate,
    EnforcementAction,
    IllegalOperation,
    ResumptionCheck,
    SignalCount,
    Verification,
    Watch,
    WatchVisit,
)

TABLES = {
    "certificates": Certificate,
    "verifications": Verification,
    "watches": Watch,
    "watch_visits": WatchVisit,
    "resumptions": ResumptionCheck,
    "illegal_ops": IllegalOperation,
    "enforcement": EnforcementAction,
    "signal_counts": SignalCount,
}


def load_demo_oversight() -> dict[str, int]:
    before = {name: model.objects.count() for name, model in TABLES.items()}
    counts: dict[str, int] = {}
    # --- history: past government inspections, two in three of 市应急管理局's producing enterprises ---
    counts.update(load_demo_inspection_history())
    counts.update(load_demo_registry_flags())  # the borrowed-qualification flag on two enterprises
    load_demo_people()  # certificates and verifications, a 主要负责人全面核查 campaign
    load_demo_watches()  # watches, visits (one finding activity: an alert), a resumption check
    load_demo_illegal()  # illegal operations across kinds, sources and results
    load_demo_enforcement()  # documents of every kind, an Art. 113 proposal
    load_demo_board()  # the signal counts of today and seven earlier weeks: the board's trend
    for name, model in TABLES.items():
        counts[name] = model.objects.count()
        counts[f"{name}_created"] = counts[name] - before[name]
    return counts
