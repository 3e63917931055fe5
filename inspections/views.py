"""Inspection pages: my inspections today, starting one, the phone form (one section per screen, saved as
it goes), review and submit, the inspection, and campaign coverage."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from notifications.models import Notification
from organizations.choices import UnitKind
from organizations.models import Enterprise, User
from organizations.pickers import enterprise_options
from organizations.roles import is_government
from organizations.scope import colleagues
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate
from safety_platform.lib.pdf import pdf_response

from . import supervision, workflow
from .choices import DONE, AnswerKind, InspectionStatus, Result
from .coverage import coverage, not_inspected
from .models import Campaign, ChecklistVersion, Inspection


def current_versions():
    """The newest version of each checklist: new inspections use it; older ones keep theirs."""
    newest = ChecklistVersion.objects.filter(template=OuterRef("template")).order_by("-number").values("pk")[:1]
    return ChecklistVersion.objects.filter(pk=Subquery(newest)).select_related("template")


class StartForm(forms.Form):
    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label=gettext_lazy("enterprise"))
    version = forms.ModelChoiceField(queryset=ChecklistVersion.objects.none(), label=gettext_lazy("checklist"))
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), label=gettext_lazy("team members"), widget=forms.CheckboxSelectMultiple
    )
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False, label=gettext_lazy("campaign"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")
        self.fields["version"].queryset = current_versions()
        self.fields["members"].queryset = colleagues(user).order_by("username")
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).filter(ends_on__gte=timezone.localdate())


@login_required
def today(request):
    mine = Inspection.objects.visible_to(request.user).filter(Q(lead=request.user) | Q(members=request.user)).distinct()
    current = mine.filter(Q(date=timezone.localdate()) | Q(status=InspectionStatus.IN_PROGRESS))
    recent = mine.filter(status__in=DONE).order_by("-submitted_at")[:10]
    context = {"current": current.select_related("enterprise", "version__template"), "recent": recent}
    return render(request, "inspections/today.html", context)


@login_required
def start(request):
    form = StartForm(request.POST or None, user=request.user)
    if request.method == "POST" and request.POST.get("kind"):
        try:  # the form starts inspections by inspectors; a lesson's self-check starts from its task
            workflow.refuse_lesson_kind(request.POST["kind"])
        except ValidationError as exc:
            form.is_valid()
            form.add_error(None, exc.message_dict["kind"][0])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new = workflow.NewInspection(data["enterprise"], data["version"], campaign=data["campaign"],
                                     members=tuple(data["members"]))  # fmt: skip
        try:
            inspection = workflow.create(request.user, new)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("inspections:fill", pk=inspection.pk, section=1)
    # the searchable enterprise picker the hazard list's filter uses too
    picker = enterprise_options(request.user, form["enterprise"].value(), form.fields["enterprise"].queryset)
    context = {"form": form, "enterprise_picker": picker}
    return render(request, "inspections/start.html", context, status=400 if form.errors else 200)


def _inspection(request, pk: int) -> Inspection:
    return get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related("enterprise", "version__template"), pk=pk
    )


@login_required
def fill(request, pk: int, section: int):
    """One section per screen; saving a screen saves each answer on it (and the page's script saves each answer
    the moment it is given)."""
    inspection = _inspection(request, pk)
    sections = list(inspection.version.sections.prefetch_related("items"))
    if not 1 <= section <= len(sections):
        return redirect("inspections:fill", pk=pk, section=1)
    current = sections[section - 1]
    answers = {a.item_id: a for a in inspection.answers.prefetch_related("photos")}
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        if inspection.status in DONE:
            raise PermissionDenied
        for item in current.items.all():
            prefix = f"i{item.pk}"
            values = {k: request.POST.get(f"{prefix}-{k}", "") for k in ("result", "number", "text", "note")}
            photos = request.FILES.getlist(f"{prefix}-photos")
            if not any(values.values()) and not photos:
                continue
            try:
                answers[item.pk] = workflow.answer(request.user, inspection, item.pk, values, photos)
            except ValidationError as exc:
                errors[item.pk] = exc.messages
            except Conflict as exc:
                messages.error(request, str(exc))
        if not errors:
            if section < len(sections):
                return redirect("inspections:fill", pk=pk, section=section + 1)
            return redirect("inspections:review", pk=pk)
    rows = [{"item": i, "answer": answers.get(i.pk), "errors": errors.get(i.pk, [])} for i in current.items.all()]
    context = {
        "inspection": inspection,
        "section": current,
        "number": section,
        "count": len(sections),
        "rows": rows,
        "answered": len(answers),
        "results": Result.choices,
        "kinds": AnswerKind,
        "done": inspection.status in DONE,
    }
    return render(request, "inspections/fill.html", context, status=400 if errors else 200)


@login_required
def review(request, pk: int):
    inspection = _inspection(request, pk)
    if request.method == "POST":
        try:
            key = uuid.UUID(request.POST.get("submit_key", ""))
            workflow.submit(request.user, inspection, key, request.POST.get("representative", ""))
        except (ValueError, ValidationError, Conflict) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, submitted_message(inspection))
            return redirect("inspections:detail", pk=pk)
    failed = workflow.preview(inspection)
    for answer in failed:
        answer.hazard_title = workflow.finding_title(answer)  # the title the hazard will have
    # what is still to answer, each with the screen it is on: said before submitting, not after
    screens = {pk: n for n, pk in enumerate(inspection.version.sections.values_list("pk", flat=True), start=1)}
    missing = workflow.unanswered(inspection)
    for item in missing:
        item.screen = screens[item.section_id]
    context = {"inspection": inspection, "failed": failed, "missing": missing, "submit_key": uuid.uuid4()}
    return render(request, "inspections/review.html", context)


def answers_as_given(inspection: Inspection) -> list:
    """The answers in checklist order, each measured value written as entered (0.9, not 0.900 or 9E-1)."""
    answers = list(
        inspection.answers.select_related("item__section", "hazard").order_by("item__section__order", "item__order")
    )
    for answer in answers:
        answer.value = workflow.plain_number(answer.number)
    return answers


def submitted_message(inspection: Inspection) -> str:
    """What the submit did and who is next: the failed items' hazards and the people their filing notices told."""
    hazards = {a.hazard_id: a.hazard for a in inspection.answers.filter(hazard__isnull=False).select_related("hazard")}
    if not hazards:
        return _("Submitted: every item passed; nothing to follow up.")
    told: dict[str, list[str]] = {}
    for notice in Notification.objects.filter(hazard_id__in=hazards, kind="hz_filed").select_related(
        "recipient", "hazard__department"
    ):
        names = told.setdefault(str(notice.hazard.department or ""), [])
        if str(notice.recipient) not in names:
            names.append(str(notice.recipient))
    codes = pgettext("between names", ", ").join(h.code for h in hazards.values())
    if not told:
        return _("Submitted: %(count)d failed items filed as hazards (%(codes)s); nobody else was told.") % {
            "count": len(hazards), "codes": codes}  # fmt: skip
    who = pgettext("between names", ", ").join(
        _("%(unit)s (%(names)s)") % {"unit": unit, "names": pgettext("between names", ", ").join(names)}
        for unit, names in told.items()
    )
    return _("Submitted: %(count)d failed items filed as hazards (%(codes)s); told %(who)s to confirm them.") % {
        "count": len(hazards), "codes": codes, "who": who}  # fmt: skip


