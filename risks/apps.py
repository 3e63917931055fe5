from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risk graded control")

    def ready(self) -> None:
        # Notice kinds and sweepers are registered here, one block per concern (points, themes, checks).
        from notifications import sweeps

        # --- checks: the day's check tasks and the missed ones, once a day (risks/checks.py) ---
        from . import checks

        sweeps.register(checks.sweep)
