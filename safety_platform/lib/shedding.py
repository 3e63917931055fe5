"""Admission control: shed load early rather than queue for seconds (docs/load.md).

At most `ADMIT_CONCURRENT` requests are inside Django at once in a process (a semaphore shared by gunicorn's threads
of that process); a request waits at most `ADMIT_WAIT_MS` for a place, then is answered 503 with `Retry-After`, in
the user's language (the API's error body under /api/, a short page elsewhere), never cached. The health check
(`/healthz`) is never shed; static files are served by whitenoise, which comes before this middleware. With
`ADMIT_CONCURRENT` 0 the middleware takes itself out (`make run`, the tests); the Docker image sets it to 2.

The place is held while the view runs and its response passes the middlewares below; a streamed body (a ledger
export, a file) is written after the place is given back.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import Context, loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
EXEMPT = ("/healthz",)
RETRY_AFTER_SECONDS = 1


class AdmissionMiddleware:
    def __init__(self, get_response):
        limit = settings.ADMIT_CONCURRENT
        if limit <= 0:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.places = threading.BoundedSemaphore(limit)
        self.wait = max(settings.ADMIT_WAIT_MS, 0) / 1000
        self.static = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in EXEMPT or request.path.startswith(self.static):
            return self.get_response(request)
        admitted = self.places.acquire(timeout=self.wait) if self.wait else self.places.acquire(blocking=False)
        if not admitted:
            return overloaded(request)
        try:
            return self.get_response(request)
        finally:
            self.places.release()


def overloaded(request: HttpRequest) -> HttpResponse:
    """503 in the language the request asks for (LocaleMiddleware has not run yet), no session, no query."""
    with translation.override(translation.get_language_from_request(request)):
        message = _("The platform is busy. Try again in a moment.")
        if request.path.startswith(API_PREFIX):
            response = JsonResponse({"detail": message, "code": "overloaded"}, status=503)
        else:
            template = loader.get_template("503.html")
            body = template.template.render(Context({"message": message, "status": 503}))
            response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