@login_required
def detail(request, pk: int):
    inspection = _inspection(request, pk)
    answers = answers_as_given(inspection)
    return render(request, "inspections/detail.html", {"inspection": inspection, "answers": answers})


@login_required
def campaigns(request):
    items = Campaign.objects.visible_to(request.user).select_related("lead_department")
    return render(request, "inspections/campaigns.html", {"campaigns": items})


@login_required
def campaign(request, pk: int):
    item = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    missing = paginate(request, not_inspected(item, request.user), orderings=("id",))
    context = {"campaign": item, "coverage": coverage(item, request.user), "missing": missing}
    return render(request, "inspections/campaign.html", context)


@login_required
def checkers(request):
    """Checking the checkers: hollow self-checks, inspectors who find nothing, supervision differences."""
    if request.user.unit_kind == UnitKind.ENTERPRISE or not is_government(request.user):
        raise PermissionDenied
    context = {
        "hollow": supervision.hollow_self_checks(request.user)[:100],
        "nothing": supervision.nothing_found(request.user),
        "differences": supervision.differences(request.user)[:100],
    }
    return render(request, "inspections/checkers.html", context)


@login_required
def record_pdf(request, pk: int):
    """The inspection record (检查记录) as an A4 PDF in Chinese, with the CJK font embedded."""
    inspection = _inspection(request, pk)
    answers = answers_as_given(inspection)
    context = {
        "inspection": inspection,
        "answers": answers,
        "members": inspection.members.all(),
        "hazards": sum(1 for a in answers if a.hazard_id),
    }
    with translation.override("zh-hans"):
        return pdf_response(request, "inspections/record_pdf.html", context, f"inspection-{inspection.pk}.pdf")
