from __future__ import annotations

from django.urls import path

from . import checkin_views, rota_views, views

app_name = "duty_roster"

urlpatterns = [
    path("duty/", views.my_duty, name="my-duty"),
    path("duty/my.ics", views.my_ics, name="my-ics"),
    path("duty/failures/", views.failures_page, name="failures"),
    path("duty/board/", views.duty_board, name="board"),
    path("duty/rota/", rota_views.rota_index, name="rota-index"),
    path("duty/rota/<int:post>/", rota_views.rota_month, name="rota"),
    path("duty/rota/<int:post>/<str:day>/", rota_views.shift_edit, name="shift-edit"),
    path("duty/posts/<int:pk>/screen/", checkin_views.screen, name="screen"),
    path("duty/posts/<int:pk>/screen/code/", checkin_views.screen_code, name="screen-code"),
    path("duty/posts/<int:pk>/screen/enrol/", checkin_views.screen_enrol, name="screen-enrol"),
    path("duty/posts/<int:pk>/screen/revoke/", checkin_views.screen_revoke, name="screen-revoke"),
    path("duty/posts/<int:pk>/check-in-point/", checkin_views.point, name="point"),
    path("duty/shifts/<int:pk>/", rota_views.shift_detail, name="shift"),
    path("duty/shifts/<int:pk>/change/", rota_views.change_ask, name="change-ask"),
    path("duty/changes/", rota_views.change_list, name="changes"),
    path("duty/plans/", rota_views.plan_overview, name="plans"),
    path("duty/incidents/", views.incident_list, name="incidents"),
    path("duty/incidents/new/", views.incident_new, name="incident-new"),
    path("duty/incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("duty/roll-calls/", views.roll_calls, name="roll-calls"),
    path("duty/roll-calls/<int:pk>/", views.roll_call, name="roll-call"),
]
