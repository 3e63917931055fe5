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
        # --- rewards ---
