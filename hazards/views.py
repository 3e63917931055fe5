"""Hazard pages: the phone-first filing form, the list, the detail with its timeline and actions, photos."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from organizations.models import Enterprise
from organizations.pickers import enterprise_options
from organizations.scope import Scope, shared_reference_data
from safety_platform.lib.errors import Conflict
from safety_platform.lib.filtering import names_a_filter
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate
from safety_platform.lib.replica import replica_view

from . import forms, listing_clock, workflow
from .choices import Level
from .filters import HazardFilterSet
from .models import Hazard, HazardPhoto

# Filter forms with nothing chosen kept per process (one per scope, language, day and picker's first options).
UNFILTERED_FORMS_KEPT = 500


@login_required
@replica_view
def hazard_list(request):
    queryset = Hazard.objects.visible_to(request.user).with_overdue().select_related("enterprise", "category")
    if not names_a_filter(request.GET, HazardFilterSet):
        # No filter chosen: the rows need no FilterSet, and its form is the same for everyone of the same scope.
        context = {"filter_form": unfiltered_form(request), "page": paginate(request, queryset)}
        return render(request, "hazards/list.html", context)
    filterset = HazardFilterSet(request.GET, queryset=queryset, request=request)
    # the enterprise filter is a search picker; filters travel in the URL (a GET form)
    picker_options = enterprise_options(request.user, filterset.chosen_enterprise())
    context = {"filter_form": filter_form(request, filterset, picker_options), "page": None}
    if not filterset.is_valid():
        return render(request, "hazards/list.html", context, status=400)
    context["page"] = paginate(request, filterset.qs)
    return render(request, "hazards/list.html", context)


def filter_form(request, filterset: HazardFilterSet, picker_options) -> str:
    context = {
        "filter": filterset,
        "enterprise_picker": picker_options,
        "reset_url": reverse("hazards:list"),
        "extra": "hazards/_ordering.html",
        "request": request,
    }
    return render_to_string("_filters.html", context)


def unfiltered_form(request) -> str:
    """The filter form with nothing chosen, kept in this process until a reference table (regions, departments,
    industries, hazard categories) changes: rendering its dropdowns costs more than the page's rows. It depends on
    the user's scope (the choices), the language, the day (a date field's hint), the ordering chosen and the
    enterprise picker's first options (read each time: enterprises are not reference data)."""
    picker_options = enterprise_options(request.user)
    key = (
        get_language(),
        Scope.for_user(request.user).key,
        timezone.localdate(),
        request.GET.get("ordering") == "id",
        tuple((e.pk, e.name, e.region.name) for e in picker_options),
    )
    kept = shared_reference_data("hazard-filter-forms", dict)
    if key not in kept:
        if len(kept) >= UNFILTERED_FORMS_KEPT:
            kept.clear()
        filterset = HazardFilterSet(None, queryset=Hazard.objects.none(), request=request)
        kept[key] = filter_form(request, filterset, picker_options)
    return kept[key]


@login_required
def hazard_create(request):
    """File a finding. Before a new hazard is filed, open ones at the same enterprise, of the same category, at the
    same place (normalised) are shown: the filer adds the finding to one (`link_to`) or files anyway
    (`file_anyway`)."""
    workflow.require_filer(request.user)
    initial = {"enterprise": filing_enterprise(request)} if request.method != "POST" else {}
    form = forms.HazardFilingForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        data, link_to = form.cleaned_data, request.POST.get("link_to", "")
        if link_to.isascii() and link_to.isdigit() and len(link_to) < 19:
            return _add_finding(request, form, int(link_to)) or _form_page(request, context)
        matches = [] if request.POST.get("file_anyway") else list(_open_matches(request, data))
        if matches:
            context.update(similar=matches, photos_dropped=bool(data["photos"]))
            return _form_page(request, context)
        hazard = _file(request, form)
        if hazard is not None:
            return redirect("hazards:detail", pk=hazard.pk)
    return _form_page(request, context)


