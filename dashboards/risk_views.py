"""The four-colour picture's pages, an enterprise's picture, the risk notice card (PDF) and the dashboard's risk
panel. Figures in `risk_picture`; every query starts from the user's visible points."""

from __future__ import annotations

import base64
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from organizations.models import Enterprise
from organizations.scope import Scope, ScopeKind
from risks.choices import AccidentType, ControlKind, HazardFactor
from risks.models import RiskControl, RiskPoint
from risks.watch import POINTS_LIST
from safety_platform.lib.pdf import pdf_response

from . import risk_picture

CHECK_PAGE = "/risks/points/{pk}/check/"


@login_required
def picture(request):
    """The four-colour picture of the user's region (or `?region=` under it): by region, department and industry."""
    found = risk_picture.build(request.user, request.GET.get("region"))
    sections = [
        (_("By region"), _("Region"), found.regions, found.totals, "regions"),
        (_("By supervising department"), _("Supervising department"), found.departments, None, "departments"),
        (_("By industry"), _("Industry"), found.industries, None, "industries"),
    ]
    context = {
        "picture": found,
        "sections": [
            {"title": title, "head": head, "rows": rows, "totals": totals,
             "chart": risk_picture.stacked_chart(title, rows[:15], f"chart-risk-{key}")}
            for title, head, rows, totals, key in sections
        ],
        "colours": risk_picture.colour_names(),
        "short_colours": risk_picture.colour_names(short=True),
        "points_list": POINTS_LIST,
    }  # fmt: skip
    return render(request, "dashboards/risk_picture.html", context)


@login_required
def enterprise_picture(request, pk: int):
    """An enterprise's points by colour and by place."""
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=pk)
    found = risk_picture.enterprise_picture(request.user, enterprise.pk)
    chart = risk_picture.stacked_chart(_("Risk points by place"), found.places[:20], "chart-risk-places")
    context = {"enterprise": enterprise, "picture": found, "chart": chart, "colours": risk_picture.colour_names(),
               "short_colours": risk_picture.colour_names(short=True)}  # fmt: skip
    return render(request, "dashboards/risk_enterprise_picture.html", context)


def qr_png(text: str) -> str:
    """The QR code of `text` as a PNG data URI (segno): WeasyPrint draws it crisp at any scale."""
    import segno  # only the QR pages need it

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=10, border=2)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _names(codes: list[str], choices) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels.get(code, code)) for code in codes]


@login_required
def card(request, pk: int):
    """The risk notice card (风险告知卡) of a point, an A4 PDF to post on site; its QR opens the point's check page."""
    controls = Prefetch("controls", RiskControl.objects.filter(is_active=True).order_by("position", "id"))
    point = get_object_or_404(
        RiskPoint.objects.visible_to(request.user).select_related("enterprise").prefetch_related(controls), pk=pk
    )
    link = request.build_absolute_uri(CHECK_PAGE.format(pk=point.pk))
    kinds = dict(ControlKind.choices)
    context = {
        "point": point,
        "colour_name": point.get_colour_display(),
        "band": risk_picture.level_colours().get(point.colour, "#000"),
        "factors": _names(point.hazard_factors, HazardFactor),
        "accidents": _names(point.accident_types, AccidentType),
        "controls": [(kinds.get(c.kind, c.kind), c.measure) for c in point.controls.all()],
        "link": link,
        "qr": qr_png(link),
    }
    return pdf_response(request, "dashboards/risk_card_pdf.html", context, f"risk-card-{point.pk}.pdf")


@login_required
def panel(request):
    """The dashboard's risk panel (loaded after the page): seven queries whatever the numbers."""
    if Scope.for_user(request.user).kind not in (ScopeKind.ALL, ScopeKind.REGION, ScopeKind.DEPARTMENT):
        raise PermissionDenied
    found = risk_picture.panel(request.user)
    context = {
        "panel": found,
        "colours": risk_picture.colour_names(),
        "short_colours": risk_picture.colour_names(short=True),
        "overdue_link": risk_picture.checks_link("overdue"),
        "missed_link": risk_picture.checks_link("missed"),
        "reevaluation_link": risk_picture.points_link(reevaluation="overdue"),
        "tables": [
            (_("By region"), found.picture.regions),
            (_("By supervising department"), found.picture.departments[:10]),
            (_("By industry"), found.picture.industries[:10]),
        ],
    }
    return render(request, "dashboards/panel_risks.html", context)
