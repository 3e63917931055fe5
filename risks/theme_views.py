"""Pages of the risk themes (phone-first): the themes in scope with their counts, the create and edit form, a theme's
page with publish and withdraw, its counts by region and the drill-down list of enterprises, and the enterprise's
themes to confirm with the confirm button. Every change calls `risks.themes`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.models import Department, Industry, Region
from organizations.roles import is_enterprise, is_government
from organizations.scope import Scope
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import LocalDateTimeField, add_errors
from safety_platform.lib.pages import paginate
from safety_platform.lib.query import MAX_ID

from . import themes
from .choices import ThemeKind, ThemeStatus
from .models import RiskTheme, ThemeConfirmation

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "input_formats": ["%Y-%m-%d"]}
STATES = ("overdue", "pending", "confirmed", "all")

# --- forms ---------------------------------------------------------------------------------------------------------


class ThemeForm(forms.Form):
    kind = forms.ChoiceField(choices=ThemeKind.choices, label=gettext_lazy("kind"))
    title = forms.CharField(max_length=120, label=gettext_lazy("title"),
                            help_text=gettext_lazy("e.g. 国庆假期风险"))  # fmt: skip
    starts_on = forms.DateField(label=gettext_lazy("from"), **DATE)
    ends_on = forms.DateField(label=gettext_lazy("to"), **DATE)
    confirm_by = LocalDateTimeField(label=gettext_lazy("confirm by"))
    required_controls = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                                        label=gettext_lazy("controls required"))  # fmt: skip
    description = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  label=gettext_lazy("description"))  # fmt: skip

    def __init__(self, *args, user, department: Department | None, **kwargs):
        super().__init__(*args, **kwargs)
        region = forms.ModelChoiceField(queryset=Region.objects.visible_to(user).order_by("path"),
                                        label=gettext_lazy("region"))  # fmt: skip
        region.label_from_instance = lambda r: r.indented_name
        industries = Industry.objects.order_by("code")
        if department is not None:
            industries = industries.filter(pk__in=sorted(Scope.for_user(user).reference.supervised_by(department)))
        help_text = (gettext_lazy("None ticked: every industry your department supervises.") if department
                     else gettext_lazy("None ticked: every industry in the region."))  # fmt: skip
        self.fields["region"] = region
        self.fields["industries"] = forms.ModelMultipleChoiceField(
            queryset=industries, required=False, widget=forms.CheckboxSelectMultiple,
            label=gettext_lazy("industries"), help_text=help_text,
        )  # fmt: skip
        self.order_fields(["kind", "title", "region", "industries", "starts_on", "ends_on", "confirm_by"])


class ConfirmForm(forms.Form):
    note = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           label=gettext_lazy("note (optional)"))  # fmt: skip


# --- pages ---------------------------------------------------------------------------------------------------------


def _government(user) -> None:
    if not is_government(user):
        raise PermissionDenied


@login_required
def theme_list(request):
    """The themes in scope, newest period first, each with its counts in the viewer's scope; `?kind=`, `?status=`."""
    if is_enterprise(request.user):
        return redirect("risk_themes:mine")
    _government(request.user)
    found = themes.visible_themes(request.user).select_related("region")
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    if kind in ThemeKind.values:
        found = found.filter(kind=kind)
    if status in ThemeStatus.values:
        found = found.filter(status=status)
    page = paginate(request, found)
    figures = themes.counts(request.user, page.items)
    for theme in page.items:
        theme.figures = figures[theme.pk]
    context = {"page": page, "kinds": ThemeKind.choices, "statuses": ThemeStatus.choices, "kind": kind,
               "status": status, "may_create": themes.may_create(request.user)}  # fmt: skip
    return render(request, "risks/themes/list.html", context)


