"""Risk point pages (namespace `risks`): the list in scope with its filters (an enterprise sees its points grouped by
colour and place), a point's page, registering, changing, evaluating and retiring a point, and the overdue
re-evaluations. Every change calls `risks.points`."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.models import Enterprise
from organizations.roles import is_enterprise
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate

from . import evaluation, forms, points
from .choices import RANK, AccidentType, Colour, HazardFactor, ReevaluationReason
from .filters import RiskPointFilterSet
from .models import PointHazard, RiskControl, RiskPoint

# Red first: the order of an enterprise's grouped list.
BY_COLOUR = Case(*(When(colour=c, then=Value(-r)) for c, r in RANK.items()), output_field=IntegerField())


# The occasion of each evaluation kept (RiskEvaluation.reason).
OCCASION_LABELS = {"first": gettext_lazy("First evaluation"), **dict(ReevaluationReason.choices)}


def _points(user):
    return RiskPoint.objects.visible_to(user).select_related("enterprise")


@login_required
def point_list(request):
    """The points in use in scope; GET filters as the API's (docs/risks.md). An enterprise sees its own grouped by
    colour and place, all on one page; others page by keyset."""
    queryset = _points(request.user).filter(is_active=True)
    filterset = RiskPointFilterSet(request.GET or None, queryset=queryset, request=request)
    context = {"filter": filterset, "page": None, "grouped": None, "may_register": points.may_register(request.user),
               "today": timezone.localdate()}  # fmt: skip
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "risks/list.html", context, status=400)
    if is_enterprise(request.user):
        context["grouped"] = list(filterset.qs.order_by(BY_COLOUR, "place", "name", "id"))
    else:
        context["page"] = paginate(request, filterset.qs)
    return render(request, "risks/list.html", context)


@login_required
def reevaluations(request):
    """Overdue re-evaluations in scope: the date past, or due now for a reason; the longest overdue first."""
    queryset = _points(request.user).filter(points.overdue())
    page = paginate(request, queryset, orderings=("reevaluate_by", "-reevaluate_by"))
    return render(request, "risks/reevaluations.html", {"page": page, "today": timezone.localdate()})


def _words(codes: list[str], choices) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels.get(code, code)) for code in codes]


@login_required
def point_detail(request, pk: int):
    point = get_object_or_404(
        _points(request.user).select_related("region", "industry", "department", "evaluated_by"), pk=pk
    )
    context = {
        "point": point,
        "allowed": points.can(request.user, point),
        "factors": _words(point.hazard_factors, HazardFactor),
        "accidents": _words(point.accident_types, AccidentType),
        "controls": RiskControl.objects.filter(point=point, is_active=True),
        "meanings": meanings(point),
        "evaluations": _with_occasion(point.evaluations.select_related("by")[:20]),
        "hazards": PointHazard.objects.filter(point=point).select_related("hazard").order_by("-linked_at")[:50],
        "overdue": RiskPoint.objects.filter(points.overdue(), pk=point.pk).exists(),
    }
    return render(request, "risks/detail.html", context)


def _with_occasion(evaluations) -> list:
    evaluations = list(evaluations)
    for row in evaluations:
        row.occasion_label = OCCASION_LABELS.get(row.reason, row.reason)
    return evaluations


def meanings(point: RiskPoint) -> list[tuple[str, object, str]]:
    """Each input of the evaluation with what its value means in the method's table."""
    if point.method == "lec":
        rows = (("L", point.lec_l, evaluation.LEC_L), ("E", point.lec_e, evaluation.LEC_E),
                ("C", point.lec_c, evaluation.LEC_C))  # fmt: skip
    else:
        rows = (("L", point.ls_l, evaluation.LS_L), ("S", point.ls_s, evaluation.LS_S))
    return [(name, _plain(value), table.get(value, "")) for name, value, table in rows]


def _plain(value):
    """10.0 as 10, 0.50 as 0.5 (not 1E+1)."""
    return f"{value.normalize():f}" if hasattr(value, "normalize") else value


def _enterprise_for(request, form) -> Enterprise:
    if "enterprise" in form.cleaned_data:
        return form.cleaned_data["enterprise"]
    return Enterprise.objects.visible_to(request.user).get(pk=request.user.enterprise_id)


