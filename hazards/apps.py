from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "hazards"
    verbose_name = _("Hazards")

    def ready(self) -> None:
        # The notifications app sits below this one and imports nothing from it: the escalation steps join its
        # periodic sweep, word the notices it passes up about a hazard, and put answers on the hazard's timeline.
        from . import escalation, listing_sweeps
        from .workflow import notices

        escalation.connect()
        listing_sweeps.connect()  # the clocks of listed supervision (after the escalation steps)
        notices.register_kinds()  # the hand-off notices, which people may mute
