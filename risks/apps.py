from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risk graded control")

    def ready(self) -> None:
        # Notice kinds and sweepers are registered here, one block per concern (points, themes, checks).
        # --- points ---
        from . import reevaluation

        reevaluation.connect()  # an accident at the enterprise makes its points due for re-evaluation
