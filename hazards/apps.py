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

        from django.db.models.signals import post_delete, post_save

        from organizations.scope import reference_changed

        from .models import HazardCategory

        # The categories are reference data too: lists keep what they derive from them until one changes.
        for signal in (post_save, post_delete):
            signal.connect(reference_changed, sender=HazardCategory, dispatch_uid=f"reference.{id(signal)}.category")
