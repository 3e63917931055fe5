"""The demo city's lost-supervision picture for `manage.py seed_demo`: enterprises showing every signal, watches
with visits, verifications and certificates, illegal operations and enforcement documents, around today. Each part
seeds its own (demo_*.py); this runs them in order. Idempotent."""

from __future__ import annotations


def load_demo_oversight() -> dict[str, int]:
    counts: dict[str, int] = {}
    # --- people: certificates and verifications (demo_people.py) ---
    # --- watches: watches, visits, a resumption check (demo_watches.py) ---
    from .demo_watches import load_demo_watches

    counts.update(load_demo_watches())
    # --- illegal operations (demo_illegal.py) ---
    # --- enforcement (demo_enforcement.py) ---
    # --- board: signal counts for the trend (demo_board.py) ---
    return counts
