from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "emergency"
    verbose_name = _("Emergency readiness")

    def ready(self) -> None:
        from notifications import kinds, sweeps

        from . import supplies_alerts

        # --- supplies ---
        kinds.register("supplies", _("Supplies allocation requests"))
        kinds.register("supplyalert", _("Supplies below minimum or expiring"))
        sweeps.register(supplies_alerts.sweep)  # the daily alert of each warehouse, once a day