def _form_page(request, context: dict):
    form = context["form"]
    # offline, the page's script sends the finding through the API, which names a category by its code
    codes = {str(pk): code for pk, code in form.fields["category"].queryset.values_list("pk", "code")}
    context = {**context, "picker": picker(form), "category_codes": json.dumps(codes)}
    return render(request, "hazards/create.html", context, status=400 if form.errors else 200)


def _open_matches(request, data: dict):
    """At most five; never the hazard this very form filed already (a resubmit goes on to return that one)."""
    if Hazard.objects.filter(created_by=request.user, idempotency_key=data["idempotency_key"]).exists():
        return []
    return workflow.find_open_matches(request.user, data["enterprise"], data["category"], data["place"])[:5]


def _file(request, form) -> Hazard | None:
    data = form.cleaned_data
    filing = workflow.Filing(
        enterprise=data["enterprise"],
        title=data["title"],
        place=data["place"],
        category=data["category"],
        level=data["level"],
        description=data["description"],
        source=data["source"],
        legal_basis=data["legal_basis"],
        deadline=data["deadline"],
        photos=tuple(data["photos"]),
        idempotency_key=data["idempotency_key"],
    )
    try:
        hazard, created = workflow.file_hazard(request.user, filing)
    except ValidationError as exc:
        add_errors(form, exc)
        return None
    if created:
        messages.success(request, workflow.message("file", hazard))
    return hazard


def _add_finding(request, form, pk: int):
    """The finding added to the open hazard the filer chose; a refusal (closed meanwhile) is said on the form."""
    data = form.cleaned_data
    try:
        hazard = workflow.add_finding(request.user, pk, data["place"], data["description"], tuple(data["photos"]))
    except ValidationError as exc:
        add_errors(form, exc)
        return None
    except Conflict as exc:
        form.add_error(None, str(exc))
        return None
    messages.success(request, workflow.message("add_finding", hazard))
    return redirect("hazards:detail", pk=hazard.pk)


def filing_enterprise(request) -> int | None:
    """The enterprise a new finding is most likely about: the one in the link (`?enterprise=`, as the home page's
    button passes the inspection under way), else one's own enterprise, else the one of the last hazard this person
    filed; always within scope."""
    visible = Enterprise.objects.visible_to(request.user)
    asked = request.GET.get("enterprise", "")
    if asked.isascii() and asked.isdigit() and len(asked) < 19:
        found = visible.filter(pk=int(asked)).values_list("pk", flat=True).first()
        if found:
            return found
    if request.user.enterprise_id:  # an enterprise's people file their own self-checks
        return visible.filter(pk=request.user.enterprise_id).values_list("pk", flat=True).first()
    return (
        Hazard.objects.visible_to(request.user)
        .filter(created_by=request.user, enterprise__in=visible)
        .order_by("-created_at", "-id")
        .values_list("enterprise_id", flat=True)
        .first()
    )


def picker(form) -> list[Enterprise]:
    """The first enterprises by name plus the one chosen; the search box fetches the rest from the API."""
    queryset = form.fields["enterprise"].queryset.select_related("region")
    options = list(queryset[:50])
    chosen = form["enterprise"].value()
    if chosen and str(chosen).isdigit() and all(str(e.pk) != str(chosen) for e in options):
        options = list(queryset.filter(pk=chosen)) + options
    return options


