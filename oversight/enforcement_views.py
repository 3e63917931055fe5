"""Pages of the enforcement documents (行政执法): the list in scope with its filters, a document's page (with carried
out / revoked), the issue form under an enterprise showing only the fields of the chosen kind, the document as a PDF,
and the section of the enterprise's supervision page (the documents, Art. 113's status). Every change calls
`oversight.enforcement`."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazards.choices import OPEN_STATUSES
from hazards.models import Hazard
from organizations.models import Enterprise
from organizations.roles import is_government
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate
from safety_platform.lib.pdf import pdf_response
from workdays.calendar import SHANGHAI

from . import enforcement
from .choices import ActionKind, ActionState
from .enforcement_filters import EnforcementFilterSet
from .models import IllegalOperation

SECTION_LIMIT = 10  # documents listed on the supervision page (the list has them all)
DIGITS = "零壹贰叁肆伍陆柒捌玖"


def capital_amount(amount: Decimal) -> str:
    """An amount of yuan in Chinese capital figures (人民币大写): 12345.60 -> 壹万贰仟叁佰肆拾伍元陆角整."""
    cents = int((amount * 100).quantize(Decimal("1")))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10

    def group(n: int) -> str:  # 0..9999
        out, zero = "", False
        for value, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
            d = n // value % 10
            if d:
                out += ("零" if zero and out else "") + DIGITS[d] + unit
                zero = False
            else:
                zero = True
        return out

    words, zero = "", False
    for value, unit in ((10**8, "亿"), (10**4, "万"), (1, "")):
        part = yuan // value % 10**4 if value < 10**8 else yuan // value
        if part:
            words += ("零" if (zero or part < 1000) and words else "") + group(part) + unit
            zero = False
        else:
            zero = True
    words = (words or "零") + "元"
    if jiao or fen:
        words += (DIGITS[jiao] + "角" if jiao else ("零" if yuan else "")) + (DIGITS[fen] + "分" if fen else "整")
    else:
        words += "整"
    return words


def _visible(user):
    return enforcement.visible_actions(user).select_related("enterprise", "enterprise__region", "department")


def _government(user) -> None:
    if not is_government(user):
        raise PermissionDenied


@login_required
def action_list(request):
    """The documents in scope, newest first; the filters are the API's."""
    _government(request.user)
    filterset = EnforcementFilterSet(request.GET or None, queryset=_visible(request.user), request=request)
    context = {"filter": filterset, "page": None}
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "oversight/enforcement_list.html", context, status=400)
    context["page"] = paginate(request, filterset.qs)
    return render(request, "oversight/enforcement_list.html", context)


class StateForm(forms.Form):
    state = forms.ChoiceField(choices=[(ActionState.DONE, ActionState.DONE.label),
                                       (ActionState.REVOKED, ActionState.REVOKED.label)],
                              label=gettext_lazy("state"))  # fmt: skip
    reason = forms.CharField(max_length=enforcement.TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
                             label=gettext_lazy("reason"))  # fmt: skip


