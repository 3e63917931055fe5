"""The enterprise's check pages: the check of a point (what the risk notice card's QR code opens on a phone), the
list of checks, today's checks of one's enterprise, and missed and overdue checks per enterprise."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safety_platform.lib.errors import Conflict
from safety_platform.lib.pages import paginate

from . import checks
from .check_filters import CheckTaskFilterSet
from .choices import CheckStatus
from .models import CheckResult, CheckTask, RiskPoint

SALT = "risks.check.started"
# A page left open longer than this is started again: its start time no longer says how long the check took.
TOKEN_MAX_AGE = 12 * 3600


def start_token(task: CheckTask) -> str:
    """The signed moment the check page was opened for this task: the hollow flag measures from it."""
    return signing.dumps({"task": task.pk, "at": timezone.now().timestamp()}, salt=SALT)


def started_at(token: str, task: CheckTask) -> datetime | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("task") != task.pk:
        return None
    return datetime.fromtimestamp(data["at"], tz=timezone.get_current_timezone())


def _answers(request, controls) -> list[checks.Answer]:
    """Each control's radio (1 in place, 0 not), note and photos; a control left unanswered is left out (and
    record_check asks for it)."""
    answers = []
    for control in controls:
        value = request.POST.get(f"c{control.pk}-in_place", "")
        if value not in ("0", "1"):
            continue
        answers.append(checks.Answer(control=control.pk, in_place=value == "1",
                                     note=request.POST.get(f"c{control.pk}-note", "")[:2000],
                                     photos=tuple(request.FILES.getlist(f"c{control.pk}-photos"))))  # fmt: skip
    return answers


def _task_for(request, point: RiskPoint) -> CheckTask | None:
    tasks = CheckTask.objects.visible_to(request.user).filter(point=point)
    asked = request.GET.get("task", "")
    if asked.isascii() and asked.isdigit() and len(asked) < 19:
        return get_object_or_404(tasks, pk=int(asked))
    return checks.current_task(point.pk, qs=tasks)


@login_required
def check(request, pk: int):
    """The check of a point: its current open task's controls, each in place or not (a note; a photo where not).
    No open task: the page says so, with the last check done and the next one due (no unscheduled check)."""
    point = get_object_or_404(RiskPoint.objects.visible_to(request.user).select_related("enterprise"), pk=pk)
    task = _task_for(request, point)
    controls = list(point.controls.filter(is_active=True).order_by("position", "id"))
    context = {"point": point, "task": task, "controls": controls, "errors": {}, "posted": {}}
    status = 200
    if request.method == "POST" and task is not None:
        answers = _answers(request, controls)
        try:
            checks.record_check(request.user, task, answers, started_at(request.POST.get("started", ""), task))
        except ValidationError as exc:
            context["errors"], status = exc.message_dict, 400
            context["posted"] = {a.control: a for a in answers}
        except Conflict as exc:
            messages.error(request, str(exc))
            status = 409
        else:
            messages.success(request, _("The check is recorded."))
            return redirect(f"{reverse('risk_checks:check', args=[point.pk])}?task={task.pk}")
    context["rows"] = [(control, context["posted"].get(control.pk)) for control in controls]
    if task is not None:
        task.refresh_from_db()
        context["results"] = (
            CheckResult.objects.filter(task=task).select_related("control", "hazard").order_by("control__position")
            if task.status == CheckStatus.DONE else None
        )  # fmt: skip
        context["may_record"] = "record" in checks.can(request.user, task)
        context["token"] = start_token(task)
    else:
        context["last"] = point.check_tasks.filter(status=CheckStatus.DONE).order_by("-done_at").first()
        context["next"] = point.check_tasks.filter(status=CheckStatus.OPEN).order_by("period_start").first()
    return render(request, "risks/check.html", context, status=status)


@login_required
def check_list(request):
    queryset = CheckTask.objects.visible_to(request.user).select_related("point", "enterprise", "done_by")
    filterset = CheckTaskFilterSet(request.GET or None, queryset=queryset, request=request)
    context = {"filter": filterset, "page": None, "today": timezone.localdate()}
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "risks/check_list.html", context, status=400)
    context["page"] = paginate(request, filterset.qs)
    return render(request, "risks/check_list.html", context)


@login_required
def due_today(request):
    """One's enterprise's checks to do now: open, begun, the overdue first (by due day)."""
    today = timezone.localdate()
    tasks = (
        CheckTask.objects.visible_to(request.user)
        .filter(status=CheckStatus.OPEN, period_start__lte=today)
        .select_related("point", "enterprise")
        .order_by("due_on", "id")[:200]
    )
    return render(request, "risks/check_today.html", {"tasks": tasks, "today": today})


def overdue_counts(user, limit: int = 200):
    """Missed and overdue checks per enterprise in the user's scope (a supervising department sees its industries'
    enterprises), the most first: one grouped query."""
    today = timezone.localdate()
    overdue = Q(status=CheckStatus.OPEN, due_on__lt=today)
    return list(
        CheckTask.objects.visible_to(user)
        .filter(Q(status=CheckStatus.MISSED) | overdue)
        .values("enterprise_id", "enterprise__name")
        .annotate(missed=Count("id", filter=Q(status=CheckStatus.MISSED)), overdue=Count("id", filter=overdue))
        .order_by("-missed", "-overdue", "enterprise_id")[:limit]
    )


@login_required
def overdue(request):
    return render(request, "risks/check_overdue.html", {"rows": overdue_counts(request.user)})
