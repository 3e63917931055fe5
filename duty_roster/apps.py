from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyRosterConfig(AppConfig):
    name = "duty_roster"
    verbose_name = _("Duty and incident information")
