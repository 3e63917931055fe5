"""Everything under /api/v1/."""

from __future__ import annotations

from django.urls import include, path

from accidents import figure_api as accident_figure_api
from dashboards import api as dashboard_api
from duty_roster import api as duty_api
from early_warnings import api as warning_api
from early_warnings import board_urls as warning_board_urls
from early_warnings import cap_api
from emergency import supplies_api
from hazards import api as hazard_api
from hazards import categories_api, chains_api, files_api, lookback_api
from inspections import api as inspection_api
from inspections import versions_api
from notifications import api as notification_api
from organizations import api as org_api
from risks import api as risk_api
from risks import check_api as risk_check_api
from risks import io_api as risk_io_api
from safety_platform.lib.api import Router, register_id_converter
from work import api as work_api

register_id_converter()  # `<id:…>` in the plain paths below as in the routers' routes

router = Router(trailing_slash=True)
router.register("regions", org_api.RegionViewSet, basename="region")
router.register("industries", org_api.IndustryViewSet, basename="industry")
router.register("departments", org_api.DepartmentViewSet, basename="department")
router.register("enterprises", org_api.EnterpriseViewSet, basename="enterprise")
router.register("hazards", hazard_api.HazardViewSet, basename="hazard")
router.register("look-backs", lookback_api.LookBackViewSet, basename="look-back")
router.register("checklists", inspection_api.ChecklistViewSet, basename="checklist")
router.register("campaigns", inspection_api.CampaignViewSet, basename="campaign")
router.register("inspections", inspection_api.InspectionViewSet, basename="inspection")
router.register("supervision", inspection_api.SupervisionViewSet, basename="supervision")
router.register("incidents", duty_api.IncidentViewSet, basename="incident")
router.register("roll-calls", duty_api.RollCallViewSet, basename="roll-call")
router.register("duty-shifts", duty_api.DutyShiftViewSet, basename="duty-shift")
router.register("shift-changes", duty_api.ShiftChangeViewSet, basename="shift-change")
router.register("rota-shifts", duty_api.RotaShiftViewSet, basename="rota-shift")
router.register("duty-plans", duty_api.DutyPlanViewSet, basename="duty-plan")
router.register("notifications", notification_api.NotificationViewSet, basename="notification")
router.register("escalation-chains", chains_api.EscalationChainViewSet, basename="escalation-chain")
router.register("hazard-categories", categories_api.HazardCategoryViewSet, basename="hazard-category")
router.register("checklist-versions", versions_api.ChecklistVersionViewSet, basename="checklist-version")
router.register("exports", dashboard_api.ExportJobViewSet, basename="export-job")
# --- emergency supplies ---
router.register("emergency/warehouses", supplies_api.WarehouseViewSet, basename="supply-warehouse")
router.register("emergency/items", supplies_api.SupplyItemViewSet, basename="supply-item")
router.register("emergency/stock", supplies_api.StockViewSet, basename="supply-stock")
router.register("emergency/moves", supplies_api.StockMoveViewSet, basename="supply-move")
router.register("emergency/allocation-plans", supplies_api.AllocationPlanViewSet, basename="allocation-plan")
router.register("emergency/allocation-requests", supplies_api.AllocationRequestViewSet, basename="allocation-request")
router.register("warnings", warning_api.EarlyWarningViewSet, basename="warning")
# --- risks: points ---
router.register("risks/points", risk_api.RiskPointViewSet, basename="risk-point")
# --- risks: the enterprise's checks ---
router.register("risks/checks", risk_check_api.RiskCheckViewSet, basename="risk-check")

urlpatterns = [
    path("auth/token/", org_api.ObtainTokenView.as_view(), name="auth-token"),
    path("duty-failures/", duty_api.FailuresView.as_view(), name="duty-failures"),
    *warning_board_urls.api_urlpatterns(),
    path("hazard-photos/<int:pk>/", files_api.PhotoFileView.as_view(), name="hazard-photo-file"),
    path("hazard-photos/<int:pk>/thumbnail/", files_api.ThumbnailFileView.as_view(), name="hazard-photo-thumbnail"),
    path("hazard-evaluations/<int:pk>/", files_api.EvaluationFileView.as_view(), name="hazard-evaluation-file"),
    path("people/", dashboard_api.PeopleView.as_view(), name="people"),
    path("me/queue/", work_api.MyQueueView.as_view(), name="my-queue"),
    path("dashboard/", dashboard_api.DashboardView.as_view(), name="dashboard"),
    path("reports/quarterly/", dashboard_api.QuarterlyView.as_view(), name="quarterly"),
    path("warnings/cap/", cap_api.CapImportView.as_view(), name="warning-cap-import"),
    path("", include("emergency.rescue_api")),  # emergency/: teams, readiness periods, forces, the board
    path("", include("risks.theme_api")),  # risks/themes/, risks/theme-confirmations/
    # --- accidents (#18): records ---
    path("", include("accidents.record_api")),  # accidents/
    path("", include("accidents.circular_api")),  # accidents: circulars/ (circulars)
    path("", include("accidents.lesson_api")),  # lessons/ (#18, "lessons")
    path("", include("accidents.selfcheck_api")),  # accidents: lesson-tasks/ (the enterprise's self-checks)
    # --- oversight (#19) ---
    path("", include("oversight.board_api")),
    path("", include("oversight.people_api")),
    path("", include("oversight.watch_api")),
    path("", include("oversight.illegal_api")),
    path("", include("oversight.enforcement_api")),
    # --- tip-offs (#20) ---
    path("", include("tipoffs.api")),
    path("", include("tipoffs.reward_api")),
    path("", include("tipoffs.figure_api")),
    # --- risks: import of risk points ---
    path("risks/points/import/", risk_io_api.RiskPointImportView.as_view(), name="risk-point-import"),
    # --- accidents (#18, figures) ---
    path("accident-figures/", accident_figure_api.FiguresView.as_view(), name="accident-figures"),
    path("accident-figures/table/", accident_figure_api.TableView.as_view(), name="accident-figures-table"),
    *router.urls,
]
