from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        # Platform-wide API conventions that DRF has no setting for.
        from safety_platform.lib.api import strict_json_scalars

        strict_json_scalars()
