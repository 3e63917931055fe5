from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("No enterprise out of sight")

    def ready(self) -> None:
        # Signals, notice kinds and sweepers are registered here, one block per concern.
        # --- signals: the enterprise list's and the board's (organizations.flags) ---
        from . import signals

        signals.register_all()
        # --- the enterprise's supervision page: each part registers its section (sections.py) ---
        # --- watches ---
        from notifications import kinds

        from . import sections, watch_views, watches

        kinds.register(watches.KIND, _("Activity found on a watch visit"), mutable=False)
        sections.register("watch", "oversight/_watch.html", watch_views.section, order=30)
        # --- verifications ---
        # --- illegal operations ---
        # --- enforcement ---
        # --- board ---
