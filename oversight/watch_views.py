"""Pages of the watches (动向掌握, 派人盯守) and resumption checks (复产复工验收): the open watches in scope, a watch's
page with its visits, the phone-first visit form, the start and resumption forms, and the section on an enterprise's
supervision page. Every change calls `oversight.watches`."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.choices import OperatingState
from organizations.models import Department, Enterprise, Region
from organizations.roles import is_government
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors

from . import illegal, watches
from .choices import WATCHED_STATES, Observation
from .models import ResumptionCheck, VisitPhoto, Watch, WatchVisit

VISITS_SHOWN = 100


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once, straight from the phone's camera (checked by the writer)."""

    widget = MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(PhotosField, self).clean(d, initial) for d in data if d]
        return [data] if data else []


class VisitForm(forms.Form):
    observations = forms.MultipleChoiceField(
        choices=Observation.choices, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("what was seen")
    )
    note = forms.CharField(required=False, max_length=watches.NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
                           label=gettext_lazy("note"))  # fmt: skip
    photos = PhotosField(required=False, label=gettext_lazy("photos"))
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)


class WatchForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.none(), required=False,
                                        label=gettext_lazy("department"))  # fmt: skip
    watchers = forms.MultipleChoiceField(choices=(), widget=forms.CheckboxSelectMultiple,
                                         label=gettext_lazy("watchers"))  # fmt: skip
    interval_days = forms.IntegerField(min_value=1, max_value=365, label=gettext_lazy("visit every (days)"))
    reason = forms.CharField(required=False, max_length=watches.REASON_LENGTH, label=gettext_lazy("reason"))

    def __init__(self, *args, user=None, enterprise=None, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = watches.department_choices(user, enterprise)
        department_id = self.data.get("department") or (department.pk if department else None)
        if isinstance(department_id, str) and not department_id.isdigit():
            department_id = None
        people = watches.watcher_choices(int(department_id), enterprise) if department_id else []
        self.fields["watchers"].choices = [(u.pk, f"{u} · {u.unit or ''}") for u in people]


class ResumptionForm(forms.Form):
    passed = forms.TypedChoiceField(
        choices=[("1", gettext_lazy("Passed: it may operate again")), ("0", gettext_lazy("Not passed: stays "
                                                                                          "suspended"))],
        coerce=lambda v: v == "1", widget=forms.RadioSelect, label=gettext_lazy("result"),
    )  # fmt: skip
    findings = forms.CharField(max_length=watches.FINDINGS_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
                               label=gettext_lazy("findings"))  # fmt: skip


def _government(request) -> None:
    if not is_government(request.user):
        raise PermissionDenied


def _filtered(request, found):
    """?overdue=1, ?department=<id>, ?region=<code>, ?state=<operating state>."""
    params = request.GET
    if params.get("overdue") == "1":
        found = found.filter(due_at__lt=timezone.now())
    department = params.get("department", "")
    if department.isascii() and department.isdigit() and len(department) < 19:
        found = found.filter(department_id=int(department))
    region = params.get("region", "")
    if region:
        chosen = Region.objects.visible_to(request.user).filter(code=region).first()
        found = found.filter(enterprise__region__path__startswith=chosen.path) if chosen else found.none()
    state = params.get("state", "")
    if state in OperatingState.values:
        found = found.filter(enterprise__operating_state=state)
    return found


@login_required
def watch_list(request):
    """Open watches in scope, overdue first; a watcher's own first."""
    _government(request)
    found = _filtered(request, watches.open_watches(request.user))
    mine = Watch.watchers.through.objects.filter(watch_id=OuterRef("pk"), user_id=request.user.pk)
    found = found.annotate(mine=Exists(mine)).order_by("-mine", "due_at", "id")
    rows = list(found[:200])
    context = {
        "rows": rows, "now": timezone.now(), "states": [(s.value, s.label) for s in WATCHED_STATES],
        "departments": Department.objects.filter(pk__in={w.department_id for w in rows}).order_by("name"),
        "params": request.GET,
    }  # fmt: skip
    return render(request, "oversight/watch_list.html", context)


def _visits(watch: Watch):
    return watch.visits.select_related("visitor").prefetch_related(
        Prefetch("photos", queryset=VisitPhoto.objects.order_by("uploaded_at", "id"))
    )


def _seen(visits: list[WatchVisit]) -> list[WatchVisit]:
    labels = dict(Observation.choices)
    for v in visits:
        v.seen = "、".join(str(labels.get(o, o)) for o in v.observations)
    return visits


@login_required
def watch_detail(request, pk: int):
    """A watch: its enterprise, watchers, the next visit due, its visits with photos; POST ends it."""
    _government(request)
    watch = get_object_or_404(watches.visible_watches(request.user), pk=pk)
    if request.method == "POST" and request.POST.get("end"):
        try:
            watches.end(request.user, watch.pk, request.POST.get("reason", ""))
        except (Conflict, ValidationError) as exc:
            messages.error(request, "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("The watch has ended."))
        return redirect("watches:detail", pk=watch.pk)
    visits = _seen(list(_visits(watch).order_by("-visited_at", "-id")[:VISITS_SHOWN]))
    context = {
        "watch": watch, "watchers": list(watch.watchers.all()), "visits": visits,
        "allowed": watches.can(request.user, watch), "now": timezone.now(),
        "may_record_illegal": illegal.may_record(request.user),
    }  # fmt: skip
    return render(request, "oversight/watch_detail.html", context)


@login_required
def watch_visit(request, pk: int):
    """The phone-first visit form: what was seen, a note, photos from the camera; submitted once (its key)."""
    _government(request)
    watch = get_object_or_404(watches.visible_watches(request.user), pk=pk)
    if "visit" not in watches.can(request.user, watch):
        raise PermissionDenied(_("Only a watcher of this open watch or its department's staff record a visit."))
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = watches.visit(request.user, watch.pk, data["observations"], data["note"], data["photos"],
                                key=data["key"])  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            # Said for a repeat too (the same key sent twice): the page a person ends on may be the repeat's.
            messages.success(request, _("Visit recorded.") if not row.activity_found or
                             watch.enterprise.operating_state not in watches.NO_ACTIVITY_STATES
                             else _("Visit recorded; activity found: the department head and the territorial "
                                    "leader are alerted."))  # fmt: skip
            return redirect("watches:detail", pk=watch.pk)
    status = 400 if form.errors else 200
    return render(request, "oversight/watch_visit.html", {"watch": watch, "form": form}, status=status)


def _enterprise(request, pk: int) -> Enterprise:
    _government(request)
    return get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("region", "industry"), pk=pk)


def _refused(request, enterprise: Enterprise, action: str):
    """None when the actor may; a 403 when not theirs to do; back to the enterprise's page saying why when its state
    forbids it."""
    try:
        watches.check(request.user, enterprise, action)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("oversight:enterprise", pk=enterprise.pk)
    return None


@login_required
def watch_start(request, pk: int):
    """Start watching an enterprise in a watched state."""
    enterprise = _enterprise(request, pk)
    if "start" not in watches.can(request.user, enterprise):
        existing = Watch.objects.filter(enterprise=enterprise, ended_at__isnull=True).first()
        if existing is not None:
            messages.info(request, _("This enterprise is watched already."))
            return redirect("watches:detail", pk=existing.pk)
        refused = _refused(request, enterprise, "start")  # says why: 403, or the state on the enterprise's page
        if refused:
            return refused
    choices = watches.department_choices(request.user, enterprise)
    default = watches.supervising_department(enterprise)
    default = default if default and choices.filter(pk=default.pk).exists() else choices.first()
    initial = {"department": default, "interval_days": settings.OVERSIGHT_WATCH_INTERVAL_DAYS}
    form = WatchForm(request.POST or None, user=request.user, enterprise=enterprise, department=default,
                     initial=initial)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            watch = watches.start(request.user, enterprise.pk, data["department"], [int(i) for i in data["watchers"]],
                                  data["interval_days"], data["reason"])  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The watch has started."))
            return redirect("watches:detail", pk=watch.pk)
    status = 400 if form.errors else 200
    return render(request, "oversight/watch_start.html", {"enterprise": enterprise, "form": form}, status=status)


@login_required
def resumption(request, pk: int):
    """Record a resumption check (复产复工验收) of a suspended enterprise."""
    enterprise = _enterprise(request, pk)
    refused = _refused(request, enterprise, "resume")
    if refused:
        return refused
    form = ResumptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = watches.resume(request.user, enterprise.pk, data["passed"], data["findings"])
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Resumption check passed: the enterprise operates again.") if row.passed
                             else _("Resumption check not passed: the enterprise stays suspended."))  # fmt: skip
            return redirect("oversight:enterprise", pk=enterprise.pk)
    status = 400 if form.errors else 200
    checks = ResumptionCheck.objects.filter(enterprise=enterprise).select_related("checked_by", "department")[:10]
    context = {"enterprise": enterprise, "form": form, "checks": checks}
    return render(request, "oversight/resumption.html", context, status=status)


