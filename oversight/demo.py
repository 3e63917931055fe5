"""The demo city's lost-supervision picture for `manage.py seed_demo`: enterprises showing every signal, watches
with visits, verifications and certificates, illegal operations and enforcement documents, around today. Each part
seeds its own (demo_*.py); this runs them in order. Idempotent."""

from __future__ import annotations

from .demo_history import load_demo_inspection_history
from .demo_registry import load_demo_registry_flags


def load_demo_oversight() -> dict[str, int]:
    counts: dict[str, int] = {}
    # --- history: past government inspections, two in three of 市应急管理局's producing enterprises ---
    counts.update(load_demo_inspection_history())
    counts.update(load_demo_registry_flags())  # the borrowed-qualification flag on two enterprises
    # --- people: certificates and verifications (demo_people.py) ---
    from .demo_people import load_demo_people

    counts.update(load_demo_people())
    # --- watches: watches, visits, a resumption check (demo_watches.py) ---
    from .demo_watches import load_demo_watches

    counts.update(load_demo_watches())
    # --- illegal operations (demo_illegal.py) ---
    from .demo_illegal import load_demo_illegal

    counts.update(load_demo_illegal())
    # --- enforcement (demo_enforcement.py) ---
    from .demo_enforcement import load_demo_enforcement

    counts.update(load_demo_enforcement())
    # --- board: signal counts for the trend (demo_board.py) ---
    from .demo_board import load_demo_board

    counts.update(load_demo_board())
    return counts
