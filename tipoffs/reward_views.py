"""The rewards' pages (see docs/tipoffs.md, "Rewards"): the reward section of the handlers' report page
(`section(request, report)`, the context of templates/tipoffs/_reward.html), the list of rewards with their totals,
and the POST endpoints to propose, decide and pay, which call `tipoffs.rewards` and go back to the report page.
Nothing here reads the informant: a reward is claimed with the receipt code and its secret."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.roles import is_government
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate

from . import access, rewards
from .choices import RewardState
from .models import Report, Reward
from .reward_forms import DecideForm, PayForm, ProposeForm


def _require(user) -> None:
    if not is_government(user):
        raise PermissionDenied(_("Only government units see the tip-offs' rewards."))


def _reward_of(report: Report) -> Reward | None:
    return Reward.objects.filter(report_id=report.pk).select_related("proposed_by", "decided_by", "paid_by").first()


def section(request, report: Report, **forms) -> dict:
    """The report page's reward section: the reward and its state, and the forms the user may use now (exactly
    `rewards.allowed`)."""
    user = request.user
    reward = _reward_of(report)
    may = rewards.allowed(user, reward if reward is not None else report)
    return {
        "reward_report": report,
        "reward": reward,
        "reward_allowed": may,
        "propose_form": forms.get("propose_form") or (ProposeForm(report) if "propose" in may else None),
        "decide_form": forms.get("decide_form") or (DecideForm() if "decide" in may else None),
        "pay_form": forms.get("pay_form") or (PayForm() if "pay" in may else None),
    }


def _report(user, pk: int) -> Report:
    """The report if the user sees it or handles it (404 otherwise)."""
    report = Report.objects.visible_to(user).filter(pk=pk).first()
    if report is None:
        report = Report.objects.filter(pk=pk).first()
        if report is None or not access.is_handler(user, report):
            raise Http404
    return report


def _reward(user, pk: int) -> Reward:
    reward = Reward.objects.visible_to(user).select_related("report").filter(pk=pk).first()
    if reward is None:
        raise Http404
    return reward


def _again(request, report: Report, **forms):
    """The form with the writer's errors, on a page of its own (400)."""
    context = {"report": report, **section(request, report, **forms)}
    return render(request, "tipoffs/reward_form.html", context, status=400)


def _done(request, report_pk: int, message: str):
    messages.success(request, message)
    return redirect("tipoffs:detail", pk=report_pk)


def _conflict(request, report_pk: int, exc: Conflict):
    messages.error(request, str(exc))
    return redirect("tipoffs:detail", pk=report_pk)


def _checked(request, obj, action: str, report_pk: int):
    """The writer's own rule first (403 raised, 409 told on the report page); None when the user may."""
    try:
        rewards.check(request.user, obj, action)
    except Conflict as exc:
        return _conflict(request, report_pk, exc)
    return None


@login_required
@require_POST
def propose(request, pk: int):
    report = _report(request.user, pk)
    if refused := _checked(request, report, "propose", pk):
        return refused
    form = ProposeForm(report, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            reward = rewards.propose(request.user, report, data["basis"], fine=data.get("fine"),
                                     deaths=data.get("deaths"), grade=data.get("grade") or "")  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            return _conflict(request, pk, exc)
        else:
            return _done(request, pk, _("Reward proposed: %(amount)s CNY.") % {"amount": reward.amount})
    return _again(request, report, propose_form=form)


@login_required
@require_POST
def decide(request, pk: int):
    reward = _reward(request.user, pk)
    if refused := _checked(request, reward, "decide", reward.report_id):
        return refused
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            rewards.decide(request.user, reward, approve, form.cleaned_data["note"])
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            return _conflict(request, reward.report_id, exc)
        else:
            return _done(request, reward.report_id, _("Reward approved.") if approve else _("Reward not granted."))
    return _again(request, reward.report, decide_form=form)


@login_required
@require_POST
def pay(request, pk: int):
    reward = _reward(request.user, pk)
    if refused := _checked(request, reward, "pay", reward.report_id):
        return refused
    form = PayForm(request.POST)
    if form.is_valid():
        try:
            rewards.pay(request.user, reward, form.cleaned_data["payment_ref"])
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            return _conflict(request, reward.report_id, exc)
        else:
            return _done(request, reward.report_id, _("Payment recorded."))
    return _again(request, reward.report, pay_form=form)


SHOWN_STATES = (RewardState.PROPOSED, RewardState.APPROVED, RewardState.PAID, RewardState.REJECTED)


@login_required
def reward_list(request):
    """The rewards in scope by state (awaiting approval first), with the count and the sum of each state."""
    _require(request.user)
    visible = Reward.objects.visible_to(request.user)
    counted = visible.order_by().values("state").annotate(n=Count("id"), total=Sum("amount"))
    sums = {row["state"]: row for row in counted}
    state = request.GET.get("state") or RewardState.PROPOSED
    bad = state not in RewardState.values
    state = RewardState.PROPOSED if bad else state
    tabs = [
        {"state": value, "label": RewardState(value).label, "count": sums.get(value, {}).get("n", 0),
         "total": sums.get(value, {}).get("total") or 0, "active": value == state}
        for value in SHOWN_STATES
    ]  # fmt: skip
    rows = visible.filter(state=state).select_related("report__department", "report__handler_region")
    page = paginate(request, rows)
    context = {"tabs": tabs, "state": state, "page": page, "bad_state": bad}
    return render(request, "tipoffs/reward_list.html", context, status=400 if bad else 200)
