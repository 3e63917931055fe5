"""Pages of the accident records (phone-friendly): the list with its filters, a record's page (the incident, the three
parties, causes, casualties, the investigation and its report), the confirm form from an incident report, the form
of an accident elsewhere, the edit and close forms, and the report's download through scope. Every change calls
`accidents.records`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from duty_roster.models import IncidentReport
from organizations.roles import is_government
from organizations.scope import Scope, ScopeKind
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate

from . import records
from .choices import DirectCause, IndirectCause
from .forms import CloseForm, ConfirmForm, EditForm, ExternalEditForm, ExternalForm
from .models import Accident
from .record_filters import AccidentFilterSet

# The grade's colour, as the four-colour levels.
GRADE_LEVEL = {"general": "level-blue", "large": "level-yellow", "major": "level-orange",
               "especially_serious": "level-red"}  # fmt: skip
FIGURES = ("deaths", "serious_injuries", "minor_injuries", "missing", "direct_loss")


def _scoped(user) -> None:
    if Scope.for_user(user).kind == ScopeKind.NONE:
        raise PermissionDenied


def _visible(user):
    return Accident.objects.visible_to(user).select_related("region", "industry", "department", "enterprise")


@login_required
def accident_list(request):
    """The records in scope, newest first; the filters are the API's (`year`, `kind`, `grade`, …)."""
    _scoped(request.user)
    filterset = AccidentFilterSet(request.GET or None, queryset=_visible(request.user), request=request)
    context = {"filter": filterset, "page": None, "levels": GRADE_LEVEL,
               "may_external": records.may_record_external(request.user)}  # fmt: skip
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "accidents/accident_list.html", context, status=400)
    context["page"] = paginate(request, filterset.qs)
    for row in context["page"].items:
        row.level = GRADE_LEVEL.get(row.grade, "")
    return render(request, "accidents/accident_list.html", context)


@login_required
def accident_detail(request, pk: int):
    accident = get_object_or_404(_visible(request.user).select_related("incident", "created_by"), pk=pk)
    allowed = records.can(request.user, accident)
    context = {
        "accident": accident, "allowed": allowed, "level": GRADE_LEVEL.get(accident.grade, ""),
        "direct": records.cause_labels(accident.direct_causes, DirectCause),
        "indirect": records.cause_labels(accident.indirect_causes, IndirectCause),
        # Drawing a lesson is the lessons' own page, which checks who may; the government side is offered it.
        "may_draw_lesson": is_government(request.user),
    }  # fmt: skip
    return render(request, "accidents/accident_detail.html", context)


def _form_page(request, form, title: str, *, accident=None, incident=None, button: str = "", multipart=False):
    context = {"form": form, "title": title, "accident": accident, "incident": incident,
               "button": button or _("Save"), "multipart": multipart}  # fmt: skip
    return render(request, "accidents/accident_form.html", context, status=400 if form.errors else 200)


@login_required
def from_incident(request, incident_pk: int):
    """Confirm an incident report as an accident record (a supplement: its first report)."""
    found = get_object_or_404(IncidentReport.objects.visible_to(request.user), pk=incident_pk)
    incident = found.first_report if found.first_report_id else found
    existing = Accident.objects.visible_to(request.user).filter(incident=incident).first()
    if existing is not None:
        messages.info(request, _("This incident is recorded already: %(title)s.") % {"title": existing.title})
        return redirect("accidents:detail", pk=existing.pk)
    if not records.may_confirm(request.user, incident):
        raise PermissionDenied
    form = ConfirmForm(request.POST or None, initial={"course": incident.course})
    if request.method == "POST" and form.is_valid():
        try:
            accident = records.confirm(request.user, incident, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Recorded as an accident: %(title)s.") % {"title": accident.title})
            return redirect("accidents:detail", pk=accident.pk)
    return _form_page(request, form, _("Confirm as an accident"), incident=incident, button=_("Record the accident"))


@login_required
def external_new(request):
    if not records.may_record_external(request.user):
        raise PermissionDenied
    form = ExternalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accident = records.record_external(request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Recorded: %(title)s.") % {"title": accident.title})
            return redirect("accidents:detail", pk=accident.pk)
    return _form_page(request, form, _("An accident elsewhere"), button=_("Record the accident"))


def _allowed(request, pk: int, action: str) -> Accident:
    accident = get_object_or_404(_visible(request.user), pk=pk)
    try:
        records.check(request.user, accident, action)
    except Conflict as exc:
        messages.error(request, str(exc))
        raise _Redirect(accident) from exc
    return accident


class _Redirect(Exception):
    def __init__(self, accident: Accident):
        self.accident = accident


def _initial(accident: Accident) -> dict:
    found = {"title": accident.title, "accident_type": accident.accident_type, "course": accident.course,
             "direct_causes": accident.direct_causes, "indirect_causes": accident.indirect_causes,
             **{name: getattr(accident, name) for name in FIGURES}}  # fmt: skip
    if accident.external:
        found |= {name: getattr(accident, name) for name in ("source", "occurred_at", "place", "enterprise_name")}
        found["industry"] = accident.industry_id
    return found


@login_required
def accident_edit(request, pk: int):
    try:
        accident = _allowed(request, pk, "edit")
    except _Redirect as back:
        return redirect("accidents:detail", pk=back.accident.pk)
    form = (ExternalEditForm if accident.external else EditForm)(request.POST or None, initial=_initial(accident))
    if request.method == "POST" and form.is_valid():
        try:
            records.edit(request.user, accident, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("accidents:detail", pk=accident.pk)
        else:
            messages.success(request, _("Saved."))
            return redirect("accidents:detail", pk=accident.pk)
    return _form_page(request, form, _("Change the accident record"), accident=accident)


@login_required
def accident_close(request, pk: int):
    try:
        accident = _allowed(request, pk, "close")
    except _Redirect as back:
        return redirect("accidents:detail", pk=back.accident.pk)
    initial = _initial(accident)
    form = CloseForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        report, findings, measures = values.pop("report"), values.pop("findings"), values.pop("measures")
        try:
            records.close(request.user, accident, report=report, findings=findings, measures=measures, **values)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("accidents:detail", pk=accident.pk)
        else:
            messages.success(request, _("The investigation is closed."))
            return redirect("accidents:detail", pk=accident.pk)
    return _form_page(request, form, _("Close the investigation"), accident=accident,
                      button=_("Close the investigation"), multipart=True)  # fmt: skip


@login_required
def report(request, pk: int):
    """The investigation report, served through scope, never as a public media file."""
    accident = get_object_or_404(Accident.objects.visible_to(request.user), pk=pk)
    if not accident.report:
        raise Http404
    response = FileResponse(accident.report.open("rb"), content_type="application/pdf",
                            filename=f"accident-{accident.pk}-report.pdf")  # fmt: skip
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