def detail_context(request, hazard: Hazard, bound: dict | None = None) -> dict:
    allowed = workflow.can(request.user, hazard)
    # the page has a form for most actions; the others (delist) are the API's only
    action_forms = {name: make_form(name, hazard) for name in sorted(allowed) if name in ACTION_FORMS}
    action_forms.update(bound or {})
    return {
        "hazard": hazard,
        "allowed": allowed,
        "forms": action_forms,
        "plan": getattr(hazard, "plan", None),
        "listing": getattr(hazard, "listing", None),
        "clocks": listing_clocks(getattr(hazard, "listing", None)),
        "photos": list(hazard.photos.all()),
        "events": hazard.events.select_related("actor"),
        "evaluations": list(hazard.evaluations.all()),
        "look_backs": list(hazard.look_backs.select_related("done_by")),
        "inspection_id": visible_inspection(request.user, hazard),
        "lesson": lesson_checked(request.user, hazard),
        "is_major": hazard.level == Level.MAJOR,
        "major_fields": forms.PlanForm.MAJOR_ONLY,
    }


def visible_inspection(user, hazard: Hazard) -> int | None:
    """The id of the inspection that found the hazard, if the user may open it (else None: no link to a 404).

    A department sees a hazard assigned to it outside its industries, but not that enterprise's inspections. The
    inspection's model is reached through the reverse relation, so hazards imports nothing of inspections."""
    answer = getattr(hazard, "inspection_answer", None)
    if answer is None:
        return None
    inspection = answer._meta.get_field("inspection").related_model
    return (
        answer.inspection_id if inspection.objects.visible_to(user).filter(pk=answer.inspection_id).exists() else None
    )


def lesson_checked(user, hazard: Hazard):
    """The lesson whose comparison self-check found the hazard (对照检查), if the user may open it (else None).

    Reached through the reverse relations (the answer, its inspection, the inspection's lesson task), as
    `visible_inspection` does: hazards imports nothing of inspections or accidents (docs/accidents.md)."""
    answer = getattr(hazard, "inspection_answer", None)
    task = getattr(answer.inspection, "lesson_task", None) if answer is not None else None
    if task is None:
        return None
    lessons = task._meta.get_field("lesson").related_model.objects
    return lessons.visible_to(user).filter(pk=task.lesson_id).only("pk", "title").first()


def listing_clocks(listing) -> dict:
    """The listing's limits shown on the page: the last day to ask for an extension, the day a pending ask is to be
    decided by, the last day the deadline may reach."""
    if listing is None or not listing.is_active:
        return {}
    clocks = {
        "ask_until": listing_clock.last_ask_day(listing.deadline),
        "latest_deadline": listing_clock.latest_deadline_day(listing.listed_at),
    }
    if listing.extension_pending:
        clocks["decide_by"] = listing_clock.decision_due(listing.extension_asked_at)
    return clocks


def make_form(name: str, hazard: Hazard, data=None, files=None):
    """An action's form; its element ids carry the action's name, as several forms share one page (a label
    or a photo chooser must never point into another action's form)."""
    form_class = ACTION_FORMS[name]
    auto_id = f"id_{name}-%s"
    if form_class is forms.ListingForm:
        return form_class(data, hazard=hazard, auto_id=auto_id)
    plan = getattr(hazard, "plan", None)
    if form_class is forms.PlanForm and plan and data is None:
        return form_class(initial=model_to_dict(plan), auto_id=auto_id)  # a replaced plan starts from the current one
    return form_class(data, files, auto_id=auto_id)


@login_required
def hazard_detail(request, pk: int):
    hazard = get_object_or_404(
        Hazard.objects.visible_to(request.user)
        .with_overdue()
        .select_related(
            "enterprise",
            "category",
            "region",
            "department",
            "territorial_position",
            "principal_position",
            "plan",
            "listing",
            "recurrence_of",
            "found_by",
        ),  # fmt: skip
        pk=pk,
    )
    return render(request, "hazards/detail.html", detail_context(request, hazard))


