"""The demo city's tip-offs for `manage.py seed_demo` (part: demo): reports in every state around today, through the
writers. Idempotent. Reports each table's rows and how many this run made."""

from __future__ import annotations

from .demo_rewards import load_demo_rewards
from .models import Report, Reward

TABLES = {"tipoffs": Report, "tipoff_rewards": Reward}


def load_demo_tipoffs() -> dict[str, int]:
    before = {name: model.objects.count() for name, model in TABLES.items()}
    counts: dict[str, int] = {}
    load_demo_rewards()  # rewards in every state on the verified reports (part: rewards)
    for name, model in TABLES.items():
        counts[name] = model.objects.count()
        counts[f"{name}_created"] = counts[name] - before[name]
    return counts
