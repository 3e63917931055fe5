"""Look-back pages: the department's list (due, overdue, done) and the page that records one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate

from . import forms, workflow
from .choices import LookBackResult
from .models import LookBack

STATES = ("pending", "overdue", "done")


def look_backs_for(user, state: str):
    """The look-backs the user can see in one state: pending, overdue (pending and past due), done; "all"."""
    queryset = LookBack.objects.visible_to(user).select_related("hazard__enterprise", "department", "done_by")
    if state == "all":
        return queryset
    if state == "done":
        return queryset.filter(done_at__isnull=False)
    if state == "overdue":
        return queryset.overdue()
    return queryset.pending()


@login_required
def look_back_list(request):
    state = request.GET.get("state") if request.GET.get("state") in STATES else "pending"
    orderings = ("-done_at",) if state == "done" else ("due_on",)
    page = paginate(request, look_backs_for(request.user, state), orderings=orderings)
    context = {"page": page, "state": state, "states": _state_labels(), "today": timezone.localdate()}
    return render(request, "hazards/look_backs.html", context)


def _state_labels() -> list[tuple[str, str]]:
    return [("pending", _("To do")), ("overdue", pgettext("look-back", "Overdue")), ("done", _("Done"))]


@login_required
def look_back_record(request, pk: int):
    look_back = get_object_or_404(
        LookBack.objects.visible_to(request.user).select_related("hazard__enterprise", "department"), pk=pk
    )
    form = forms.LookBackForm(request.POST or None)
    allowed = look_back.done_at is None and workflow.may_record(request.user, look_back)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.record_look_back(request.user, look_back, data["result"], data["note"], data["deadline"])
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            failed = data["result"] == LookBackResult.FAILED
            messages.success(request, _("Look-back failed: the hazard is reopened.") if failed
                             else _("Look-back recorded: the hazard stays closed."))  # fmt: skip
            return redirect("hazards:detail", pk=look_back.hazard_id)
    status = 400 if form.errors else 200
    context = {"look_back": look_back, "form": form, "allowed": allowed, "today": timezone.localdate()}
    return render(request, "hazards/look_back.html", context, status=status)
