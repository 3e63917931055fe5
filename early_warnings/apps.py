from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarlyWarningsConfig(AppConfig):
    # Not `warnings`: a top-level package of that name would shadow Python's own `warnings` module.
    name = "early_warnings"
    verbose_name = _("Early warnings")

    def ready(self) -> None:
        # A warning must be answered (叫应) and its lifting reach everyone told: never muted; the tips may be.
        from notifications import answers, kinds, outbox

        from . import passing

        kinds.register("warning", _("Early warning to answer"), mutable=False)
        kinds.register("warninglift", _("Early warning lifted"), mutable=False)
        kinds.register("warningtip", _("Safety tips of an early warning"), mutable=True)
        answers.register_wording(passing.wording)
        outbox.notices_passed_up.connect(passing.mark_passed_up, dispatch_uid="early_warnings.passed_up")