def section(user, enterprise: Enterprise) -> dict | None:
    """The enterprise page's section: its open watch with the last visits, its resumption checks, and what the
    viewer may do (start a watch, record a visit, record a resumption check)."""
    watch = (Watch.objects.filter(enterprise=enterprise, ended_at__isnull=True).select_related("department")
             .first())  # fmt: skip
    if (
        watch is None
        and enterprise.operating_state not in WATCHED_STATES
        and not ResumptionCheck.objects.filter(enterprise=enterprise).exists()
    ):
        return None
    visits: list[WatchVisit] = _seen(list(_visits(watch)[:3])) if watch else []
    return {
        "enterprise_pk": enterprise.pk,
        "watch": watch, "visits": visits, "now": timezone.now(),
        "watch_allowed": watches.can(user, watch) if watch else set(),
        "allowed": watches.can(user, enterprise),
        "checks": list(ResumptionCheck.objects.filter(enterprise=enterprise).select_related("checked_by")[:3]),
    }  # fmt: skip


@login_required
def photo(request, pk: int, thumbnail: bool = False):
    """A visit's photo, served through scope, never as a public media file."""
    _government(request)
    visible = WatchVisit.objects.visible_to(request.user)
    item = get_object_or_404(VisitPhoto.objects.filter(visit__in=visible), pk=pk)
    field = item.thumbnail if thumbnail else item.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg" if thumbnail else item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
