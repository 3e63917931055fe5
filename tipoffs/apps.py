from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TipoffsConfig(AppConfig):
    name = "tipoffs"
    verbose_name = _("Tip-offs")

    def ready(self) -> None:
        # Notice kinds, sweepers and sections are registered here, one block per concern.
        # --- intake ---
        from notifications import kinds

        from . import intake

        kinds.register(intake.KIND, _("New tip-off to handle"), mutable=False)
        # --- time limits ---
        from notifications import kinds, sweeps

        from . import limits

        kinds.register(limits.REMIND_KIND, _("Tip-off time limit approaching"))
        kinds.register(limits.OVERDUE_KIND, _("Tip-off past its time limit"), mutable=False)
        sweeps.register(limits.sweep)  # reminders before a limit, must-answer notices once past it
        # --- rewards ---
