from __future__ import annotations

from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ops import offline
from ops.views import healthz, operations
from work import views as work_views

from .admin import restrict_admin_to_city_office

restrict_admin_to_city_office(admin.site)

urlpatterns = [
    path("", work_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("organizations.urls")),
    path("", include("hazards.urls")),
    path("", include("notifications.urls")),
    path("", include("inspections.urls")),
    path("", include("duty_roster.urls")),
    path("", include("emergency.rescue_urls")),
    path("", include("early_warnings.urls")),
    path("", include("dashboards.urls")),
    path("", include("dashboards.urls_documents")),
    path("", include("dashboards.risk_urls")),  # the four-colour picture, the risk notice card (#17)
    path("", include("early_warnings.public_urls")),
    path("", include("early_warnings.board_urls")),
    path("", include("emergency.supplies_urls")),
    path("", include("risks.theme_urls")),
    path("", include("accidents.lesson_urls")),  # lessons (#18, "lessons")
    path("", include("risks.io_urls")),  # risks: import and export of risk points
    path("", include("risks.urls")),  # risk points (namespace risks)
    path("", include("risks.check_urls")),
    # --- accidents (#18): figures (/accidents/statistics/ before the records' /accidents/<int:pk>/), records,
    # warning circulars, the enterprise's self-checks and spot checks ---
    path("", include("accidents.figure_urls")),
    path("", include("accidents.record_urls")),  # /accidents/ (namespace accidents)
    path("", include("accidents.circular_urls")),
    path("", include("accidents.selfcheck_urls")),
    # --- oversight (#19): the board and an enterprise's supervision page, principals (certificates, verifications),
    # watches (and resumption checks), illegal operations, enforcement ---
    path("", include("oversight.board_urls")),  # namespace oversight
    path("", include("oversight.people_urls")),  # principals
    path("", include("oversight.watch_urls")),  # watches
    path("", include("oversight.illegal_urls")),  # illegal
    path("", include("oversight.enforcement_urls")),  # enforcement
    # --- tip-offs (#20): the public form without login, the handlers' pages, rewards, figures ---
    path("", include("tipoffs.public_urls")),  # namespace tipoffs_public
    path("captcha/", include("captcha.urls")),  # the public form's CAPTCHA images, drawn here
    path("", include("tipoffs.figure_urls")),  # /tipoffs/figures/ before a report's /tipoffs/<int:pk>/
    path("", include("tipoffs.reward_urls")),
    path("", include("tipoffs.urls")),  # namespace tipoffs
    path("manifest.webmanifest", offline.manifest, name="manifest"),  # the installable platform (docs/offline.md)
    path("sw.js", offline.service_worker, name="service-worker"),
    path("offline/", offline.offline_page, name="offline"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("safety_platform.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI sets inline styles from its own (local) script; scripts stay 'self' only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("healthz", healthz, name="healthz"),
    path("operations/", operations, name="operations"),
]

# The error pages in the base layout and the user's language (JSON under /api/): safety_platform/lib/errorpages.py.
handler400 = "safety_platform.lib.errorpages.bad_request"
handler403 = "safety_platform.lib.errorpages.permission_denied"
handler404 = "safety_platform.lib.api.not_found"
handler500 = "safety_platform.lib.errorpages.server_error"
