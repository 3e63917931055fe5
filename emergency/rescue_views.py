"""Pages of the rescue teams: the readiness board (phone-first), the team list with level badges, a team's page
with its readiness periods and pre-positioned forces and the forms to raise, pre-position, end and withdraw, the
team form, and raising in bulk (or for the next holiday). Every change calls `emergency.rescue`."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.models import Department, Region
from organizations.roles import is_city_office, is_government
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import LocalDateTimeField, add_errors
from safety_platform.lib.pages import paginate
from safety_platform.lib.query import MAX_ID

from . import rescue
from .models import MAX_HEADCOUNT, Prepositioning, ReadinessPeriod, RescueTeam
from .rescue_choices import RAISED_LEVELS, Readiness, TeamKind

# A team's page lists the periods and pre-positionings that ended within this time, and those to come.
RECENT = timedelta(days=30)

# --- forms ---------------------------------------------------------------------------------------------------------


def _regions(user) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(queryset=Region.objects.visible_to(user), label=gettext_lazy("region"))
    field.label_from_instance = lambda region: region.indented_name
    return field


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100, label=gettext_lazy("name"))
    kind = forms.ChoiceField(choices=TeamKind.choices, label=gettext_lazy("kind"))
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(), required=False, label=gettext_lazy("owning department"),
        help_text=gettext_lazy("Empty: the government of its region owns the team."),
    )  # fmt: skip
    base_address = forms.CharField(max_length=200, label=gettext_lazy("base address"))
    duty_phone = forms.CharField(max_length=30, label=gettext_lazy("duty phone"))
    headcount = forms.IntegerField(min_value=1, max_value=MAX_HEADCOUNT, label=gettext_lazy("headcount"))
    equipment = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("main equipment")
    )
    active = forms.BooleanField(required=False, initial=True, label=gettext_lazy("active"))

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = _regions(user)
        self.order_fields(["name", "kind", "region", "department"])
        if editing or not is_city_office(user):  # only the city office names the owner; it stays afterwards
            del self.fields["department"]
        else:
            self.fields["department"].queryset = Department.objects.visible_to(user)


class PeriodForm(forms.Form):
    level = forms.ChoiceField(choices=RAISED_LEVELS, label=gettext_lazy("readiness level"))
    starts_at = LocalDateTimeField(required=False, label=gettext_lazy("from (empty: now)"))
    ends_at = LocalDateTimeField(label=gettext_lazy("until"))
    reason = forms.CharField(max_length=200, label=gettext_lazy("reason"))


class BulkForm(PeriodForm):
    kinds = forms.MultipleChoiceField(
        choices=TeamKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("kinds of team (none ticked: every kind)"),
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = _regions(user)
        self.order_fields(["region", "kinds", "level", "starts_at", "ends_at", "reason"])


class DeploymentForm(forms.Form):
    place = forms.CharField(max_length=200, label=gettext_lazy("important place"))
    address = forms.CharField(max_length=200, required=False, label=gettext_lazy("address"))
    headcount = forms.IntegerField(min_value=1, max_value=MAX_HEADCOUNT, label=gettext_lazy("headcount"))
    equipment = forms.CharField(max_length=2000, required=False, label=gettext_lazy("equipment"))
    starts_at = LocalDateTimeField(required=False, label=gettext_lazy("from (empty: now)"))
    ends_at = LocalDateTimeField(label=gettext_lazy("until"))
    reason = forms.CharField(max_length=200, label=gettext_lazy("reason"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = _regions(user)
        self.fields["region"].label = gettext_lazy("region of the place")
        self.order_fields(["place", "region", "address", "headcount", "equipment", "starts_at", "ends_at", "reason"])


# --- pages -------------------------------------------------------------------------------------------------------


def _id(raw: str) -> int | None:
    """An id sent in a form or a query: ASCII digits within a bigint, else None ("²" and "١" are digits to Python)."""
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID else None


def _government(user) -> None:
    if not is_government(user):
        raise PermissionDenied


@login_required
def board(request):
    """The readiness board by region; `?kind=` (repeatable) and `?region=` filter."""
    _government(request.user)
    kinds = [k for k in request.GET.getlist("kind") if k in TeamKind.values]
    region = None
    if _id(request.GET.get("region", "")):
        region = Region.objects.visible_to(request.user).filter(pk=_id(request.GET["region"])).first()
    board_ = rescue.readiness_board(request.user, kinds, region)
    context = {
        "board": board_, "kinds": TeamKind.choices, "chosen": kinds, "region": region,
        "may_raise": is_city_office(request.user) or _territorial(request.user),
    }  # fmt: skip
    return render(request, "emergency/rescue/board.html", context)


def _territorial(user) -> bool:
    return user.region_id is not None and rescue.answers_for_territory(user, user.region)


@login_required
def team_list(request):
    _government(request.user)
    teams = rescue.with_level(RescueTeam.objects.visible_to(request.user).select_related("region", "department"))
    kind = request.GET.get("kind", "")
    if kind in TeamKind.values:
        teams = teams.filter(kind=kind)
    context = {"page": paginate(request, teams), "kinds": TeamKind.choices, "kind": kind,
               "may_register": rescue.may_register(request.user)}  # fmt: skip
    return render(request, "emergency/rescue/teams.html", context)


@login_required
def team_new(request):
    if not rescue.may_register(request.user):
        raise PermissionDenied
    form = TeamForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            team = rescue.register_team(request.user, rescue.TeamData(**form.cleaned_data))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Team registered."))
            return redirect("rescue:team", pk=team.pk)
    return _form_page(request, form, _("Register a rescue team"))


def _form_page(request, form, title: str, team: RescueTeam | None = None):
    context = {"form": form, "title": title, "team": team}
    return render(request, "emergency/rescue/form.html", context, status=400 if form.errors else 200)


@login_required
def team_edit(request, pk: int):
    team = get_object_or_404(RescueTeam.objects.visible_to(request.user).select_related("region"), pk=pk)
    if "edit" not in rescue.can(request.user, team):
        raise PermissionDenied
    initial = {name: getattr(team, name) for name in rescue.EDITABLE}
    form = TeamForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rescue.edit_team(request.user, team.pk, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("rescue:team", pk=team.pk)
    return _form_page(request, form, _("Change the team"), team)


@login_required
def team_detail(request, pk: int):
    """A team: particulars, its level now, its readiness periods and pre-positioned forces, and the forms its owner
    uses (one POST per action: `do` = raise, preposition, end, withdraw)."""
    team = get_object_or_404(
        rescue.with_level(RescueTeam.objects.visible_to(request.user)).select_related("region", "department"), pk=pk
    )
    allowed = rescue.can(request.user, team)
    forms_ = {
        "raise": PeriodForm(prefix="raise"),
        "preposition": DeploymentForm(prefix="preposition", user=request.user),
    }
    if request.method == "POST":
        done = _team_action(request, team, forms_)
        if done:
            messages.success(request, done)
            return redirect("rescue:team", pk=team.pk)
    now = timezone.now()
    recent = now - RECENT
    periods = list(team.readiness_periods.filter(ends_at__gt=recent)[:20])
    forces = list(team.prepositionings.select_related("region").filter(ends_at__gt=recent)[:20])
    for row in (*periods, *forces):
        row.actions = rescue.can(request.user, row, now)
        row.now = row.covers(now)
    context = {"team": team, "allowed": allowed, "forms": forms_, "periods": periods, "forces": forces, "now": now}
    status = 400 if any(f.errors for f in forms_.values()) else 200
    return render(request, "emergency/rescue/team.html", context, status=status)


def _team_action(request, team: RescueTeam, forms_: dict) -> str:
    """One POST action through its workflow function; the success message, or "" with the errors on the form (or as
    a message for the buttons)."""
    action = request.POST.get("do", "")
    if action in ("end", "withdraw"):
        pk = _id(request.POST.get("id", ""))
        if pk is None:
            raise Http404
        model = ReadinessPeriod if action == "end" else Prepositioning
        get_object_or_404(model.objects.filter(team=team), pk=pk)
        try:
            if action == "end":
                rescue.end_period(request.user, pk)
                return _("Readiness period ended.")
            rescue.withdraw(request.user, pk)
            return _("Forces withdrawn.")
        except Conflict as exc:
            messages.error(request, str(exc))
            return ""
    if action not in forms_:
        raise Http404
    form = forms_[action] = (
        PeriodForm(request.POST, prefix=action)
        if action == "raise"
        else DeploymentForm(request.POST, prefix=action, user=request.user)
    )
    if not form.is_valid():
        return ""
    data = form.cleaned_data
    try:
        if action == "raise":
            rescue.raise_readiness(request.user, team.pk, data["level"], data["starts_at"], data["ends_at"],
                                   data["reason"])  # fmt: skip
            return _("Readiness raised.")
        rescue.preposition(request.user, team.pk, rescue.Deployment(**data))
        return _("Forces pre-positioned.")
    except ValidationError as exc:
        add_errors(form, exc)
    except Conflict as exc:
        form.add_error(None, str(exc))
    return ""


@login_required
def raise_bulk(request):
    """Raise every team of the kinds in a region's subtree for a period; "the next holiday" fills the period and
    the reason from the working-day calendar."""
    if not (is_city_office(request.user) or _territorial(request.user)):
        raise PermissionDenied
    holiday = rescue.next_holiday()
    initial = {"region": request.user.region_id, "level": Readiness.RAISED}
    if holiday is not None and request.GET.get("holiday"):
        initial |= {"starts_at": holiday.starts_at, "ends_at": holiday.ends_at, "reason": holiday.name}
    form = BulkForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            periods = rescue.raise_in_bulk(request.user, data["region"], data["kinds"], data["level"],
                                           data["starts_at"], data["ends_at"], data["reason"])  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Raised %(n)d teams.") % {"n": len(periods)})
            return redirect("rescue:board")
    context = {"form": form, "holiday": holiday}
    return render(request, "emergency/rescue/raise.html", context, status=400 if form.errors else 200)
