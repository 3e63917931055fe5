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

        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .models import Department, Industry, Region
        from .scope import reference_changed

        # What Reference and SupervisionMap read, kept across requests (organizations.scope): load again on change.
        for model in (Department, Industry, Region):
            for signal in (post_save, post_delete):
                signal.connect(reference_changed, sender=model, dispatch_uid=f"reference.{signal}.{model.__name__}")
        m2m_changed.connect(
            reference_changed, sender=Department.industries.through, dispatch_uid="reference.department_industries"
        )
