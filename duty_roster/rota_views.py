"""Rota pages: a post's month rota (phone-friendly) with the generate form, the hand edit of one shift, the shift
page with its duty log and handover, swap and substitution requests, and the holiday plans overview.

Every page starts from the posts the viewer answers for (`scope.visible_posts`) or the shifts they stand; the
state changes are `rota`'s, which checks who may do what.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from organizations.roles import is_city_office
from organizations.scope import visible_posts
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.query import EARLIEST, LATEST, whole_number, within_bounds
from workdays.models import SpecialDay

from . import plans, rota
from .forms import ChangeForm, GenerateForm, LogForm, ShiftForm
from .models import DutyShift, ShiftChange


def _post(user, pk):
    """A duty post the user answers for; any other (or a value that is not an id) is a 404."""
    return get_object_or_404(visible_posts(user).select_related("region", "department", "enterprise"), pk=_id(pk))


def _id(value) -> int:
    """A posted id; anything that is not a number finds nothing (404), never a server error."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _errors(exc: ValidationError) -> str:
    # Chinese sentences end in "。" and run on without a space; English ones need one.
    return "".join(m if m.endswith("。") else f"{m} " for m in exc.messages).strip()


@login_required
def rota_index(request):
    """The posts whose rota the viewer may see; with a single one, straight to its month."""
    posts = list(visible_posts(request.user).select_related("region", "department", "enterprise").order_by("title"))
    if len(posts) == 1:
        return redirect("duty_roster:rota", post=posts[0].pk)
    return render(request, "duty_roster/rota_index.html", {"posts": posts})


def _month(request) -> date:
    """`?month=YYYY-MM` between 2000 and 2100; anything else shows this month and says so (a page a person may
    reach by clicking "next" far enough, so a message rather than an error page)."""
    value = request.GET.get("month")
    if value:
        year, _dash, month = value.partition("-")
        year, month = whole_number(year, EARLIEST.year, LATEST.year), whole_number(month, 1, 12)
        if year is not None and month is not None:
            return date(year, month, 1)
        messages.warning(request, _("Invalid month %(value)s: choose one from 2000-01 to 2100-12.") % {"value": value})
    return timezone.localdate().replace(day=1)


@login_required
def rota_month(request, post: int):
    """One month of a post's rota, a row a day: leader, officers, holidays, what falls short; POST generates a
    period (planners only)."""
    post = _post(request.user, post)
    can_plan = rota.may_plan(request.user, post)
    first, conflict = _month(request), False
    # From today in the current month: days already over cannot be generated.
    start = max(first, min(timezone.localdate(), _month_end(first)))
    form = GenerateForm(request.POST or None, post=post, initial={"start": start, "end": _month_end(first)})
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = rota.generate(request.user, post, data["start"], data["end"], list(data["leaders"]),
                                       list(data["officers"]), per_day=data["per_day"])  # fmt: skip
            except ValidationError as exc:
                add_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, str(exc))
                conflict = True
            else:
                _generated(request, result)
                return redirect(f"{reverse('duty_roster:rota', args=[post.pk])}?month={data['start']:%Y-%m}")
    context = {"post": post, "can_plan": can_plan, "form": form, "first": first, "days": _days(post, first),
               "minimum": plans.minimum_officers(post), "previous": (first - timedelta(days=1)).replace(day=1),
               "next": (first + timedelta(days=32)).replace(day=1)}  # fmt: skip
    status = 409 if conflict else 400 if form.errors else 200
    return render(request, "duty_roster/rota_month.html", context, status=status)


def _month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _generated(request, result: rota.Generated) -> None:
    messages.success(request, _("Planned %(created)d shifts; %(kept)d days already planned were kept as they were.")
                     % {"created": len(result.created), "kept": len(result.kept)})  # fmt: skip
    if result.understaffed:
        messages.warning(request, _("Below the minimum staffing on %(days)s: add officers by hand.")
                         % {"days": plans.days_text(result.understaffed)})  # fmt: skip


def _days(post, first: date) -> list[dict]:
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    shifts = {
        s.date: s
        for s in DutyShift.objects.filter(post=post, date__range=(first, last))
        .select_related("leader").prefetch_related("officers")
    }  # fmt: skip
    special = {d.date: d for d in SpecialDay.objects.filter(date__range=(first, last))}
    minimum, now, days = plans.minimum_officers(post), timezone.now(), []
    for number in range(1, last.day + 1):
        day = first.replace(day=number)
        shift = shifts.get(day)
        officers = list(shift.officers.all()) if shift else []
        days.append({
            "date": day, "shift": shift, "officers": officers, "special": special.get(day),
            "rest": special[day].is_working_day is False if day in special else day.weekday() >= 5,
            "short": shift is not None and (len(officers) < minimum or shift.leader_id is None),
            "open": (shift.ends_at if shift else rota._start_of(day) + timedelta(days=1)) > now,
        })  # fmt: skip
    return days


