"""Pages of the enterprise's comparison self-check (phone-first) and the department's spot checks: my tasks, a
task (the lesson, the accident in brief, start or continue, the hazards found), the spot checks of a lesson (choose a
sample, a verdict for each chosen one, the hollow ones) and the hazards filed from a lesson's self-checks. Every
change calls `accidents.selfchecks`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors

from . import selfchecks
from .choices import LessonStatus
from .models import Lesson
from .states import state_of


class SampleForm(forms.Form):
    percent = forms.IntegerField(min_value=1, max_value=100, label=gettext_lazy("share to spot-check (%)"))


class SpotCheckForm(forms.Form):
    hollow = forms.TypedChoiceField(
        choices=[("0", gettext_lazy("Done properly")), ("1", gettext_lazy("Hollow"))],
        coerce=lambda v: v == "1", widget=forms.RadioSelect, label=gettext_lazy("verdict"),
    )  # fmt: skip
    note = forms.CharField(max_length=selfchecks.NOTE_LENGTH, required=False, label=gettext_lazy("note"),
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


def _with_state(tasks, now):
    for task in tasks:
        task.state = state_of(task.completed_at, task.inspection_id is not None, task.lesson.deadline, now)
    return tasks


@login_required
def my_tasks(request):
    """The enterprise's comparison self-checks: those to do first (the nearest deadline first), then those done or
    of a withdrawn lesson."""
    now = timezone.now()
    tasks = _with_state(list(selfchecks.my_tasks(request.user)[:200]), now)
    to_do = [t for t in tasks if t.completed_at is None and t.lesson.status == LessonStatus.PUBLISHED]
    context = {"open": to_do, "done": [t for t in tasks if t not in to_do], "now": now}
    context["open"].sort(key=lambda t: (t.lesson.deadline, t.pk))
    return render(request, "accidents/task_mine.html", context)


def _task(request, pk: int):
    queryset = selfchecks.visible_tasks(request.user).select_related(
        "lesson", "lesson__accident", "lesson__version__template", "enterprise", "inspection", "spot_checked_by"
    )
    return get_object_or_404(queryset, pk=pk)


@login_required
def task_detail(request, pk: int):
    task = _task(request, pk)
    now = timezone.now()
    task.state = state_of(task.completed_at, task.inspection_id is not None, task.lesson.deadline, now)
    hazards = []
    if task.inspection_id:
        hazards = list(
            selfchecks.lesson_hazards(request.user, task.lesson_id).filter(
                inspection_answer__inspection=task.inspection
            )
        )
    context = {"task": task, "lesson": task.lesson, "accident": task.lesson.accident, "hazards": hazards,
               "allowed": selfchecks.can(request.user, task), "now": now}  # fmt: skip
    return render(request, "accidents/task_detail.html", context)


@login_required
@require_POST
def task_start(request, pk: int):
    """Start (or continue) the self-check: on to the inspection's answer form, first section."""
    try:
        inspection = selfchecks.start(request.user, pk)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("lesson_tasks:task", pk=pk)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
        return redirect("lesson_tasks:task", pk=pk)
    return redirect("inspections:fill", pk=inspection.pk, section=1)


def _lesson(request, pk: int) -> Lesson:
    return get_object_or_404(Lesson.objects.visible_to(request.user).select_related("accident"), pk=pk)


@login_required
def spot_checks(request, pk: int):
    """A lesson's spot checks: choose a sample of the completed self-checks in scope; record a verdict for each
    chosen one; the hollow ones listed."""
    selfchecks.require_spot_checker(request.user)
    lesson = _lesson(request, pk)
    allowed = selfchecks.can(request.user, lesson)
    sample_form = SampleForm(initial={"percent": settings.ACCIDENT_SPOT_CHECK_PERCENT})
    bound_task, bound_form, status = None, None, 200
    if request.method == "POST" and request.POST.get("action") == "sample":
        sample_form = SampleForm(request.POST)
        if sample_form.is_valid():
            try:
                chosen = selfchecks.choose_sample(request.user, lesson.pk, sample_form.cleaned_data["percent"])
            except ValidationError as exc:
                add_errors(sample_form, exc)
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect("lesson_tasks:spot-checks", pk=pk)
            else:
                messages.success(request, _("%(count)d self-checks chosen for a spot check.") % {"count": chosen})
                return redirect("lesson_tasks:spot-checks", pk=pk)
        status = 400
    elif request.method == "POST" and request.POST.get("action") == "verdict":
        bound_task = request.POST.get("task", "")
        bound_form = SpotCheckForm(request.POST, prefix=f"t{bound_task}")
        if bound_task.isdigit() and bound_form.is_valid():
            task = get_object_or_404(selfchecks.chosen_tasks(request.user, lesson), pk=int(bound_task))
            try:
                selfchecks.spot_check(request.user, task, hollow=bound_form.cleaned_data["hollow"],
                                      note=bound_form.cleaned_data["note"])  # fmt: skip
            except ValidationError as exc:
                add_errors(bound_form, exc)
            except Conflict as exc:
                messages.error(request, str(exc))
                return redirect("lesson_tasks:spot-checks", pk=pk)
            else:
                messages.success(request, _("Spot check recorded."))
                return redirect("lesson_tasks:spot-checks", pk=pk)
        status = 400
    chosen = list(selfchecks.chosen_tasks(request.user, lesson)[:200])
    for task in chosen:
        task.allowed = selfchecks.can(request.user, task)
        if task.allowed and str(task.pk) == bound_task:
            task.form = bound_form
        elif task.allowed:
            task.form = SpotCheckForm(prefix=f"t{task.pk}")
    context = {"lesson": lesson, "allowed": allowed, "sample_form": sample_form, "chosen": chosen,
               "hollow": list(selfchecks.hollow_tasks(request.user, lesson)[:200]),
               "hollow_count": selfchecks.hollow_count(request.user, lesson)}  # fmt: skip
    return render(request, "accidents/task_spot_checks.html", context, status=status)


@login_required
def lesson_hazards(request, pk: int):
    lesson = _lesson(request, pk)
    hazards = list(selfchecks.lesson_hazards(request.user, lesson)[:500])
    return render(request, "accidents/task_hazards.html", {"lesson": lesson, "hazards": hazards})