@login_required
def point_create(request):
    if not points.may_register(request.user):
        raise PermissionDenied(_("Only the enterprise's principal or safety manager keeps its risk points."))
    enterprises = Enterprise.objects.visible_to(request.user) if not request.user.enterprise_id else None
    data = request.POST or None
    form = forms.PointForm(data, enterprises=enterprises, initial={"kind": "place", "control_level": "team"})
    controls = forms.ControlFormSet(data, prefix="controls")
    judged = forms.EvaluationForm(data, initial={"method": "lec"})
    if request.method == "POST" and all([form.is_valid(), controls.is_valid(), judged.is_valid()]):
        given = points.PointData(form.point_fields(), judged.inputs(), forms.controls_given(controls))
        try:
            point = points.create_point(request.user, _enterprise_for(request, form), given)
        except ValidationError as exc:
            _spread(exc, form, judged, controls)
        else:
            messages.success(request, _("Risk point registered: %(colour)s.") % {"colour": point.get_colour_display()})
            return redirect("risks:detail", pk=point.pk)
    context = {"form": form, "controls": controls, "judged": judged, "title": _("Register a risk point")}
    return _page(request, "risks/form.html", context, form, judged, controls)


def _spread(exc: ValidationError, *targets) -> None:
    """Each field error on the form that has the field; the controls' on the formset; the rest above the first."""
    errors = exc.message_dict
    for name, messages_ in errors.items():
        target = next((f for f in targets[:-1] if name in f.fields), None)
        if name == "controls":
            targets[-1]._non_form_errors = targets[-1].error_class(messages_)
        elif target is not None:
            target.add_error(name, messages_)
        else:
            targets[0].add_error(None, messages_)


def _page(request, template: str, context: dict, *bound):
    invalid = any(b.total_error_count() if hasattr(b, "total_error_count") else b.errors for b in bound)
    return render(request, template, context, status=400 if invalid else 200)


class _Refused(Exception):
    """The point's state does not allow the action: back to its page with the reason."""


def _keepable(request, pk: int, action: str) -> RiskPoint:
    """The point in scope (404) if the actor may take the action (403 with the reason); a state that does not allow
    it (a point out of use) is said on the point's page."""
    point = get_object_or_404(_points(request.user), pk=pk)
    if action not in points.can(request.user, point):
        try:
            points.check(request.user, point, action)
        except Conflict as exc:
            messages.error(request, str(exc))
            raise _Refused from exc
    return point


def keeping(view):
    """A keeper's form page: a refusal for the point's state redirects to the point's page."""

    @wraps(view)
    def wrapped(request, pk: int):
        try:
            return view(request, pk)
        except _Refused:
            return redirect("risks:detail", pk=pk)

    return wrapped


@login_required
@keeping
def point_edit(request, pk: int):
    point = _keepable(request, pk, "edit")
    data = request.POST or None
    form = forms.PointForm(data, initial=forms.point_initial(point))
    controls = forms.ControlFormSet(data, prefix="controls", initial=forms.controls_initial(point))
    if request.method == "POST" and form.is_valid() and controls.is_valid():
        given = points.PointData(form.point_fields(), {}, forms.controls_given(controls))
        try:
            points.edit_point(request.user, point, given)
        except ValidationError as exc:
            _spread(exc, form, controls)
        else:
            messages.success(request, _("Saved."))
            return redirect("risks:detail", pk=point.pk)
    context = {"form": form, "controls": controls, "judged": None, "point": point, "title": _("Change the risk point")}
    return _page(request, "risks/form.html", context, form, controls)


@login_required
@keeping
def point_evaluate(request, pk: int):
    """The evaluation form; "preview" shows the grade the inputs give without saving, "save" re-evaluates."""
    point = _keepable(request, pk, "evaluate")
    initial = forms.evaluation_initial(point) | {"occasion": point.reevaluation_reason}
    judged = forms.EvaluationForm(request.POST or None, occasion=True, initial=initial)
    preview = None
    if request.method == "POST" and judged.is_valid():
        inputs = judged.inputs()
        try:
            if "preview" in request.POST:
                preview = evaluation.grade(
                    inputs["method"], lec=(inputs["lec_l"], inputs["lec_e"], inputs["lec_c"]),
                    ls=(inputs["ls_l"], inputs["ls_s"]), override=inputs["override_colour"],
                    override_reason=inputs["override_reason"], major_source=point.is_major_hazard_source,
                    major_criterion=point.meets_major_criterion,
                )  # fmt: skip
            else:
                points.evaluate(request.user, point, inputs, judged.cleaned_data["occasion"])
                messages.success(request, _("Re-evaluated."))
                return redirect("risks:detail", pk=point.pk)
        except ValidationError as exc:
            add_errors(judged, exc)
    label = Colour(preview.colour).label if preview else ""
    context = {"point": point, "judged": judged, "preview": preview, "preview_label": label}
    return render(request, "risks/evaluate.html", context, status=400 if judged.errors else 200)


@login_required
@keeping
def point_retire(request, pk: int):
    point = _keepable(request, pk, "retire")
    form = forms.RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            points.retire(request.user, point, form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The risk point is no longer in use."))
            return redirect("risks:detail", pk=point.pk)
    return render(request, "risks/retire.html", {"point": point, "form": form}, status=400 if form.errors else 200)
