from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarlyWarningsConfig(AppConfig):
    # Not `warnings`: a top-level package of that name would shadow Python's own `warnings` module.
    name = "early_warnings"
    verbose_name = _("Early warnings")
