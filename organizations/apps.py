from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from .login_limit import count_failure

        user_login_failed.connect(count_failure, dispatch_uid="organizations.login_limit")
