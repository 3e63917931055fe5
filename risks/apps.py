from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risk graded control")

    def ready(self) -> None:
        # Notice kinds, sweepers and signals are registered here, one block per concern (points, themes, checks).
        # --- risk themes: a theme to confirm is must-answer (never muted); its pass-up worded and marked here ---
        from notifications import answers, kinds, outbox

        from . import themes

        kinds.register(themes.KIND, _("Risk theme to confirm"), mutable=False)
        answers.register_wording(themes.wording)
        outbox.notices_passed_up.connect(themes.mark_passed_up, dispatch_uid="risks.themes.passed_up")

        # --- points ---
        from . import reevaluation

        reevaluation.connect()  # an accident at the enterprise makes its points due for re-evaluation
        # --- checks: the day's check tasks run from beat's own `risk-checks` entry (risks/tasks.py) ---
