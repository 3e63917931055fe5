"""The public page of warnings in force (`/public/warnings/`) and its JSON twin (`/public/warnings.json`), open
without login: kind, level, issuer, times, text, measures and safety tips by area, and nothing about people.
See docs/warnings-cap.md.

Both read three queries whatever the number of warnings: the regions, the warnings in force, their areas. Neither
touches the session, the user or the CSRF token, so a response carries no cookie and depends only on its URL (the
language is `?lang=`, Chinese by default): a shared cache may keep it for `PUBLIC_WARNINGS_MAX_AGE` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from organizations.models import Region

from .choices import RANK, WarningStatus
from .models import EarlyWarning


@dataclass
class Area:
    """A region and the warnings in force that concern it."""

    region: Region
    warnings: list[EarlyWarning] = field(default_factory=list)


@require_safe
def public_warnings(request) -> HttpResponse:
    language = _language(request)
    with translation.override(language):
        board = _board(request)
        json_url = reverse("public_warnings:json") + (f"?{request.GET.urlencode()}" if request.GET else "")
        context = {**board, "language": language, "languages": _language_links(request, language), "json_url": json_url}
        response = HttpResponse(render_to_string("early_warnings/public.html", context))
    return _public(response, language)


@require_safe
def public_warnings_json(request) -> JsonResponse:
    language = _language(request)
    with translation.override(language):
        board = _board(request)
        body = {
            "generated_at": _moment(board["now"]),
            "language": language,
            "region": _region_json(board["chosen"]) if board["chosen"] else None,
            "warnings": [_warning_json(w) for w in board["warnings"]],
            "areas": [{**_region_json(a.region), "warnings": [w.pk for w in a.warnings]} for a in board["areas"]],
        }
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    return _public(response, language)


def _board(request) -> dict:
    """The warnings in force (all, or those concerning `?region=<code>`) and the areas to show them by."""
    now = timezone.now()
    regions = list(Region.objects.only("code", "name", "level", "path", "parent_id"))
    chosen = _chosen(regions, request.GET.get("region", ""))
    warnings = in_force(now)
    if chosen:
        areas = [Area(chosen, [w for w in warnings if concerns(w, chosen)])]
        warnings = areas[0].warnings
    else:
        areas = [Area(region, [w for w in warnings if concerns(w, region)]) for region in _districts(regions)]
    return {"now": now, "regions": regions, "chosen": chosen, "warnings": warnings, "areas": areas}


def in_force(now: datetime) -> list[EarlyWarning]:
    """Every warning in force and not past its validity, the most severe first, then the newest.

    Not `visible_to(user)`: these are published to everyone, logged in or not; only public fields are read."""
    areas = Prefetch("areas", queryset=Region.objects.only("code", "name", "path").order_by("path"))
    rows = (
        EarlyWarning.objects.filter(status=WarningStatus.IN_FORCE)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .only(
            "series",
            "version",
            "change",
            "change_note",
            "status",
            "kind",
            "level",
            "issuer",
            "issued_at",
            "valid_until",
            "title",
            "text",
            "measures",
            "tips",
        )  # fmt: skip
        .prefetch_related(areas)
        .order_by("-issued_at", "-id")
    )
    return sorted(rows, key=lambda w: -RANK.get(w.level, 0))  # stable: the newest first within a level


def concerns(warning: EarlyWarning, region: Region) -> bool:
    """A warning concerns a region when one of its areas is the region, above it or inside it."""
    return any(region.path.startswith(a.path) or a.path.startswith(region.path) for a in warning.areas.all())


def _districts(regions: list[Region]) -> list[Region]:
    """The regions one level below the top (districts, counties, zones), or the top ones if there are none."""
    depth = {r.pk: r.path.count("/") - 1 for r in regions}
    second = [r for r in regions if depth[r.pk] == 2]
    return second or [r for r in regions if depth[r.pk] == 1]


def _chosen(regions: list[Region], code: str) -> Region | None:
    if not code:
        return None
    for region in regions:
        if region.code == code:
            return region
    raise Http404(_("No region has the code %(code)s.") % {"code": code[:12]})


def _language(request) -> str:
    wanted = request.GET.get("lang", "")
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _language_links(request, current: str) -> list[dict]:
    """The other languages, each as this page's URL with `?lang=` (no form, no cookie: the page stays cacheable)."""
    query = request.GET.copy()
    links = []
    for code, name in settings.LANGUAGES:
        if code != current:
            query["lang"] = code
            links.append({"code": code, "name": name, "url": f"{reverse('public_warnings:page')}?{query.urlencode()}"})
    return links


def _public(response: HttpResponse, language: str) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_WARNINGS_MAX_AGE)
    response["Content-Language"] = language
    return response


def _moment(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _region_json(region: Region) -> dict:
    return {"code": region.code, "name": region.name}


def _warning_json(warning: EarlyWarning) -> dict:
    return {
        "id": warning.pk,
        "series": warning.series or warning.pk,
        "version": warning.version,
        "change": warning.change,
        "change_note": warning.change_note,
        "kind": warning.kind,
        "kind_label": warning.get_kind_display(),
        "level": warning.level,
        "level_label": warning.get_level_display(),
        "title": warning.title,
        "issuer": warning.issuer,
        "issued_at": _moment(warning.issued_at),
        "valid_until": _moment(warning.valid_until),
        "areas": [_region_json(a) for a in warning.areas.all()],
        "text": warning.text,
        "measures": warning.measures,
        "tips": warning.tips,
    }
