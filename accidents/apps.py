from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccidentsConfig(AppConfig):
    name = "accidents"
    verbose_name = _("Accidents and their lessons")

    def ready(self) -> None:
        # Notice kinds, sweepers and signals are registered here, one block per concern (records, lessons, circulars).
        # --- records ---
        # --- lessons: the task notice is must-answer; its pass-up worded and marked (lessons.py) ---
        # --- self-checks: a submitted lesson inspection completes its task (selfchecks.py) ---
        from inspections import signals as inspection_signals
        from notifications import kinds as notice_kinds

        from . import selfchecks

        inspection_signals.submitted.connect(selfchecks.done, dispatch_uid="accidents.selfchecks.done")
        notice_kinds.register(selfchecks.HOLLOW_KIND, _("Self-check found hollow"))
        # --- end self-checks ---
        # --- circulars ---
        pass
