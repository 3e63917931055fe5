"""The installable, offline-capable platform (docs/offline.md): the web app manifest, the service worker and the
page shown for an address that needs the server while there is no network.

The service worker is served from the site's root so that its scope is the whole site; its text names the
static files of the app shell by their real (possibly hashed) addresses, and its version is a digest of those
addresses and of its own template, so a new release replaces the old shell and nothing else."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# The app shell: what every page offline needs, and the scripts of the pages kept for offline work.
SHELL_FILES = (
    "css/site.css",
    "js/nav.js",
    "js/offline.js",
    "js/inspection-form.js",
    "js/offline-form.js",
    "js/hazard-form.js",
    "js/enterprise-picker.js",
    "favicon.svg",
    "icons/icon-192.png",
)
OFFLINE_PAGE = "/offline/"


@require_GET
def manifest(request):
    """The web app manifest: name, icons, colours; it opens on the home page, standalone like an app."""
    data = {
        "name": _("Work-safety platform"),
        "short_name": _("Work safety"),
        "description": _("Find hazards, fix them and prove it; inspections keep working without a signal."),
        "lang": get_language(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#c62828",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-512-maskable.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@never_cache
def service_worker(request):
    """`/sw.js`: never cached by the browser's HTTP cache, so an update is seen on the next visit. Browsers ask for it
    on many navigations to look for an update: its text is made once per process (on every request with DEBUG, so
    that a developer's edited script is a new version at once)."""
    if settings.DEBUG:
        worker_script.cache_clear()
    response = HttpResponse(worker_script(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@functools.cache
def worker_script() -> str:
    """The worker's text. Its version is a digest of its text and of the shell files' bytes: a changed style or
    script is a new version, and the browser then replaces the kept shell (static addresses are not hashed unless
    the storage hashes them)."""
    context = {
        "shell_json": json.dumps([static(name) for name in SHELL_FILES] + [OFFLINE_PAGE]),
        "offline_page": OFFLINE_PAGE,
        "logout_path": reverse("logout"),
        "version": "",
    }
    digest = hashlib.sha256(render_to_string("offline/sw.js", context).encode())
    for name in SHELL_FILES:
        path = finders.find(name)
        if path:
            digest.update(Path(path).read_bytes())
    context["version"] = digest.hexdigest()[:12]
    return render_to_string("offline/sw.js", context)


@require_GET
def offline_page(request):
    """What an address that needs the server shows offline. It holds nobody's data (it is kept for everyone on
    the device): the list of what waits to be sent is drawn on the device from its own store."""
    context = {"photo_edge": settings.OFFLINE_PHOTO_LONG_EDGE}
    response = render(request, "offline/offline.html", context)
    response["Cache-Control"] = "no-cache"
    return response
