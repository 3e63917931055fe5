"""Pages of the import and export of risk points (docs/risks.md, "Import and export"): the template, the import
page of the enterprise's principal and safety manager, and the export of the visible points. The work is done by
`risks.importing` and `risks.exporting`; these only read the request and answer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError

from . import exporting, importing

XLSX = exporting.XLSX


def attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def template(request):
    """The empty import template."""
    response = HttpResponse(exporting.template_workbook(), content_type=XLSX)
    return attachment(response, "risk-points-template.xlsx")


def read_upload(upload) -> bytes:
    """The uploaded file's bytes, at most one more than the largest accepted (so a huge upload is refused by size
    without being read whole)."""
    return upload.read(settings.RISK_IMPORT_MAX_BYTES + 1)


@login_required
@require_http_methods(["GET", "POST"])
def import_points(request):
    """Upload the filled template: every row checked, then all written, or the problems listed by row and column."""
    enterprise = importing.enterprise_of(request.user)  # 403 for anyone but the enterprise's staff
    context = {"enterprise": enterprise, "max_rows": settings.RISK_IMPORT_MAX_ROWS,
               "max_mb": settings.RISK_IMPORT_MAX_BYTES // (1024 * 1024)}  # fmt: skip
    if request.method == "GET":
        return render(request, "risks/import.html", context)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise importing.ImportRefused([importing.Problem(None, _("file"), _("Choose the file to import."))])
        result = importing.import_points(request.user, read_upload(upload))
    except importing.ImportRefused as exc:
        context |= {"problems": exc.problems, "total": exc.total, "cut": exc.total - len(exc.problems)}
        return render(request, "risks/import.html", context, status=400)
    message = ngettext("%(count)d risk point imported.", "%(count)d risk points imported.", result.count)
    if result.repeated:
        message = _("This file was imported a moment ago; nothing was imported again.")
    messages.success(request, message % {"count": result.count})
    return redirect("risks_io:import")


@login_required
def export_points(request):
    """The visible points, filtered as the list (`exporting.filter_points`), as an .xlsx streamed."""
    try:
        stream = exporting.export_workbook(request.user, request.GET)
    except ValidationError as exc:
        errors = [f"{name}: {' '.join(map(str, msgs))}" for name, msgs in exc.detail.items()]
        return render(request, "risks/export_refused.html", {"errors": errors}, status=400)
    response = StreamingHttpResponse(stream, content_type=XLSX)
    return attachment(response, f"risk-points-{timezone.localtime():%Y%m%d-%H%M}.xlsx")
