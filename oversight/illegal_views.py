"""Pages of the illegal operations (打非治违), phone first: the list with its filters, a record's page with its
handle form, the form to record one, and the figures per department and region. Government units only; every change
calls `oversight.illegal`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.pickers import enterprise_options
from organizations.roles import is_government
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate

from . import illegal, illegal_figures
from .choices import IllegalKind, IllegalResult, IllegalSource
from .illegal_filters import IllegalOperationFilterSet
from .illegal_forms import HandleForm, RecordForm
from .models import IllegalOperation


def _require(user) -> None:
    if not is_government(user):
        raise PermissionDenied(_("Only government units see the illegal operations."))


def _visible(user):
    return IllegalOperation.objects.visible_to(user).select_related("region", "industry", "department", "enterprise")


@login_required
def illegal_list(request):
    _require(request.user)
    filterset = IllegalOperationFilterSet(request.GET or None, queryset=_visible(request.user), request=request)
    context = {"filter": filterset, "page": None, "may_record": illegal.may_record(request.user)}
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "oversight/illegal_list.html", context, status=400)
    context["page"] = paginate(request, filterset.qs)
    return render(request, "oversight/illegal_list.html", context)


def _detail_context(request, operation: IllegalOperation, form: HandleForm | None = None) -> dict:
    allowed = illegal.can(request.user, operation)
    initial = {"action": operation.action, "result": operation.result, "closed_on": operation.closed_on}
    return {
        "op": operation,
        "allowed": allowed,
        "form": form or (HandleForm(initial=initial) if "handle" in allowed else None),
        "offers_flag": illegal.offers_flag(operation),
    }


@login_required
def illegal_detail(request, pk: int):
    _require(request.user)
    operation = get_object_or_404(_visible(request.user).select_related("recorded_by", "visit", "inspection"), pk=pk)
    return render(request, "oversight/illegal_detail.html", _detail_context(request, operation))


@login_required
@require_POST
def illegal_handle(request, pk: int):
    _require(request.user)
    operation = get_object_or_404(_visible(request.user), pk=pk)
    form = HandleForm(request.POST)
    if form.is_valid():
        try:
            illegal.handle(request.user, pk, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("illegal:detail", pk=pk)
        else:
            messages.success(request, _("Saved."))
            return redirect("illegal:detail", pk=pk)
    context = _detail_context(request, operation, form)
    return render(request, "oversight/illegal_detail.html", context, status=400)


def _initial(request) -> dict:
    """What a link may fill in: `enterprise` (its supervision page), `source` with `visit` or `inspection`."""
    initial = {"found_on": timezone.localdate(), "source": IllegalSource.PATROL}
    for name in ("enterprise", "visit", "inspection", "source", "source_ref"):
        value = request.GET.get(name, "")
        if value:
            initial[name] = value
    if initial.get("visit"):
        initial["source"] = IllegalSource.WATCH
    if initial.get("inspection"):
        initial["source"] = IllegalSource.INSPECTION
    return initial


@login_required
def illegal_new(request):
    _require(request.user)
    if not illegal.may_record(request.user):
        raise PermissionDenied(illegal_denied())
    form = RecordForm(request.user, request.POST or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        values = form.values()
        set_flag = values.pop("set_flag", False)
        try:
            operation = illegal.record(request.user, set_flag=set_flag, **values)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Recorded: %(name)s.") % {"name": operation.operator_name})
            return redirect("illegal:detail", pk=operation.pk)
    chosen = form["enterprise"].value()
    context = {
        "form": form,
        "enterprise_picker": enterprise_options(request.user, chosen, form.fields["enterprise"].queryset),
        "flag_kinds": [str(IllegalKind(kind).label) for kind in illegal.FLAGS],
    }
    return render(request, "oversight/illegal_form.html", context, status=400 if form.errors else 200)


def illegal_denied() -> str:
    return _("Only the government's staff (inspectors, departments, regional governments) record illegal operations.")


@login_required
def figures_page(request):
    _require(request.user)
    try:
        found = illegal_figures.figures(request.user, request.GET)
    except ValidationError as exc:
        errors = [message for messages_ in exc.message_dict.values() for message in messages_]
        context = {"errors": errors, "figures": None, "params": request.GET}
        return render(request, "oversight/illegal_figures.html", context, status=400)
    context = {
        "figures": found,
        "params": request.GET,
        "kinds": IllegalKind.choices,
        "results": IllegalResult.choices,
        "list_url": found.total.recorded.url,
        "total_results": [(value, label, found.total.results[value]) for value, label in IllegalResult.choices],
        "tables": [(_("By region"), found.regions, True), (_("By department"), found.departments, False)],
    }
    return render(request, "oversight/illegal_figures.html", context)
