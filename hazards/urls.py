from __future__ import annotations

from django.urls import path

from . import lookback_views, views

app_name = "hazards"

urlpatterns = [
    path("hazards/", views.hazard_list, name="list"),
    path("hazards/new/", views.hazard_create, name="create"),
    path("hazards/to-rectify/", views.my_to_rectify, name="my-to-rectify"),
    path("hazards/<int:pk>/", views.hazard_detail, name="detail"),
    path("hazards/look-backs/", lookback_views.look_back_list, name="look-backs"),
    path("hazards/look-backs/<int:pk>/", lookback_views.look_back_record, name="look-back"),
    path("hazards/<int:pk>/do/<slug:name>/", views.hazard_action, name="action"),
    path("hazards/photos/<int:pk>/", views.photo, name="photo"),
    path("hazards/photos/<int:pk>/thumbnail/", views.photo, {"thumbnail": True}, name="thumbnail"),
    path("enterprises/<int:enterprise_pk>/to-rectify/", views.to_rectify, name="to-rectify"),
]
