from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("No enterprise out of sight")

    def ready(self) -> None:
        # Signals, notice kinds and sweepers are registered here, one block per concern.
        # --- signals: the enterprise list's and the board's (organizations.flags) ---
        from . import signals

        signals.register_all()
        # --- the enterprise's supervision page: each part registers its section (sections.py) ---
        # --- watches ---
        from notifications import kinds

        from . import sections, watch_views, watches

        kinds.register(watches.KIND, _("Activity found on a watch visit"), mutable=False)
        sections.register("watch", "oversight/_watch.html", watch_views.section, order=30)
        # --- verifications ---
        # 主要负责人全面核查 campaigns count verifications (inspections.coverage's registry; inspections imports
        # nothing of oversight); the people section of the supervision page.
        from inspections.choices import CampaignKind
        from inspections.coverage import register_done

        from . import people_section, sections, verifications

        register_done(CampaignKind.PRINCIPAL_VERIFICATION, verifications.campaign_rows)
        sections.register("people", "oversight/_people.html", people_section.context, order=20)
        # --- illegal operations ---
        from . import illegal_section, sections

        sections.register("illegal", "oversight/_illegal.html", illegal_section.context, order=40)
        # --- enforcement ---
        from notifications import kinds

        from . import enforcement, enforcement_views, sections

        kinds.register(enforcement.KIND, _("Art. 113 closure proposal"), mutable=False)
        sections.register("enforcement", "oversight/_enforcement.html", enforcement_views.section, order=50)
        # --- board ---
