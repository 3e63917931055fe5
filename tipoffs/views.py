"""The handlers' pages (part: handling): the queue with its filters and its export, a report's page with one form
per action the rules allow now, the informant's panel (handlers only, every view audited), the photos, and the form
to register a report received by phone, letter or visit. Every query starts from `filters.seen_by`; every change
calls a writer of handling.py (or intake.submit). See docs/tipoffs.md, "Handling"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from safety_platform.lib import xlsx
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate

from . import access, handling, identity, intake, reward_views, staff_actions
from .choices import State
from .filters import ReportFilterSet, seen_by
from .models import Report, ReportPhoto
from .staff_forms import ACTIONS, RegisterForm, offered

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_RELATED = ("region", "department", "handler_region")


def due(report: Report):
    """The limit running now: the handling limit while accepted, the answer's while verified."""
    if report.state == State.ACCEPTED:
        return report.due_at
    if report.state == State.VERIFIED:
        return report.feedback_due_at
    return None


def _rows(reports, now):
    for report in reports:
        report.unit = access.unit_label(report)
        report.due = due(report)
        report.overdue = report.overdue_at(now)
    return reports


@login_required
def report_list(request):
    """The queue: the reports in scope and handed to the user's unit, filtered; never who made them."""
    filterset = ReportFilterSet(
        request.GET or None, queryset=seen_by(request.user).select_related(*LIST_RELATED), request=request
    )
    context = {"filter": filterset, "page": None, "may_register": access.may_register(request.user)}
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "tipoffs/list.html", context, status=400)
    page = paginate(request, filterset.qs)
    _rows(page.items, timezone.now())
    context["page"] = page
    return render(request, "tipoffs/list.html", context)


def _export_rows(reports, now):
    for report in reports.iterator(chunk_size=xlsx.BATCH):
        limit = due(report)
        yield [
            report.code,
            timezone.localtime(report.received_at).replace(tzinfo=None),
            report.get_kind_display(),
            report.get_channel_display(),
            report.region.name,
            report.address,
            report.enterprise_name,
            access.unit_label(report),
            report.get_state_display(),
            timezone.localtime(limit).replace(tzinfo=None) if limit else "",
            _("yes") if report.overdue_at(now) else "",
        ]


@login_required
def export(request):
    """The queue with its filters as an .xlsx, streamed: no column of the informant."""
    filterset = ReportFilterSet(
        request.GET or None, queryset=seen_by(request.user).select_related(*LIST_RELATED), request=request
    )
    if filterset.is_bound and not filterset.is_valid():
        context = {"filter": filterset, "page": None, "may_register": access.may_register(request.user)}
        return render(request, "tipoffs/list.html", context, status=400)
    head = [
        _("receipt code"), _("received at"), _("kind"), pgettext("tip-off", "channel"), _("region"), _("address"),
        _("enterprise named"), _("handling unit"), _("state"), _("due by"), _("overdue"),
    ]  # fmt: skip
    rows = _export_rows(filterset.qs.order_by("-id"), timezone.now())
    title = _("Tip-offs")
    stream = xlsx.stream(rows, title, head=[head], widths=[18, 17, 16, 12, 14, 30, 24, 20, 16, 17, 8], autofilter=True)
    response = StreamingHttpResponse(stream, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="tipoffs-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response


def _report(request, pk: int) -> Report:
    queryset = seen_by(request.user).select_related(
        "region", "department", "handler_region", "industry", "enterprise", "hazard", "illegal_operation",
        "repeat_of", "registered_by",
    )  # fmt: skip
    return get_object_or_404(queryset, pk=pk)


def _detail_context(request, report: Report, forms: dict | None = None, informant=None) -> dict:
    user = request.user
    allowed = handling.allowed(user, report)
    names = offered(allowed, report)
    forms = forms or {}
    actions = []
    for name in names:
        _rule, form_class, title, button = ACTIONS[name]
        actions.append({"name": name, "form": forms.get(name) or form_class(prefix=name), "title": title,
                        "button": button, "open": name in forms})  # fmt: skip
    visible = seen_by(user)
    repeats = list(visible.filter(repeat_of=report).order_by("received_at", "id"))
    repeat_of = visible.filter(pk=report.repeat_of_id).first() if report.repeat_of_id else None
    may_see = identity.may_see(user, report)
    context = {
        "report": report,
        "unit": access.unit_label(report),
        "due": due(report),
        "overdue": report.overdue_at(),
        "photos": list(report.photos.all()),
        "repeat_of": repeat_of,
        "repeats": repeats,
        "events": list(report.events.select_related("actor")),
        "actions": actions,
        "may_see_informant": may_see,
        "informant": informant,
        "viewers": list(identity.viewers(report)[:50]) if informant is not None else [],
    }
    context.update(reward_views.section(request, report))
    return context


@login_required
def detail(request, pk: int):
    report = _report(request, pk)
    return render(request, "tipoffs/detail.html", _detail_context(request, report))


@login_required
@require_POST
def act(request, pk: int, action: str):
    """One action of the report page: the rule first (403, 409), then the form, then the writer (400 next to the
    fields); a success redirects back to the page."""
    report = _report(request, pk)
    if action not in ACTIONS:
        raise Http404
    try:
        staff_actions.check(request.user, report, action)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("tipoffs:detail", pk=pk)
    form = ACTIONS[action][1](request.POST, prefix=action)
    if form.is_valid():
        try:
            staff_actions.perform(request.user, report, action, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("tipoffs:detail", pk=pk)
        else:
            messages.success(request, _("Saved."))
            return redirect("tipoffs:detail", pk=pk)
    context = _detail_context(request, report, {action: form})
    return render(request, "tipoffs/detail.html", context, status=400)


@login_required
@require_POST
def informant(request, pk: int):
    """Who made the report, for its handler only; the view is audited and the page lists every view."""
    report = _report(request, pk)
    found = identity.reveal(request.user, report)  # 403 for anyone else
    return render(request, "tipoffs/detail.html", _detail_context(request, report, informant=found))


@login_required
def photo(request, pk: int):
    """A report's photo (`?thumb=1`: its thumbnail), through the report's scope, never as a public media file."""
    item = get_object_or_404(ReportPhoto.objects.filter(report__in=seen_by(request.user).values("pk")), pk=pk)
    thumbnail = request.GET.get("thumb") == "1"
    field = item.thumbnail if thumbnail else item.image
    response = FileResponse(field.open("rb"), content_type="image/jpeg" if thumbnail else item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def new(request):
    """Register a report received by phone (12350), letter, visit, e-mail or referral."""
    if not access.may_register(request.user):
        raise PermissionDenied(_("Only the government's staff register reports received by phone, letter or visit."))
    form = RegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        values["photos"] = tuple(values.pop("photos") or ())
        try:
            receipt = intake.submit(intake.Submission(**values), actor=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            # The secret is shown once, on this answer (never stored in a message or the session), as the public
            # form's receipt is; a reload does not file it again (the form's idempotency is the writer's).
            response = render(request, "tipoffs/registered.html", {"receipt": receipt})
            add_never_cache_headers(response)
            return response
    return render(request, "tipoffs/new.html", {"form": form}, status=400 if form.errors else 200)