@login_required
def theme_new(request):
    if not themes.may_create(request.user):
        raise PermissionDenied
    department = themes._department_of(request.user)
    home = department.region if department is not None else request.user.region
    form = ThemeForm(request.POST or None, user=request.user, department=department,
                     initial={"region": home.pk if home else None})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            theme = themes.create(request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Check it, then publish it."))
            return redirect("risk_themes:detail", pk=theme.pk)
    return _form_page(request, form, _("New risk theme"))


def _form_page(request, form, title: str, theme: RiskTheme | None = None):
    context = {"form": form, "title": title, "theme": theme}
    return render(request, "risks/themes/form.html", context, status=400 if form.errors else 200)


@login_required
def theme_edit(request, pk: int):
    theme = get_object_or_404(themes.visible_themes(request.user).select_related("department__region"), pk=pk)
    if "edit" not in themes.can(request.user, theme):
        raise PermissionDenied
    initial = {name: getattr(theme, name) for name in themes.EDITABLE if name != "industries"}
    initial["industries"] = list(theme.industries.all())
    form = ThemeForm(request.POST or None, user=request.user, department=theme.department, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            themes.edit(request.user, theme.pk, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("risk_themes:detail", pk=theme.pk)
    return _form_page(request, form, _("Change the risk theme"), theme)


def _region(request, theme: RiskTheme) -> Region:
    """The region the counts break down: `?region=` within the theme's region and the viewer's scope; by default the
    theme's region, or the viewer's own where it lies inside it (a district looking at a city theme)."""
    raw = request.GET.get("region", "")
    visible = Region.objects.visible_to(request.user).filter(path__startswith=theme.region_path)
    if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID:
        chosen = visible.filter(pk=int(raw)).first()
        if chosen is not None:
            return chosen
    own = request.user.region if request.user.region_id else None
    if own is not None and own.path.startswith(theme.region_path):
        return own
    return theme.region


@login_required
def theme_detail(request, pk: int):
    """A theme: its particulars and actions (POST `do` = publish, withdraw), its confirmations in the viewer's scope
    by region (`?region=` drills down), and the enterprises of a state (`?state=` overdue, pending, confirmed)."""
    if is_enterprise(request.user):
        return redirect("risk_themes:confirm", pk=pk)
    _government(request.user)
    theme = get_object_or_404(themes.visible_themes(request.user).select_related("region", "department", "created_by"),
                              pk=pk)  # fmt: skip
    if request.method == "POST":
        _theme_action(request, theme)
        return redirect("risk_themes:detail", pk=theme.pk)
    now = timezone.now()
    under = _region(request, theme)
    state = request.GET.get("state", "")
    if state not in STATES:
        state = "overdue" if theme.confirm_by <= now else "pending"
    rows = ThemeConfirmation.objects.visible_to(request.user).filter(theme=theme, region_path__startswith=under.path)
    if state in ("overdue", "pending"):
        rows = rows.filter(confirmed_at__isnull=True)
        if (state == "overdue") != (theme.confirm_by <= now):
            rows = rows.none()
    elif state == "confirmed":
        rows = rows.filter(confirmed_at__isnull=False)
    context = {
        "theme": theme, "allowed": themes.can(request.user, theme), "now": now, "under": under,
        "figures": themes.counts(request.user, [theme], now)[theme.pk],
        "by_region": themes.counts_by_region(request.user, theme, under, now),
        "industries": list(theme.industries.order_by("code")), "state": state, "states": _state_labels(),
        "page": paginate(request, rows.select_related("enterprise", "industry", "confirmed_by")),
        "overdue": theme.confirm_by <= now,
    }  # fmt: skip
    return render(request, "risks/themes/detail.html", context)


def _state_labels() -> list[tuple[str, str]]:
    return [("overdue", _("Overdue")), ("pending", _("Not confirmed yet")), ("confirmed", _("Confirmed")),
            ("all", _("All"))]  # fmt: skip


def _theme_action(request, theme: RiskTheme) -> None:
    action = request.POST.get("do", "")
    try:
        if action == "publish":
            themes.publish(request.user, theme.pk)
            count = theme.confirmations.count()
            messages.success(request, _("Published to %(n)d enterprises.") % {"n": count})
        elif action == "withdraw":
            themes.withdraw(request.user, theme.pk, request.POST.get("reason", ""))
            messages.success(request, _("Withdrawn."))
        else:
            raise PermissionDenied
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    except Conflict as exc:
        messages.error(request, str(exc))


@login_required
def my_themes(request):
    """The enterprise's themes: to confirm first (soonest confirm-by first), then those confirmed."""
    if not is_enterprise(request.user):
        raise PermissionDenied
    rows = (
        ThemeConfirmation.objects.visible_to(request.user)
        .filter(theme__status=ThemeStatus.PUBLISHED)
        .select_related("theme", "confirmed_by")
        .order_by("-theme__ends_on", "-pk")
    )
    rows = list(rows[:100])
    context = {"open": [r for r in rows if r.confirmed_at is None], "done": [r for r in rows if r.confirmed_at],
               "now": timezone.now(), "form": ConfirmForm()}  # fmt: skip
    context["open"].sort(key=lambda r: r.theme.confirm_by)
    return render(request, "risks/themes/mine.html", context)


@login_required
def theme_confirm(request, pk: int):
    """The theme as the enterprise sees it, with its confirm button (the notice links here)."""
    if not is_enterprise(request.user):
        return redirect("risk_themes:detail", pk=pk)
    row = get_object_or_404(
        ThemeConfirmation.objects.visible_to(request.user).select_related("theme", "theme__region", "confirmed_by"),
        theme_id=pk, enterprise_id=request.user.enterprise_id,
    )  # fmt: skip
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            themes.confirm(request.user, pk, form.cleaned_data["note"])
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("risk_themes:confirm", pk=pk)
        else:
            messages.success(request, _("Confirmed. Thank you."))
            return redirect("risk_themes:mine")
    context = {"row": row, "theme": row.theme, "form": form, "allowed": themes.can(request.user, row),
               "now": timezone.now()}  # fmt: skip
    return render(request, "risks/themes/confirm.html", context, status=400 if form.errors else 200)
