"""Pages and downloads of the documents: per-hazard PDFs, the quarterly table, the circular, the reports page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hazards.models import Hazard
from safety_platform.lib.errors import Conflict
from safety_platform.lib.pdf import pdf_response

from . import circular as circulars
from . import documents, quarterly
from .models import IssuedDocument
from .summary import summary_sentence
from .units import is_government

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATES = {IssuedDocument.Kind.NOTICE: "dashboards/notice_pdf.html",
             IssuedDocument.Kind.ACCEPTANCE: "dashboards/acceptance_pdf.html"}  # fmt: skip


@login_required
@require_POST
def issue_document(request, pk: int, kind: str):
    """Give the document its number (once), then show it."""
    try:
        documents.issue(request.user, pk, kind)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("hazards:detail", pk=pk)
    return redirect("documents:hazard-document", pk=pk, kind=kind)


@login_required
def hazard_document(request, pk: int, kind: str):
    """An issued document as PDF: the same scope and role checks as issuing; never issued is a 404."""
    if kind not in TEMPLATES:
        raise Http404
    hazard = get_object_or_404(
        Hazard.objects.visible_to(request.user).select_related("enterprise", "category", "department", "plan"), pk=pk
    )
    if not documents.is_issuer(request.user):
        raise PermissionDenied
    document = get_object_or_404(IssuedDocument.objects.select_related("issued_by"), hazard=hazard, kind=kind)
    context = {"document": document, "hazard": hazard, "plan": getattr(hazard, "plan", None),
               "is_major": hazard.level == "major"}  # fmt: skip
    if kind == IssuedDocument.Kind.ACCEPTANCE:
        context["facts"] = documents.acceptance_facts(hazard)
        context["evaluations"] = list(hazard.evaluations.all())
        context["notice"] = hazard.documents.filter(kind=IssuedDocument.Kind.NOTICE).first()
    filename = f"{hazard.code}-{kind}-{document.year}-{document.serial:05d}.pdf"
    return pdf_response(request, TEMPLATES[kind], context, filename)


def _require_government(request) -> None:
    if not is_government(request.user):
        raise PermissionDenied


@login_required
def reports(request):
    """The reports page: the quarterly table with its due date, the circular draft, this month's summary."""
    _require_government(request)
    today = timezone.localdate()
    chosen = quarterly.Quarter.parse(request.GET.get("year"), request.GET.get("quarter"))
    asked = "year" in request.GET or "quarter" in request.GET
    quarter = chosen or quarterly.Quarter.previous(today)
    years = range(today.year, today.year - 5, -1)
    recent = (
        IssuedDocument.objects.filter(hazard__in=Hazard.objects.visible_to(request.user))
        .select_related("hazard__enterprise", "issued_by")
        .order_by("-issued_at")[:20]
    )
    context = {
        "quarter": quarter,
        "years": years,
        "quarters": range(1, 5),
        "may_circulate": circulars.may_issue(request.user),
        "summary": summary_sentence(request.user, today.year, today.month),
        "today": today,
        "recent": recent,
        "error": _("Choose a year from 2000 to 2100 and a quarter from 1 to 4.") if asked and chosen is None else "",
    }
    return render(request, "dashboards/reports.html", context, status=400 if context["error"] else 200)


@login_required
def quarterly_table(request):
    _require_government(request)
    quarter = quarterly.Quarter.parse(request.GET.get("year"), request.GET.get("quarter"))
    if quarter is None and ("year" in request.GET or "quarter" in request.GET):
        message = _("Choose a year from 2000 to 2100 and a quarter from 1 to 4.")
        return render(request, "dashboards/export_error.html", {"errors": [message]}, status=400)
    if quarter is None:
        quarter = quarterly.Quarter.previous()
    content = quarterly.workbook(quarterly.statistics(request.user, quarter))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="hazard-statistics-{quarter.year}Q{quarter.number}.xlsx"'
    return response


@login_required
def warning_circular(request):
    _require_government(request)
    if not circulars.may_issue(request.user):
        raise PermissionDenied
    draft = circulars.circular(request.user)
    filename = f"warning-circular-{draft.today.isoformat()}.pdf"
    return pdf_response(request, "dashboards/circular_pdf.html", {"c": draft}, filename)