@login_required
def action_detail(request, pk: int):
    """A document; POST carries it out or revokes it (the issuing department, the city office)."""
    _government(request.user)
    action = get_object_or_404(_visible(request.user).select_related("issued_by", "hazard", "illegal_operation"),
                               pk=pk)  # fmt: skip
    form = StateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enforcement.set_state(request.user, action.pk, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("enforcement:detail", pk=action.pk)
    context = {"action": action, "form": form, "allowed": enforcement.can(request.user, action),
               "amount_words": capital_amount(action.amount) if action.amount else ""}  # fmt: skip
    return render(request, "oversight/enforcement_detail.html", context, status=400 if form.errors else 200)


class ActionForm(forms.Form):
    facts = forms.CharField(max_length=enforcement.TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
                            label=gettext_lazy("facts"))  # fmt: skip
    basis = forms.CharField(max_length=enforcement.TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
                            label=gettext_lazy("legal basis"))  # fmt: skip
    deadline = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               label=gettext_lazy("rectify by"))  # fmt: skip
    working_days = forms.IntegerField(required=False, min_value=1, max_value=365,
                                      label=gettext_lazy("or within working days"))  # fmt: skip
    amount = forms.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
                                label=gettext_lazy("amount (CNY)"))  # fmt: skip
    suspended_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                     label=gettext_lazy("suspended from"))  # fmt: skip
    suspended_until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                      label=gettext_lazy("suspended until"))  # fmt: skip
    hazard = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=gettext_lazy("hazard"))
    illegal_operation = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                               label=gettext_lazy("illegal operation"))  # fmt: skip

    def __init__(self, *args, kind: str, user, enterprise: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {"facts", "basis", "hazard", "illegal_operation", *enforcement.KIND_FIELDS[kind]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        hazards = (Hazard.objects.visible_to(user).filter(enterprise_id=enterprise.pk, status__in=OPEN_STATUSES)
                   .order_by("-id")[:50])  # fmt: skip
        self.fields["hazard"].choices = [("", "—")] + [(h.pk, f"{h.get_level_display()} · {h}") for h in hazards]
        illegal = IllegalOperation.objects.visible_to(user).filter(enterprise_id=enterprise.pk).order_by("-id")[:50]
        self.fields["illegal_operation"].choices = [("", "—")] + [(i.pk, str(i)) for i in illegal]
        if not len(self.fields["hazard"].choices) > 1:
            del self.fields["hazard"]
        if not len(self.fields["illegal_operation"].choices) > 1:
            del self.fields["illegal_operation"]


@login_required
def action_new(request, pk: int):
    """Issue a document to an enterprise: `?kind=` chooses the kind; the form shows only its fields."""
    _government(request.user)
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("region"), pk=pk)
    if not enforcement.can(request.user, enterprise):
        raise PermissionDenied
    kind = request.GET.get("kind", "")
    if kind not in ActionKind.values:
        return render(
            request, "oversight/enforcement_form.html", {"enterprise": enterprise, "kinds": ActionKind.choices}
        )
    form = ActionForm(request.POST or None, kind=kind, user=request.user, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            action = enforcement.issue(request.user, enterprise.pk, kind, **values)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Issued as %(number)s.") % {"number": action.number})
            return redirect("enforcement:detail", pk=action.pk)
    context = {"enterprise": enterprise, "form": form, "kind": kind, "kind_label": ActionKind(kind).label,
               "max_months": settings.OVERSIGHT_SUSPENSION_MAX_MONTHS}  # fmt: skip
    return render(request, "oversight/enforcement_form.html", context, status=400 if form.errors else 200)


@login_required
def action_pdf(request, pk: int):
    """The document as a red-headed A4 PDF."""
    _government(request.user)
    action = get_object_or_404(_visible(request.user).select_related("issued_by"), pk=pk)
    issued = timezone.localtime(action.issued_at, SHANGHAI)
    context = {
        "action": action, "issuer": enforcement.issuer_name(action), "issued": issued,
        "government": enforcement.government_name(action.enterprise),
        "amount_words": capital_amount(action.amount) if action.amount else "",
        "facts": [p.strip() for p in action.facts.splitlines() if p.strip()],
        "basis": [p.strip() for p in action.basis.splitlines() if p.strip()],
    }  # fmt: skip
    return pdf_response(request, "oversight/enforcement_pdf.html", context,
                        f"enforcement-{action.kind}-{action.year}-{action.serial}.pdf")  # fmt: skip


def section(user, enterprise: Enterprise) -> dict | None:
    """The supervision page's section: the enterprise's latest documents, Art. 113's status, what the viewer may
    issue. Four queries."""
    if not is_government(user):
        return None
    actions = list(enforcement.visible_actions(user).filter(enterprise_id=enterprise.pk)
                   .select_related("department")[:SECTION_LIMIT])  # fmt: skip
    return {
        "enterprise": enterprise,
        "actions": actions,
        "article_113": enforcement.article_113(enterprise),
        "may_issue": enforcement.may_issue(user),
        "kinds": ActionKind.choices,
    }
