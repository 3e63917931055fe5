"""Inspection pages: my inspections today, starting one, the phone form (one section per screen, saved as
it goes), review and submit, the inspection, and campaign coverage."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from hazards.choices import Level
from hazards.models import HazardCategory
from notifications.models import Notification
from organizations.choices import UnitKind
from organizations.models import Enterprise, User
from organizations.pickers import enterprise_options
from organizations.roles import ENTERPRISE_STAFF, is_government
from organizations.scope import colleagues
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate
from safety_platform.lib.pdf import pdf_response

from . import supervision, workflow
from .choices import DONE, ENTERPRISE_KINDS, AnswerKind, InspectionStatus, Result
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


class FindingForm(forms.Form):
    """Something found during an inspection that is not on its checklist (filed as a hazard of the inspection's
    enterprise); the photos come as the page's `photos` input, checked by the writer."""

    title = forms.CharField(
        label=gettext_lazy("What was found"),
        max_length=200,
        error_messages={"required": gettext_lazy("Say what you found.")},
    )
    place = forms.CharField(
        label=gettext_lazy("place / part"),
        max_length=200,
        error_messages={"required": gettext_lazy("Say where it was found.")},
    )
    category = forms.ModelChoiceField(
        queryset=HazardCategory.objects.filter(is_active=True),
        to_field_name="code",
        label=gettext_lazy("category"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": gettext_lazy("Choose the kind of hazard."),
            "invalid_choice": gettext_lazy("Choose the kind of hazard."),
        },
    )
    level = forms.ChoiceField(
        choices=Level.choices,
        label=gettext_lazy("level"),
        widget=forms.RadioSelect,
        initial=Level.GENERAL,
        error_messages={
            "required": gettext_lazy("Choose the level."),
            "invalid_choice": gettext_lazy("Choose the level."),
        },
    )
    description = forms.CharField(
        label=gettext_lazy("description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4())
        super().__init__(*args, **kwargs)


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
        Inspection.objects.visible_to(request.user).select_related(
            "enterprise__region", "enterprise__industry", "version__template"
        ),
        pk=pk,
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
        "enterprise": inspection.enterprise,
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
    context = {"inspection": inspection, "failed": failed, "missing": missing, "submit_key": uuid.uuid4(),
               "findings": findings_of(inspection)}  # fmt: skip
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
    context = {"inspection": inspection, "answers": answers, "findings": findings_of(inspection)}
    return render(request, "inspections/detail.html", context)


def findings_of(inspection: Inspection) -> list:
    """The hazards found outside the checklist during the inspection, in the order they were filed."""
    return [f.hazard for f in inspection.findings.select_related("hazard")]


@login_required
def finding(request, pk: int):
    """Record something found that is not on the checklist: filed as a hazard of the inspection at once, then back
    to the inspection. The same page works offline through the page's queue (`data-queue-url`)."""
    inspection = _inspection(request, pk)
    form = FindingForm(request.POST or None)
    photo_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        key = values.pop("idempotency_key")
        try:
            hazard, _created = workflow.file_finding(
                request.user, inspection, values, key, request.FILES.getlist("photos")
            )
        except ValidationError as exc:
            errors = exc.message_dict
            photo_errors = errors.pop("photos", [])
            if errors:
                add_errors(form, ValidationError(errors))
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Filed as hazard %(code)s with this inspection.") % {"code": hazard.code})
            return redirect("inspections:fill", pk=pk, section=1)
    context = {
        "inspection": inspection,
        "form": form,
        "photo_errors": photo_errors,
        "done": inspection.status in DONE,
    }
    invalid = bool(form.errors or photo_errors)
    return render(request, "inspections/finding.html", context, status=400 if invalid else 200)


OFFLINE_INSPECTIONS = 20


@login_required
def offline_pages(request):
    """The pages an inspector needs with no network, for the browser to cache: today's list, and for each of their
    open inspections (at most OFFLINE_INSPECTIONS, newest first) every screen of its form, the finding page and the
    inspection; and the hazard filing page. Two queries, whatever the number of inspections."""
    user = request.user
    open_ones = Inspection.objects.visible_to(user).filter(
        status__in=[InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS]
    )
    if user.unit_kind == UnitKind.ENTERPRISE:  # the enterprise's self-checks, for those who may fill them
        open_ones = open_ones.filter(kind__in=ENTERPRISE_KINDS, enterprise_id=user.enterprise_id)
        if not (user.enterprise_id and user.holds(*ENTERPRISE_STAFF)):
            open_ones = open_ones.none()
    else:
        on_team = Inspection.members.through.objects.filter(user_id=user.pk).values("inspection_id")
        open_ones = open_ones.filter(Q(lead=user) | Q(pk__in=on_team))
    newest = open_ones.annotate(screens=Count("version__sections")).order_by("-date", "-id")[:OFFLINE_INSPECTIONS]
    pages = [reverse("inspections:today")]
    for inspection in newest.values("pk", "screens"):
        pk = inspection["pk"]
        pages += [reverse("inspections:fill", args=[pk, n]) for n in range(1, inspection["screens"] + 1)]
        pages += [reverse("inspections:finding", args=[pk]), reverse("inspections:detail", args=[pk])]
    pages.append(reverse("hazards:create"))
    return JsonResponse({"pages": pages})


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
        "findings": findings_of(inspection),
    }
    with translation.override("zh-hans"):
        return pdf_response(request, "inspections/record_pdf.html", context, f"inspection-{inspection.pk}.pdf")
