"""Incident pages: the list (late reports marked), the report form (phone-friendly), one incident with its
supplements, response steps, reporting chain and flags, and the forms to record them (one POST per action)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from organizations.models import Enterprise, Region
from organizations.roles import is_city_office
from organizations.scope import visible_posts
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import LocalDateTimeField, add_errors
from safety_platform.lib.pages import paginate

from . import failures, incidents, rollcall, rota
from .choices import IncidentKind
from .models import (
    DutyCheckIn,
    DutyShift,
    IncidentFlag,
    IncidentRelay,
    IncidentReport,
    IncidentStep,
    RollCall,
    ShiftChange,
)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(choices=IncidentKind.choices, label=gettext_lazy("kind"))
    enterprise = forms.ModelChoiceField(
        queryset=Enterprise.objects.none(), required=False, label=gettext_lazy("enterprise")
    )
    region = forms.ModelChoiceField(queryset=Region.objects.none(), required=False, label=gettext_lazy("region"))
    place = forms.CharField(max_length=200, label=gettext_lazy("place"))
    occurred_at = LocalDateTimeField(label=gettext_lazy("time of occurrence"))
    known_at = LocalDateTimeField(label=gettext_lazy("time known"))
    deaths = forms.IntegerField(min_value=0, initial=0, label=gettext_lazy("deaths"))
    serious_injuries = forms.IntegerField(min_value=0, initial=0, label=gettext_lazy("serious injuries"))
    missing = forms.IntegerField(min_value=0, initial=0, label=gettext_lazy("missing"))
    direct_loss = forms.DecimalField(min_value=0, initial=0, max_digits=14, decimal_places=2,
                                     label=gettext_lazy("direct economic loss (CNY)"))  # fmt: skip
    course = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("brief course")
    )
    measures = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               label=gettext_lazy("measures taken"))  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")
        self.fields["region"].queryset = Region.objects.visible_to(user)
        self.fields["region"].label_from_instance = lambda region: region.indented_name


class StepForm(forms.Form):
    kind = forms.ChoiceField(choices=IncidentStep.Kind.choices, label=gettext_lazy("step"))
    at = LocalDateTimeField(required=False, label=gettext_lazy("at (empty: now)"))
    note = forms.CharField(max_length=500, required=False, label=gettext_lazy("note"))


class FollowUpForm(forms.Form):
    deaths = forms.IntegerField(min_value=0, max_value=100000, label=gettext_lazy("deaths"))
    serious_injuries = forms.IntegerField(min_value=0, max_value=100000, label=gettext_lazy("serious injuries"))
    missing = forms.IntegerField(min_value=0, max_value=100000, label=gettext_lazy("missing"))
    direct_loss = forms.DecimalField(min_value=0, max_digits=14, decimal_places=2,
                                     label=gettext_lazy("direct economic loss (CNY)"))  # fmt: skip
    measures = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               label=gettext_lazy("progress and measures"))  # fmt: skip


class FlagForm(forms.Form):
    kind = forms.ChoiceField(choices=IncidentFlag.Kind.choices, label=gettext_lazy("finding"))
    note = forms.CharField(max_length=500, label=gettext_lazy("what was found"))


@login_required
def incident_list(request):
    closed = IncidentStep.objects.filter(incident=OuterRef("pk"), kind=IncidentStep.Kind.CLOSED)
    queryset = (
        IncidentReport.objects.visible_to(request.user)
        .filter(first_report=None)
        .select_related("enterprise")
        .annotate(is_closed=Exists(closed))
    )
    return render(request, "duty_roster/incidents.html", {"page": paginate(request, queryset)})


@login_required
def incident_new(request):
    form = ReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            incident = incidents.report(request.user, incidents.Facts(**form.cleaned_data))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Reported. The city office's duty has been told."))
            return redirect("duty_roster:incident", pk=incident.pk)
    return render(request, "duty_roster/incident_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def incident_detail(request, pk: int):
    incident = get_object_or_404(IncidentReport.objects.visible_to(request.user).filter(first_report=None), pk=pk)
    supplements = list(incident.supplements.order_by("reported_at"))
    latest = supplements[-1] if supplements else incident
    forms_ = {
        "step": StepForm(prefix="step"),
        "followup": FollowUpForm(prefix="followup", initial={
            k: getattr(latest, k) for k in ("deaths", "serious_injuries", "missing", "direct_loss")}),
        "flag": FlagForm(prefix="flag"),
    }  # fmt: skip
    if request.method == "POST":
        done = _incident_action(request, incident, forms_)
        if done:
            messages.success(request, done)
            return redirect("duty_roster:incident", pk=incident.pk)
    steps = list(incident.steps.select_related("by"))
    closed = any(s.kind == IncidentStep.Kind.CLOSED for s in steps)
    if not forms_["step"].is_bound:  # offer the steps not yet recorded
        taken = {s.kind for s in steps}
        forms_["step"].fields["kind"].choices = [c for c in IncidentStep.Kind.choices if c[0] not in taken]
    relays = list(incident.relays.select_related("post", "received_by", "forwarded_by"))
    for row in relays:
        row.may_act = incidents.may_relay(request.user, row)
    now = timezone.now()
    context = {
        "incident": incident, "supplements": supplements, "steps": steps, "closed": closed, "relays": relays,
        "flags": list(incident.flags.select_related("recorded_by")), "forms": forms_,
        "may_flag": is_city_office(request.user), "next_followup": incidents.next_followup(incident, now),
        "missed_followups": incidents.missed_followups(incident, now, now - timedelta(days=1)),
    }  # fmt: skip
    status = 400 if any(f.errors for f in forms_.values()) else 200
    return render(request, "duty_roster/incident.html", context, status=status)


def _incident_action(request, incident: IncidentReport, forms_: dict) -> str:
    """One POST action (`do`: step, relay, followup, flag) through its workflow function; the success message, or
    "" with the errors put on the form (or as a message for the chain's buttons)."""
    action = request.POST.get("do", "")
    if action == "relay":
        level, what = request.POST.get("level", ""), request.POST.get("action", "")
        if level not in IncidentRelay.Level.values:
            raise Http404
        try:
            incidents.relay(request.user, incident.pk, level, what)
        except (ValidationError, Conflict) as exc:
            messages.error(request, "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
            return ""
        return _("Receipt recorded.") if what == "receive" else _("Forwarding recorded.")
    if action not in forms_:
        raise Http404
    form = forms_[action] = type(forms_[action])(request.POST, prefix=action)
    if not form.is_valid():
        return ""
    data = form.cleaned_data
    try:
        if action == "step":
            incidents.record_step(request.user, incident.pk, data["kind"], data["at"], data["note"])
            return _("Step recorded.")
        if action == "flag":
            incidents.flag(request.user, incident.pk, data["kind"], data["note"])
            return _("Recorded.")
        changes = {k: v for k, v in data.items() if k != "measures" or v}
        incidents.supplement(request.user, incident.pk, changes)
        return _("Follow-up report sent.")
    except ValidationError as exc:
        add_errors(form, exc)
    except Conflict as exc:
        form.add_error(None, str(exc))
    return ""


def _city_office(user) -> None:
    if not is_city_office(user):
        raise PermissionDenied


@login_required
def roll_calls(request):
    """The roll-call console: choose duty posts (or only their leaders on duty), call, and see the latest calls."""
    _city_office(request.user)
    posts = rollcall.duty_posts().select_related("region", "department", "enterprise")
    if request.method == "POST":
        chosen = posts.filter(pk__in=request.POST.getlist("positions"))
        message = request.POST.get("message", "")[:200] or _("Roll call")
        try:
            roll = rollcall.call(request.user, chosen, message, leaders_only=bool(request.POST.get("leaders_only")))
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            flagged = rollcall.flagged_posts(roll)
            if flagged:
                titles = pgettext("list separator", ", ").join(t.post.title for t in flagged)
                messages.warning(request, _("Nobody could be reached at %(count)d of the posts called: %(posts)s.")
                                 % {"count": len(flagged), "posts": titles})  # fmt: skip
            return redirect("duty_roster:roll-call", pk=roll.pk)
    recent = RollCall.objects.visible_to(request.user)[:20]
    return render(request, "duty_roster/roll_calls.html", {"posts": posts, "recent": recent})


@login_required
def roll_call(request, pk: int):
    """One roll call's report: the city office's whole call, or a unit's own posts in it (the notices' link)."""
    roll = get_object_or_404(RollCall.objects.visible_to(request.user), pk=pk)
    posts = None if is_city_office(request.user) else visible_posts(request.user)
    rows = rollcall.report(roll, posts)
    flagged = [r for r in rows if r.flagged]
    return render(request, "duty_roster/roll_call.html", {"roll": roll, "rows": rows, "flagged": flagged})


@login_required
def my_duty(request):
    """Today's and the next duties, each with who has checked in and the viewer's own check-in: the duty screen's
    code (filled in when its QR code opened the page, `?post=&code=`), the phone's location, or neither."""
    today = timezone.localdate()
    shifts = (
        DutyShift.objects.of(request.user).filter(date__gte=today - timedelta(days=1)).select_related("post", "leader")
        .prefetch_related(Prefetch("check_ins", DutyCheckIn.objects.select_related("person")))
    )  # fmt: skip
    if request.method == "POST":
        _check_in(request)
        return redirect("duty_roster:my-duty")
    now = timezone.now()
    shifts = list(shifts[:14])
    scanned = request.GET.get("post", ""), request.GET.get("code", "")[:12]
    for shift in shifts:  # the form only while check-in is possible and one's own is not yet proven
        checks = list(shift.check_ins.all())
        shift.mine = next((c for c in checks if c.person_id == request.user.pk), None)
        shift.leader_check_in = next((c for c in checks if c.person_id == shift.leader_id), None)
        shift.can_check_in = (shift.mine is None or not shift.mine.verified) and (
            shift.starts_at - timedelta(minutes=30) <= now <= shift.ends_at
        )
        shift.scanned_code = scanned[1] if scanned[0] == str(shift.post_id) else ""
        shift.started = shift.starts_at <= now
    pending = ShiftChange.objects.filter(state=ShiftChange.State.PENDING, shift__leader=request.user).count()
    return render(request, "duty_roster/my_duty.html", {"shifts": shifts, "now": now, "pending": pending})


def _check_in(request) -> None:
    """Check the viewer in with what the form sends, and say what counted as proof."""
    data = request.POST
    try:
        mine = rota.check_in(request.user, int(data.get("shift", 0) or 0), data.get("location", ""),
                             data.get("code", ""), data.get("via") == "qr", data.get("latitude"),
                             data.get("longitude"))  # fmt: skip
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return
    shift = mine.shift
    values = {"time": f"{timezone.localtime(mine.at):%H:%M}", "post": shift.post, "day": f"{shift.date:%m-%d}",
              "leader": shift.leader or _("(none)"), "proof": mine.get_proof_display()}  # fmt: skip
    if mine.verified:
        messages.success(request, _("Checked in at %(time)s for %(post)s, %(day)s (proof: %(proof)s); the leader on "
                                    "duty is %(leader)s.") % values)  # fmt: skip
    else:
        messages.warning(request, _("Checked in at %(time)s for %(post)s, %(day)s, but unverified: presence at the "
                                    "post is not proven (%(proof)s). Enter the code on the duty screen to prove it.")
                         % values)  # fmt: skip


@login_required
def my_ics(request):
    shifts = DutyShift.objects.of(request.user).select_related("post")
    response = HttpResponse(rota.ics(request.user, shifts), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="duty.ics"'
    return response


@login_required
def failures_page(request):
    """The four failures per duty post, for the last 30 days or a chosen period."""
    from rest_framework.exceptions import ValidationError as ApiValidationError

    from .api import failure_period

    try:
        start, end = failure_period(request.GET)
    except ApiValidationError as exc:
        for field_messages in exc.detail.values():
            messages.warning(request, " ".join(str(m) for m in field_messages))
        start, end = failure_period({})
    rows = failures.four_failures(request.user, start, end)
    return render(request, "duty_roster/failures.html", {"rows": rows, "start": start, "end": end})


@login_required
def duty_board(request):
    """Who is on duty now at every post the viewer answers for, with phones and each person's check-in; a post whose
    leader on duty has not checked in stands out."""
    now = timezone.now()
    posts = visible_posts(request.user).select_related("region", "department", "enterprise").order_by("title")
    current = {
        s.post_id: s
        for s in DutyShift.objects.filter(post__in=posts, starts_at__lte=now, ends_at__gt=now)
        .select_related("leader").prefetch_related("officers", "check_ins")
    }  # fmt: skip
    rows = [{"post": p, "shift": current.get(p.pk), "phone": _duty_phone(p)} for p in posts]
    for row in rows:
        if row["shift"]:
            checks = {c.person_id: c for c in row["shift"].check_ins.all()}
            row["leader_check_in"] = checks.get(row["shift"].leader_id)
            row["officers"] = [(o, checks.get(o.pk)) for o in row["shift"].officers.all()]
    return render(request, "duty_roster/board.html", {"rows": rows, "now": now})


def _duty_phone(post) -> str:
    if post.department_id:
        return post.department.duty_phone
    if post.enterprise_id:
        return post.enterprise.safety_manager_phone or post.enterprise.principal_phone
    return ""