ACTION_FORMS = {
    "confirm": forms.DeadlineFields,
    "submit_plan": forms.PlanForm,
    "submit_rectification": forms.RectificationForm,
    "accept": forms.CommentForm,
    "reject": forms.ReasonForm,
    "dismiss": forms.ReasonForm,
    "extend_deadline": forms.ExtendForm,
    "reopen": forms.ExtendForm,
    "list_supervision": forms.ListingForm,
    "add_photos": forms.PhotoUploadForm,
    "attach_evaluation": forms.FileForm,
    "reassign": forms.ReassignForm,
    "publish_order": forms.PublishOrderForm,
    "leader_action": forms.LeaderActionForm,
    "ask_extension": forms.AskExtensionForm,
    "decide_extension": forms.DecideExtensionForm,
}


def run_action(name: str, user, hazard: Hazard, data: dict):
    """Call the workflow function for a page action with the form's cleaned data."""
    match name:
        case "confirm":
            return workflow.confirm(user, hazard, data["deadline"])
        case "submit_plan":
            return workflow.submit_plan(user, hazard, dict(data))
        case "submit_rectification":
            return workflow.submit_rectification(user, hazard, data["description"], data["photos"])
        case "accept":
            return workflow.accept(user, hazard, data["comment"])
        case "reject":
            return workflow.reject(user, hazard, data["reason"])
        case "dismiss":
            return workflow.dismiss(user, hazard, data["reason"])
        case "extend_deadline":
            return workflow.extend_deadline(user, hazard, data["deadline"], data["reason"])
        case "reopen":
            return workflow.reopen(user, hazard, data["reason"], data["deadline"])
        case "list_supervision":
            return workflow.list_supervision(user, hazard, workflow.Listing(**data))
        case "add_photos":
            return workflow.add_photos(user, hazard, data["photos"])
        case "reassign":
            return workflow.reassign(user, hazard, data["department"], data["reason"])
        case "attach_evaluation":
            return workflow.attach_evaluation(user, hazard, data["file"], data["note"])
        case "publish_order":
            return workflow.publish_order(user, hazard, data["public_notice"])
        case "leader_action":
            return workflow.record_leader_action(user, hazard, data["kind"], data["date"], data["note"], data["photos"])
        case "ask_extension":
            return workflow.ask_extension(user, hazard, data["deadline"], data["reason"])
        case "decide_extension":
            return workflow.decide_extension(user, hazard, data["approve"], data["reason"])
    raise ValueError(name)


@login_required
@require_POST
def hazard_action(request, pk: int, name: str):
    hazard = get_object_or_404(Hazard.objects.visible_to(request.user).with_overdue(), pk=pk)
    if name not in ACTION_FORMS:
        return redirect("hazards:detail", pk=pk)
    form = make_form(name, hazard, request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            done = run_action(name, request.user, hazard, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            status = 409
        else:
            messages.success(request, workflow.message(name, done if isinstance(done, Hazard) else hazard))
            return redirect("hazards:detail", pk=pk)
    hazard = Hazard.objects.visible_to(request.user).with_overdue().get(pk=pk)
    context = detail_context(request, hazard, {name: form})
    context["open_action"] = name
    return render(request, "hazards/detail.html", context, status=status)


@login_required
def photo(request, pk: int, thumbnail: bool = False):
    """Photos are served through scope, never as public media files."""
    visible = Hazard.objects.visible_to(request.user)
    item = get_object_or_404(HazardPhoto.objects.filter(hazard__in=visible), pk=pk)
    field = item.thumbnail if thumbnail else item.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg" if thumbnail else item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def to_rectify(request, enterprise_pk: int):
    """An enterprise's open hazards, the nearest deadline first."""
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=enterprise_pk)
    hazards = (
        Hazard.objects.visible_to(request.user)
        .open()
        .with_overdue()
        .filter(enterprise=enterprise)
        .select_related("category")
        .order_by("deadline", "id")[:500]
    )
    return render(request, "hazards/to_rectify.html", {"enterprise": enterprise, "hazards": hazards})


@login_required
def my_to_rectify(request):
    if request.user.enterprise_id:
        return redirect("hazards:to-rectify", enterprise_pk=request.user.enterprise_id)
    return redirect("hazards:list")
