"""Pages of the lessons: the lessons in scope with each one's done/total, the draft form (from an accident), a
lesson's page with its completion board by department and by region and its actions, its task list (the board's
links), and the look-back form. Every change calls `accidents.lessons`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from inspections.models import ChecklistVersion
from organizations.models import Department, Industry, Region
from organizations.roles import is_government
from organizations.scope import Scope
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import LocalDateTimeField, add_errors
from safety_platform.lib.pages import paginate
from safety_platform.lib.query import MAX_ID

from . import circulars, lessons, selfchecks
from .choices import LessonStatus, TaskState
from .models import Accident, Lesson

# --- forms ---------------------------------------------------------------------------------------------------------


class LessonForm(forms.Form):
    title = forms.CharField(max_length=120, label=gettext_lazy("title"))
    lesson = forms.CharField(
        max_length=10000, widget=forms.Textarea(attrs={"rows": 5}), label=gettext_lazy("the lesson"),
        help_text=gettext_lazy("What happened, why, and what every enterprise of this kind must check."),
    )  # fmt: skip
    deadline = LocalDateTimeField(label=gettext_lazy("self-check by"))
    key_units_only = forms.BooleanField(required=False, label=gettext_lazy("key units only"))
    like_this_one = forms.BooleanField(
        required=False, label=gettext_lazy("enterprises like this one"),
        help_text=gettext_lazy("The accident's industry; among enterprises with risk points, those with a point that "
                               "could cause this type of accident."),
    )  # fmt: skip
    version = forms.ModelChoiceField(queryset=ChecklistVersion.objects.none(), required=False,
                                     label=gettext_lazy("checklist"))  # fmt: skip
    items = forms.CharField(
        required=False, max_length=50000, widget=forms.Textarea(attrs={"rows": 5}), label=gettext_lazy("or items"),
        help_text=gettext_lazy("One per line: 检查内容 | 依据"),
    )  # fmt: skip

    def __init__(self, *args, user, department: Department | None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = forms.ModelMultipleChoiceField(
            queryset=Region.objects.visible_to(user).order_by("path"), required=False,
            label=gettext_lazy("regions (with all below)"),
            help_text=gettext_lazy("None chosen: your whole territory."),
        )  # fmt: skip
        regions.label_from_instance = lambda r: r.indented_name
        industries = Industry.objects.order_by("code")
        if department is not None:
            industries = industries.filter(pk__in=sorted(Scope.for_user(user).reference.supervised_by(department)))
        self.fields["regions"] = regions
        self.fields["industries"] = forms.ModelMultipleChoiceField(
            queryset=industries, required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("industries"),
            help_text=(gettext_lazy("None ticked: every industry your department supervises.") if department
                       else gettext_lazy("None ticked: every industry.")),
        )  # fmt: skip
        version = self.fields["version"]
        version.queryset = ChecklistVersion.objects.select_related("template").order_by("template__name", "-number")
        version.label_from_instance = lambda v: f"{v.template.name} v{v.number}"
        self.order_fields(["title", "lesson", "regions", "industries", "key_units_only", "like_this_one", "version",
                           "items", "deadline"])  # fmt: skip

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["items"] = lessons.parse_items(data.pop("items", ""))
        data["regions"] = list(data["regions"])
        data["industries"] = list(data["industries"])
        return data


class LookBackForm(forms.Form):
    title = forms.CharField(max_length=120, required=False, label=gettext_lazy("title"),
                            help_text=gettext_lazy("Empty: 回头看 and the lesson's title."))  # fmt: skip
    deadline = LocalDateTimeField(label=gettext_lazy("self-check by"))


# --- pages ---------------------------------------------------------------------------------------------------------


def _government(user) -> None:
    if not is_government(user):
        raise PermissionDenied


def _lesson(request, pk: int) -> Lesson:
    related = ("region", "department", "created_by", "accident__industry", "version__template", "look_back_of")
    found = lessons.visible_lessons(request.user).select_related(*related)
    return get_object_or_404(found, pk=pk)


@login_required
def lesson_list(request):
    """The lessons in scope, newest first, each with its tasks done and in all (in the viewer's scope)."""
    _government(request.user)
    found = lessons.visible_lessons(request.user).select_related("accident", "region")
    status = request.GET.get("status", "")
    if status in LessonStatus.values:
        found = found.filter(status=status)
    page = paginate(request, found)
    figures = lessons.done_counts(request.user, page.items)
    for lesson in page.items:
        lesson.done, lesson.total = figures[lesson.pk]
    context = {"page": page, "statuses": LessonStatus.choices, "status": status,
               "may_create": lessons.may_create(request.user)}  # fmt: skip
    return render(request, "accidents/lesson_list.html", context)


def _form_page(request, form, title: str, lesson: Lesson | None = None, accident: Accident | None = None):
    context = {"form": form, "title": title, "lesson": lesson, "accident": accident}
    return render(request, "accidents/lesson_form.html", context, status=400 if form.errors else 200)


@login_required
def lesson_new(request):
    """A draft from the accident `?accident=<pk>` (one the viewer can see)."""
    if not lessons.may_create(request.user):
        raise PermissionDenied
    raw = request.GET.get("accident", "")
    if not (raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID):
        messages.error(request, _("Choose the accident to draw the lesson from."))
        return redirect("lessons:list")
    accident = get_object_or_404(Accident.objects.visible_to(request.user), pk=int(raw))
    department = lessons._department_of(request.user)
    form = LessonForm(request.POST or None, user=request.user, department=department,
                      initial={"title": _("Learn from %(title)s") % {"title": accident.title}})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            lesson = lessons.create(request.user, accident, **form.values())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Check it, then publish it."))
            return redirect("lessons:detail", pk=lesson.pk)
    return _form_page(request, form, _("New lesson"), accident=accident)


@login_required
def lesson_edit(request, pk: int):
    lesson = _lesson(request, pk)
    if "edit" not in lessons.can(request.user, lesson):
        raise PermissionDenied
    initial = {name: getattr(lesson, name) for name in ("title", "lesson", "deadline", "key_units_only",
                                                         "like_this_one", "version")}  # fmt: skip
    initial |= {"regions": list(lesson.regions.all()), "industries": list(lesson.industries.all())}
    form = LessonForm(request.POST or None, user=request.user, department=lesson.department, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            values = form.values()
            if not values["items"]:
                values.pop("items")
            lessons.edit(request.user, lesson.pk, values)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("lessons:detail", pk=lesson.pk)
    return _form_page(request, form, _("Change the lesson"), lesson, lesson.accident)


def _region(request, lesson: Lesson) -> Region:
    """The region the board breaks down (`?region=` within the lesson's region and the viewer's scope); by default
    the lesson's, or the viewer's own where it lies inside it."""
    raw = request.GET.get("region", "")
    visible = Region.objects.visible_to(request.user).filter(path__startswith=lesson.region_path)
    if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID:
        chosen = visible.filter(pk=int(raw)).first()
        if chosen is not None:
            return chosen
    own = request.user.region if request.user.region_id else None
    if own is not None and own.path.startswith(lesson.region_path):
        return own
    return lesson.region


def _state_labels() -> list[tuple[str, str]]:
    labels = {
        TaskState.DONE: pgettext("lesson task", "Done"),
        TaskState.IN_PROGRESS: pgettext("lesson task", "In progress"),
        TaskState.PENDING: pgettext("lesson task", "Not done yet"),
        TaskState.OVERDUE: pgettext("lesson task", "Overdue"),
    }
    return [(s, labels[s]) for s in lessons.STATES]


@login_required
def lesson_detail(request, pk: int):
    """A lesson: its accident, scope, checklist, deadline, actions, and the board by department and by region
    (`?region=` drills down); every count links to the task list it counts."""
    _government(request.user)
    lesson = _lesson(request, pk)
    now = timezone.now()
    under = _region(request, lesson)
    by_department = lessons.completion(request.user, lesson, "department", now=now)
    context = {
        "lesson": lesson, "allowed": lessons.can(request.user, lesson), "now": now, "under": under,
        "by_department": by_department, "by_region": lessons.completion(request.user, lesson, "region", under, now),
        "figures": lessons.totals(by_department), "states": _state_labels(),
        "regions": list(lesson.regions.order_by("path")), "industries": list(lesson.industries.order_by("code")),
        "look_backs": list(lesson.look_backs.order_by("pk")),
        "hazards_found": selfchecks.lesson_hazards(request.user, lesson).count(),
        "may_spot_check": selfchecks.may_spot_check(request.user),
        **circulars.lesson_context(request.user, lesson),  # the warning circular issued with it, or the way to
    }  # fmt: skip
    return render(request, "accidents/lesson_detail.html", context)


def _act(request, pk: int, action) -> None:
    try:
        action()
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    except Conflict as exc:
        messages.error(request, str(exc))


@login_required
@require_POST
def lesson_publish(request, pk: int):
    def publish():
        lesson = lessons.publish(request.user, pk)
        messages.success(request, _("Published to %(n)d enterprises.") % {"n": lesson.tasks_total})

    _act(request, pk, publish)
    return redirect("lessons:detail", pk=pk)


@login_required
@require_POST
def lesson_withdraw(request, pk: int):
    def withdraw():
        lessons.withdraw(request.user, pk, request.POST.get("reason", ""))
        messages.success(request, _("Withdrawn."))

    _act(request, pk, withdraw)
    return redirect("lessons:detail", pk=pk)


@login_required
def lesson_tasks(request, pk: int):
    """The lesson's tasks in the viewer's scope: `?state=`, `?department=` (an id, or "none"), `?region=` (with all
    below; `&own=1`: in it only). An enterprise sees its own task."""
    lesson = get_object_or_404(Lesson.objects.visible_to(request.user).select_related("region"), pk=pk)
    state = request.GET.get("state", "")
    department = request.GET.get("department", "")
    region, raw = None, request.GET.get("region", "")
    if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID:
        region = Region.objects.visible_to(request.user).filter(pk=int(raw)).first()
    own = request.GET.get("own") == "1"
    now = timezone.now()
    rows = lessons.task_list(request.user, lesson, state=state, department=department, region=region, own=own, now=now)
    page = paginate(request, rows.select_related("enterprise__region", "department", "inspection"))
    labels = dict(_state_labels())
    for task in page.items:
        task.state = lessons.task_state(task, lesson, now)
        task.state_label = labels[task.state]
    context = {"lesson": lesson, "page": page, "state": state, "states": _state_labels(), "department": department,
               "region": region, "own": own, "count": rows.count()}  # fmt: skip
    return render(request, "accidents/lesson_tasks.html", context)


@login_required
def lesson_look_back(request, pk: int):
    lesson = _lesson(request, pk)
    if "look_back" not in lessons.can(request.user, lesson):
        raise PermissionDenied
    form = LookBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            again = lessons.look_back(request.user, lesson.pk, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Published to %(n)d enterprises.") % {"n": again.tasks_total})
            return redirect("lessons:detail", pk=again.pk)
    context = {"form": form, "lesson": lesson}
    return render(request, "accidents/lesson_look_back.html", context, status=400 if form.errors else 200)
