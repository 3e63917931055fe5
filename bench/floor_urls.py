"""Views that do nothing, for the benchmarks' floor: what any request costs before it reads a single row.

Mounted only by `bench/scenarios.py` (override_settings), in front of the platform's own URLs."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


class NothingAPI(APIView):
    """Session (or token) authentication, the permission check, content negotiation and JSON rendering."""

    def get(self, request):
        return Response({"user": request.user.pk})


def nothing_page(request):
    """The base layout with its navigation for the user's role, and no content."""
    return render(request, "base.html")


urlpatterns = [
    path("bench-floor/api/", NothingAPI.as_view()),
    path("bench-floor/page/", nothing_page),
    path("", include("safety_platform.urls")),
]
