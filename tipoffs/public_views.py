"""The public tip-off pages, open without login (part: public): the form, the receipt its POST renders, the progress
lookup and the enterprise names suggested while typing. See docs/tipoffs.md, "Intake".

Abuse protection, without any outside service:

1. Every POST of the form counts against the client address (TIPOFF_RATE_ADDRESS, django-ratelimit counting in
   the shared cache, the address as `safety_platform.lib.clientip` decides it), a CAPTCHA guess included.
2. The CAPTCHA (django-simple-captcha, drawn here) is checked before anything else is looked at; a picture
   answers once, right or wrong.
3. A named report then counts against its phone number, normalised (TIPOFF_RATE_PHONE).
4. The intake checks every field and the sizes and files the report once per idempotency key.

A refusal is the polite page `limited` (429, Retry-After, nothing kept). The progress lookup and the suggestions
count against the client address (TIPOFF_RATE_LOOKUP, TIPOFF_RATE_SUGGEST). Nothing here touches a user or a session
beyond the CSRF cookie; the receipt and the progress page are never cached.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import get_usage

from organizations.models import Enterprise

from . import intake
from .models import Report
from .public_forms import ProgressForm, TipoffForm

SUGGESTIONS = 10  # at most this many names
SUGGEST_MIN = 2  # characters typed before any name is suggested


def _wait(request, group: str, rate: str, key="ip") -> int | None:
    """Count this request in `group`; the seconds to wait when it is over `rate`, else None."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return usage["time_left"] if usage["time_left"] > 0 else 60  # -1: the cache failed, and we refuse


def limited(request, exception=None, retry_after: int = 60) -> HttpResponse:
    """The polite refusal: 429 with Retry-After, in the visitor's language (Chinese by default); nothing is kept.
    Also django-ratelimit's RATELIMIT_VIEW."""
    minutes = max(1, -(-retry_after // 60))
    response = render(request, "tipoffs/public_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def form(request) -> HttpResponse:
    """GET: the empty form. POST: file the report and show its receipt, or the form again with each error."""
    if request.method != "POST":
        return _form_page(request, TipoffForm())
    wait = _wait(request, "tipoffs.submit.address", settings.TIPOFF_RATE_ADDRESS)
    if wait:
        return limited(request, retry_after=wait)
    bound = TipoffForm(request.POST, request.FILES)
    key = _key(request.POST.get("idempotency_key"))
    if key and Report.objects.filter(idempotency_key=key).exists():
        # A retry of a report already filed (the first answer never arrived): its receipt again, the CAPTCHA of the
        # first sending having been used; nothing new is written.
        return _receipt(request, intake.submit(intake.Submission("", "", None, "", idempotency_key=key)))
    if not bound.is_valid():
        _check_the_rest(bound)
        return _form_page(request, bound, status=400)
    sub = bound.submission()
    phone = intake.normal_phone(sub.phone)
    if phone and not sub.is_anonymous:
        wait = _wait(request, "tipoffs.submit.phone", settings.TIPOFF_RATE_PHONE, key=lambda group, request: phone)
        if wait:
            return limited(request, retry_after=wait)
    try:
        receipt = intake.submit(sub)
    except ValidationError as error:
        bound.add_intake_errors(error)
        return _form_page(request, bound, status=400)
    return _receipt(request, receipt)


def _key(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _check_the_rest(bound: TipoffForm) -> None:
    """The CAPTCHA failed: say at once what else is wrong too (the intake's rules, no photo opened, nothing
    written), so the second sending is the last."""
    try:
        intake.clean(bound.submission(photos=False))
    except ValidationError as error:
        bound.add_intake_errors(error)


def _form_page(request, bound: TipoffForm, status: int = 200) -> HttpResponse:
    photos_dropped = bound.is_bound and bool(request.FILES.getlist("photos"))
    context = {"form": bound, "photos_dropped": photos_dropped, "suggest_min": SUGGEST_MIN, "tab": "form"}
    response = render(request, "tipoffs/public_form.html", context, status=status)
    add_never_cache_headers(response)  # the CAPTCHA and the idempotency key are made for this one rendering
    return response


def _receipt(request, receipt: intake.Receipt) -> HttpResponse:
    context = {"receipt": receipt, "report": receipt.report, "tab": "form"}
    response = render(request, "tipoffs/public_receipt.html", context)
    add_never_cache_headers(response)  # the secret is shown once: no cache, no back-button copy
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def progress(request) -> HttpResponse:
    """The informant's view of their report: its state and what the handlers wrote for them, nothing else."""
    context: dict = {"form": ProgressForm(), "tab": "progress"}
    if request.method == "POST":
        wait = _wait(request, "tipoffs.lookup", settings.TIPOFF_RATE_LOOKUP)
        if wait:
            return limited(request, retry_after=wait)
        bound = ProgressForm(request.POST)
        report = intake.lookup(bound.cleaned_data["code"], bound.cleaned_data["secret"]) if bound.is_valid() else None
        if report is None:
            context.update(form=bound, not_found=True)
        else:
            context.update(report=report, history=intake.public_history(report), form=ProgressForm())
    response = render(request, "tipoffs/public_progress.html", context, status=200)
    add_never_cache_headers(response)
    return response


@require_safe
def enterprises(request) -> JsonResponse:
    """Registry names containing `q` (at least SUGGEST_MIN characters), at most SUGGESTIONS: names only."""
    q = " ".join(request.GET.get("q", "").split())[: intake.ENTERPRISE_LENGTH]
    if len(q) < SUGGEST_MIN:
        return JsonResponse({"names": []})
    wait = _wait(request, "tipoffs.suggest", settings.TIPOFF_RATE_SUGGEST)
    if wait:
        response = JsonResponse({"names": [], "detail": _("Too many searches. Type the name in full.")}, status=429)
        response["Retry-After"] = str(wait)
        return response
    names = (
        Enterprise.objects.filter(name__icontains=q)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:SUGGESTIONS]
    )
    response = JsonResponse({"names": list(names)}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, max-age=300"
    return response
