from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyRosterConfig(AppConfig):
    name = "duty_roster"
    verbose_name = _("Duty and incident information")

    def ready(self) -> None:
        # The duty notices must be answered (叫应): listed on the notice settings page as never muted.
        from notifications import kinds, sweeps

        from . import incidents

        kinds.register("checkin", _("Duty check-in missed"), mutable=False)
        kinds.register("rollcall", _("Roll call"), mutable=False)
        kinds.register("incident", _("Incident report"), mutable=False)
        kinds.register("incidentfollowup", _("Incident follow-up report due"), mutable=False)
        kinds.register("incidentchain", _("Incident reporting chain overdue"), mutable=False)
        sweeps.register(incidents.sweep)  # follow-ups due while an incident is open, the chain's overdue levels
