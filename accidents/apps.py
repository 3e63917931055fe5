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
        from notifications import answers, kinds, outbox

        from . import lessons

        kinds.register(lessons.KIND, _("Comparison self-check to do"), mutable=False)
        answers.register_wording(lessons.wording)
        outbox.notices_passed_up.connect(lessons.mark_passed_up, dispatch_uid="accidents.lessons.passed_up")
        # --- self-checks: a submitted lesson inspection completes its task (selfchecks.py) ---
        from inspections import signals as inspection_signals

        from . import selfchecks

        inspection_signals.submitted.connect(selfchecks.done, dispatch_uid="accidents.selfchecks.done")
        kinds.register(selfchecks.HOLLOW_KIND, _("Self-check found hollow"))
        # --- circulars: the must-read notice (never muted), its pass-up worded, one holder's answer the unit's ---
        from . import circulars

        kinds.register(circulars.KIND, _("Warning circular"), mutable=False)
        answers.register_wording(circulars.wording, related=("position",))
        outbox.notice_answered.connect(circulars.stop_colleagues, dispatch_uid="accidents.circulars.answered")
