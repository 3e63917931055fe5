"""Pages of oversight's people part (phone-first): the certificates and principal verifications in scope with their
filters, a certificate's form and the verification form of an enterprise. Every change calls
`oversight.certificates.record` or `oversight.verifications.verify`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inspections.models import Campaign
from organizations.models import Enterprise
from organizations.pickers import enterprise_options
from organizations.roles import is_government
from organizations.scope import Scope, ScopeKind
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate

from . import certificates, verifications
from .choices import CertificateKind, Holder
from .models import Certificate, Verification
from .people_filters import CERTIFICATE_SOON_DAYS, CertificateFilterSet, VerificationFilterSet

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "input_formats": ["%Y-%m-%d"]}
YES_NO = [("1", gettext_lazy("yes")), ("0", gettext_lazy("no"))]


def _scoped(user) -> None:
    if Scope.for_user(user).kind == ScopeKind.NONE:
        raise PermissionDenied


class CertificateForm(forms.Form):
    holder = forms.ChoiceField(choices=Holder.choices, widget=forms.RadioSelect, label=gettext_lazy("held by"))
    person_name = forms.CharField(max_length=50, label=gettext_lazy("name"))
    kind = forms.ChoiceField(choices=CertificateKind.choices, label=gettext_lazy("certificate kind"))
    number = forms.CharField(max_length=50, label=gettext_lazy("certificate number"))
    issued_on = forms.DateField(required=False, label=gettext_lazy("issued on"), **DATE)
    expires_on = forms.DateField(label=gettext_lazy("valid until"), **DATE)


class VerifyForm(forms.Form):
    person_name = forms.CharField(max_length=50, label=gettext_lazy("principal person"))
    in_post = forms.TypedChoiceField(choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                     label=gettext_lazy("in post"))  # fmt: skip
    has_experience = forms.TypedChoiceField(
        choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect,
        label=gettext_lazy("has safety management experience"),
    )  # fmt: skip
    experience_note = forms.CharField(
        max_length=300, required=False, label=gettext_lazy("experience"),
        help_text=gettext_lazy("Years in the trade, earlier posts, training."),
    )  # fmt: skip
    certificate_seen = forms.BooleanField(required=False, label=gettext_lazy("certificate seen"))
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("note"),
        help_text=gettext_lazy("Required when the principal person is not in post."),
    )  # fmt: skip
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False,
                                      label=gettext_lazy("campaign"))  # fmt: skip

    RADIOS = ("in_post", "has_experience")

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = verifications.open_campaigns(user)


@login_required
def certificate_list(request):
    """The certificates in scope, the soonest to expire first; the filters are the API's."""
    _scoped(request.user)
    visible = Certificate.objects.visible_to(request.user).select_related("enterprise", "enterprise__region")
    filterset = CertificateFilterSet(request.GET or None, queryset=visible, request=request)
    context = {"filter": filterset, "page": None, "today": timezone.localdate(), "soon_days": CERTIFICATE_SOON_DAYS,
               "enterprise_picker": enterprise_options(request.user, filterset.chosen_enterprise())}  # fmt: skip
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "oversight/certificate_list.html", context, status=400)
    context["page"] = paginate(request, filterset.qs, orderings=("expires_on", "-expires_on", "-id"))
    return render(request, "oversight/certificate_list.html", context)


@login_required
def certificate_new(request, pk: int):
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=pk)
    if not certificates.may_record(request.user, enterprise):
        raise PermissionDenied
    form = CertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificates.record(request.user, enterprise.pk, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The certificate was recorded."))
            if is_government(request.user):
                return redirect("oversight:enterprise", enterprise.pk)
            return redirect(f"{reverse('principals:certificates')}?enterprise={enterprise.pk}")
    return render(request, "oversight/certificate_form.html", {"form": form, "enterprise": enterprise},
                  status=400 if form.errors else 200)  # fmt: skip


@login_required
def verification_list(request):
    """The principal verifications in scope, newest first; the filters are the API's."""
    _scoped(request.user)
    visible = Verification.objects.visible_to(request.user).select_related(
        "enterprise", "enterprise__region", "campaign", "checked_by"
    )
    filterset = VerificationFilterSet(request.GET or None, queryset=visible, request=request)
    context = {"filter": filterset, "page": None,
               "enterprise_picker": enterprise_options(request.user, filterset.chosen_enterprise())}  # fmt: skip
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "oversight/verification_list.html", context, status=400)
    context["page"] = paginate(request, filterset.qs, orderings=("-checked_at", "checked_at", "-id"))
    return render(request, "oversight/verification_list.html", context)


@login_required
def verify(request, pk: int):
    """The phone-first form of a check on the spot."""
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user).select_related("region"), pk=pk)
    if not verifications.may_verify(request.user, enterprise):
        raise PermissionDenied
    campaigns = verifications.open_campaigns(request.user)
    initial = {"person_name": enterprise.principal_name, "campaign": campaigns.first() if campaigns.count() == 1
               else None}  # fmt: skip
    form = VerifyForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            verifications.verify(request.user, enterprise.pk, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The verification was recorded."))
            return redirect("oversight:enterprise", enterprise.pk)
    latest = Verification.objects.filter(enterprise=enterprise).select_related("checked_by").first()
    context = {"form": form, "enterprise": enterprise, "latest": latest}
    return render(request, "oversight/verify.html", context, status=400 if form.errors else 200)
