"""The warning pages (docs/warnings.md): the list, a warning's detail with its versions and recipients, the issue,
update and lift forms, and the answer page (叫应: one big button, the measures as checkboxes, a short note), phone
first. Every read starts from `visible_to`; every change is a `workflow` call, which decides 403, 409 and 400."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from notifications.models import Notification
from organizations.roles import is_government
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate

from . import workflow
from .api import with_counts
from .choices import AnswerMeasure, RecipientRole, WarningStatus
from .forms import AnswerForm, LiftForm, UpdateForm, WarningForm
from .models import EarlyWarning, WarningRecipient


def _government(user) -> None:
    if not is_government(user):
        raise PermissionDenied(_("Early warnings are for government units."))


def _visible(user, pk: int) -> EarlyWarning:
    return get_object_or_404(EarlyWarning.objects.visible_to(user).select_related("created_by"), pk=pk)


@login_required
def warning_list(request):
    _government(request.user)
    queryset = with_counts(EarlyWarning.objects.visible_to(request.user))
    status = request.GET.get("status", "")
    if status in WarningStatus.values:
        queryset = queryset.filter(status=status)
    return render(request, "early_warnings/list.html", {
        "page": paginate(request, queryset), "status": status, "statuses": WarningStatus.choices,
        "may_issue": workflow.may_issue(request.user),
    })  # fmt: skip


# The warning page lists this many recipient posts, the unanswered first; the live board shows them all.
DETAIL_ROWS = 50


@login_required
def warning_detail(request, pk: int):
    warning = _visible(request.user, pk)
    history = list(EarlyWarning.objects.visible_to(request.user).filter(series=warning.series).order_by("version"))
    recipients = WarningRecipient.objects.visible_to(request.user).filter(warning=warning)
    summary = recipients.aggregate(
        posts=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)),
        late=Count("id", filter=Q(answered_at__gt=F("answer_due_at"))),
        silent=Count("id", filter=Q(answered_at__isnull=True)), nobody=Count("id", filter=Q(nobody=True)),
    )  # fmt: skip
    # The posts not answered first, then by region; a few only (the live board lists and follows them all).
    rows = list(recipients.select_related("post", "region", "answered_by").order_by(
        F("answered_at").asc(nulls_first=True), "region_path", "role", "post_id")[:DETAIL_ROWS])  # fmt: skip
    labels = dict(AnswerMeasure.choices)
    for row in rows:
        row.measure_labels = [labels.get(code, code) for code in row.measures]
        row.late = row.answered_at > row.answer_due_at if row.answered_at else False
    reported = recipients.filter(answered_at__isnull=False).values_list("measures", flat=True)
    counted = Counter(code for measures in reported for code in measures if code in labels)
    summary["measures"] = [(labels[code], n) for code, n in counted.items()]
    summary["more"] = summary["posts"] - len(rows)
    return render(request, "early_warnings/detail.html", {
        "warning": warning, "history": history, "rows": rows, "summary": summary,
        "actions": workflow.can(request.user, warning), "areas": list(warning.areas.order_by("path")),
        "board": is_government(request.user),  # the live board is the government's (a key unit answers, no more)
    })  # fmt: skip


@login_required
def warning_new(request):
    workflow.require_issuer_role(request.user)
    form = WarningForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            warning = workflow.issue(request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Issued to %(count)d posts.") % {"count": warning.recipient_count})
            return redirect("early_warnings:detail", pk=warning.pk)
    return render(request, "early_warnings/form.html", {"form": form, "heading": _("Issue a warning")},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
def warning_update(request, pk: int):
    warning = _visible(request.user, pk)
    initial = {name: getattr(warning, name) for name in workflow.EDITABLE if name != "areas"}
    initial["areas"] = list(warning.areas.all())
    initial["include_key_units"] = warning.recipients.filter(role=RecipientRole.KEY_UNIT).exists()
    form = UpdateForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            new = workflow.update(request.user, warning, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(request, new.change_note)
            return redirect("early_warnings:detail", pk=new.pk)
    elif request.method == "GET":
        workflow.check(request.user, warning, "update")
    if form.errors and status == 200:
        status = 400
    heading = _("Update: %(title)s") % {"title": warning.title}
    return render(request, "early_warnings/form.html", {"form": form, "heading": heading, "warning": warning},
                  status=status)  # fmt: skip


@login_required
def warning_lift(request, pk: int):
    warning = _visible(request.user, pk)
    form = LiftForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            lifted = workflow.lift(request.user, warning, form.cleaned_data["note"])
        except ValidationError as exc:
            add_errors(form, exc)
            status = 400
        except Conflict as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(request, lifted.change_note)
            return redirect("early_warnings:detail", pk=lifted.pk)
    elif request.method == "GET":
        workflow.check(request.user, warning, "lift")
    heading = _("Lift: %(title)s") % {"title": warning.title}
    return render(request, "early_warnings/form.html", {"form": form, "heading": heading, "warning": warning,
                                                        "lifting": True}, status=status)  # fmt: skip


@login_required
def warning_answer(request, pk: int):
    """The answer page (the notice's link): one tap answers every post the person was told for."""
    warning = get_object_or_404(workflow.answerable(request.user), pk=pk)
    mine = list(Notification.objects.filter(recipient=request.user, key__startswith=f"warning:{warning.pk}:"))
    posts = {int(n.key.split(":")[2]) for n in mine}
    rows = WarningRecipient.objects.filter(warning=warning, post_id__in=posts)
    rows = list(rows.select_related("post", "answered_by"))
    labels = dict(AnswerMeasure.choices)
    for row in rows:
        row.measure_labels = [labels.get(code, code) for code in row.measures]
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            workflow.answer(request.user, warning, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
            status = 400
        except Conflict as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(request, _("Answered. Thank you."))
            return redirect("early_warnings:answer", pk=warning.pk)
    elif not mine:
        workflow.check(request.user, warning, "answer")  # 403: not told
    answered = bool(rows) and all(r.answered_at for r in rows) or (mine and all(n.acknowledged_at for n in mine))
    return render(request, "early_warnings/answer.html", {
        "warning": warning, "rows": rows, "form": form, "answered": answered,
        "may_answer": warning.status == WarningStatus.IN_FORCE and not answered,
        "minutes": workflow.recipients.answer_limit(warning.level).seconds // 60,
        "due": rows[0].answer_due_at if rows else None, "may_read": is_government(request.user),
    }, status=status)  # fmt: skip
