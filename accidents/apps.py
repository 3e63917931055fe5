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
        # --- circulars ---
