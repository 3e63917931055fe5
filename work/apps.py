from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    """Everyone's work in front of them: the to-do queues of the home page and `GET /api/v1/me/queue/`.

    It reads hazards, inspections, duty rotas and notices, so it sits beside `dashboards`, above the domain apps
    (docs/architecture.md); it has no models and changes nothing."""

    name = "work"
    verbose_name = _("Work queues")