@login_required
def shift_edit(request, post: int, day: str):
    """Hand edit of one day at a post (a new shift where the rota left the day empty): all or nothing."""
    post = _post(request.user, post)
    if not rota.may_plan(request.user, post):
        raise PermissionDenied
    day = _day(day)
    shift = DutyShift.objects.filter(post=post, date=day).select_related("leader").first()
    initial = {"leader": shift.leader, "officers": list(shift.officers.all())} if shift else {}
    form = ShiftForm(request.POST or None, post=post, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        people = (data["leader"], list(data["officers"] or []), data["reason"])
        try:
            if shift:
                rota.edit_shift(request.user, shift, *people)
            else:
                rota.add_shift(request.user, post, day, *people)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Shift of %(day)s saved.") % {"day": f"{day:%m-%d}"})
            return redirect(f"{reverse('duty_roster:rota', args=[post.pk])}?month={day:%Y-%m}")
    context = {"post": post, "day": day, "shift": shift, "form": form, "minimum": plans.minimum_officers(post)}
    return render(request, "duty_roster/shift_edit.html", context, status=400 if form.errors else 200)


def _day(value: str) -> date:
    """A day in a URL, YYYY-MM-DD between 2000 and 2100; any other finds nothing (404)."""
    try:
        day = date.fromisoformat(value)
        within_bounds(day)
    except (ValueError, ValidationError):
        raise Http404 from None
    return day


def _shift_for(user, pk: int) -> tuple[DutyShift, bool]:
    """The shift if the user stands it or answers for its post (else a 404), and whether they stand it."""
    shift = get_object_or_404(DutyShift.objects.select_related("post", "leader"), pk=pk)
    stands = shift.leader_id == user.pk or shift.officers.filter(pk=user.pk).exists()
    if not stands and not visible_posts(user).filter(pk=shift.post_id).exists():
        raise Http404
    return shift, stands


SHIFT_ACTIONS = {"hand_over": rota.hand_over, "take_over": rota.take_over}


def _shift_message(action: str, shift: DutyShift) -> str:
    """What the handover or takeover did and who is next: the next shift's leader, or the open items now one's own."""
    if action == "hand_over":
        following = DutyShift.objects.filter(post=shift.post, date__gt=shift.date).order_by("date")
        following = following.select_related("leader").first()
        carried = following.log.filter(carried_from__shift=shift).count() if following else 0
        return _(
            "Handed over: %(items)d open items carried to the shift of %(day)s; its leader on duty %(leader)s takes "
            "over."
        ) % {"items": carried, "day": f"{following.date:%m-%d}", "leader": following.leader or _("(none)")}
    open_items = shift.log.filter(open_item=True, closed_at__isnull=True).count()
    return _("Taken over: %(items)d open items are now your shift's to close.") % {"items": open_items}


@login_required
def shift_detail(request, pk: int):
    """A shift: who stands it, check-in, the duty log (open items, carried ones), handover and takeover."""
    shift, stands = _shift_for(request.user, pk)
    form = LogForm(request.POST if request.POST.get("action") == "log" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "log" and form.is_valid():
                rota.write_log(request.user, shift, form.cleaned_data["text"], form.cleaned_data["open_item"])
                messages.success(request, _("Written in the duty log."))
            elif action == "close_item":
                entry = get_object_or_404(shift.log, pk=_id(request.POST.get("entry")))
                rota.close_item(request.user, entry)
                messages.success(request, _("The item is closed."))
            elif action in SHIFT_ACTIONS:
                SHIFT_ACTIONS[action](request.user, shift)
                messages.success(request, _shift_message(action, shift))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        if not form.errors:
            return redirect("duty_roster:shift", pk=shift.pk)
    log = shift.log.select_related("author", "carried_from__shift")
    previous = DutyShift.objects.filter(post=shift.post, date__lt=shift.date).order_by("-date").first()
    checks = {c.person_id: c for c in shift.check_ins.all()}
    context = {"shift": shift, "stands": stands, "form": form, "log": log, "previous": previous,
               "officers": [(o, checks.get(o.pk)) for o in shift.officers.all()],
               "leader_check_in": checks.get(shift.leader_id), "can_plan": rota.may_plan(request.user, shift.post),
               "started": shift.starts_at <= timezone.now()}  # fmt: skip
    return render(request, "duty_roster/shift.html", context, status=400 if form.errors else 200)


@login_required
def change_ask(request, pk: int):
    """Ask for a swap (串班) or a substitution (代班) of a shift one stands."""
    shift = get_object_or_404(DutyShift.objects.of(request.user).select_related("post"), pk=pk)
    form = ChangeForm(request.POST or None, shift=shift, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rota.ask_change(request.user, data["kind"], shift, data["other"], data["reason"], data["other_shift"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Asked; %(leader)s decides (the leader on duty of the shift, or the city office).")
                % {"leader": shift.leader or _("the city office")},
            )
            return redirect("duty_roster:changes")
    return render(request, "duty_roster/change_form.html", {"shift": shift, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip


def _decided(change: ShiftChange) -> str:
    """Approved: who now stands the shift; rejected: who keeps it."""
    values = {"person": change.person, "other": change.other, "day": f"{change.shift.date:%m-%d}"}
    if change.state == ShiftChange.State.APPROVED:
        return _("Approved: %(other)s now stands %(person)s's shift of %(day)s.") % values
    return _("Rejected: %(person)s keeps the shift of %(day)s.") % values


def _decides_all(user) -> bool:
    return is_city_office(user)


@login_required
def change_list(request):
    """Requests waiting for the viewer's decision (the shift's leader on duty, or the city office), with approve and
    reject; and the viewer's own requests."""
    user = request.user
    if request.method == "POST":
        pending = ShiftChange.objects.filter(state=ShiftChange.State.PENDING)
        change = get_object_or_404(pending if _decides_all(user) else pending.filter(shift__leader=user),
                                   pk=_id(request.POST.get("change")))  # fmt: skip
        try:
            change = rota.decide(user, change, request.POST.get("decision") == "approve")
        except (Conflict, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _decided(change))
        return redirect("duty_roster:changes")
    related = ShiftChange.objects.select_related("shift__post", "other_shift", "person", "other", "decided_by")
    to_decide = related.filter(state=ShiftChange.State.PENDING).exclude(Q(person=user) | Q(other=user))
    to_decide = to_decide.order_by("created_at")
    if not _decides_all(user):
        to_decide = to_decide.filter(shift__leader=user)
    mine = related.filter(Q(person=user) | Q(other=user))[:20]
    return render(request, "duty_roster/changes.html", {"to_decide": to_decide[:100], "mine": mine})


@login_required
def plan_overview(request):
    """Holiday duty plans: for a chosen holiday period, every duty post the viewer answers for, submitted or not,
    and the days that fall short. Planners submit their post's plan here."""
    today = timezone.localdate()
    periods = plans.holiday_periods(today.year - 1, today.year, today.year + 1)
    period = _chosen_period(request, periods, today)
    if request.method == "POST":
        return _submit(request, period)
    rows = plans.plan_status(request.user, period.start, period.end) if period else []
    for row in rows:
        row.can_submit = rota.may_plan(request.user, row.post)
    summary = {"posts": len(rows), "submitted": sum(1 for r in rows if r.plan), "short": sum(1 for r in rows if r.gaps)}
    context = {"periods": periods, "period": period, "rows": rows, "summary": summary}
    return render(request, "duty_roster/plans.html", context)


def _chosen_period(request, periods: list[plans.Period], today: date) -> plans.Period | None:
    """`?period=` one of the official ones, or `?start=&end=&name=` any other; by default the next holiday.
    A chosen period that cannot be (a bad date, outside 2000–2100, over a month) falls back to it, with a message."""
    params = request.GET
    if params.get("start") and params.get("end"):
        try:
            start, end = _day(params["start"]), _day(params["end"])
        except Http404:
            start = end = None
        official = next((p for p in periods if (p.start, p.end) == (start, end)), None)
        if official:
            return official
        if start and end and start <= end <= start + timedelta(days=31):
            return plans.Period(params.get("name", "").strip()[:64] or _("Holiday"), start, end)
        messages.warning(
            request, _("A holiday period runs from its first to its last day (YYYY-MM-DD, 2000–2100), a month at most.")
        )
    chosen = plans.period_from_key(params.get("period", ""), periods)
    return chosen or next((p for p in periods if p.end >= today), periods[-1] if periods else None)


def _submit(request, period: plans.Period | None):
    post = _post(request.user, request.POST.get("post"))
    start, end = _day(request.POST.get("start", "")), _day(request.POST.get("end", ""))
    try:
        rota.submit_plan(request.user, post, request.POST.get("name", ""), start, end)
    except ValidationError as exc:
        messages.error(request, _("%(post)s: %(errors)s") % {"post": post.title, "errors": _errors(exc)})
    else:
        messages.success(request, _("%(post)s: holiday duty plan submitted to the city office.") % {"post": post})
    query = urlencode({"start": start, "end": end, "name": request.POST.get("name", "")})
    return redirect(f"{reverse('duty_roster:plans')}?{query}")
