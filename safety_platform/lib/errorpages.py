"""The error pages: 400, 403, 404 and 500 in the base layout, in the user's language, with a way back.

Under /api/ the answer is the API's JSON error body instead. The 500 page is drawn without the context processors
(no navigation, no session, no database): it must show when the database is what failed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import Context, loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
HOME = "/"


def back_url(request: HttpRequest) -> str:
    """Where "Back" leads without JavaScript: the referring page of this site (not this same page), else home."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: the 400 page itself may be answering it
        return HOME
    if not referer or referer == request.build_absolute_uri():
        return HOME
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return referer
    return HOME


def _api(request: HttpRequest, status: int, detail: str, code: str) -> JsonResponse | None:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": detail, "code": code}, status=status)
    return None


def _page(request: HttpRequest, template: str, status: int, exception=None) -> HttpResponse:
    context = {"back_url": back_url(request), "status": status}
    message = str(exception) if exception is not None and status == 403 else ""
    if message and message != "None":
        context["exception"] = message  # the workflow's refusals are already in the user's language
    body = loader.render_to_string(template, context, request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _api(request, 400, _("Bad request."), "bad_request") or _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    detail = str(exception or "") or _("You do not have permission to perform this action.")
    return _api(request, 403, detail, "permission_denied") or _page(request, "403.html", 403, exception)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    from rest_framework.exceptions import NotFound

    return _api(request, 404, str(NotFound.default_detail), "not_found") or _page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """No context processors, no session, no query: only the template, the language and the way back."""
    api = _api(request, 500, _("A server error occurred."), "server_error")
    if api:
        return api
    template = loader.get_template("500.html")
    body = template.template.render(Context({"back_url": back_url(request), "status": 500}))
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`CSRF_FAILURE_VIEW`: a form sent from a page that has expired (or from another site) gets the 403 page saying
    what to do, not Django's technical page."""
    message = _("This form has expired or did not come from this site. Go back, reload the page and try again.")
    return permission_denied(request, message)
