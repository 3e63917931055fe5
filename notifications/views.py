"""Inbox pages: my notifications, one notice with its answer button, and what is unanswered by unit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from organizations.roles import is_government
from organizations.scope import Scope
from safety_platform.lib.pages import paginate

from . import kinds, outbox
from .models import Notification, NotificationPreference


@login_required
def inbox(request):
    queryset = Notification.objects.filter(recipient=request.user).select_related("hazard")
    if request.GET.get("unanswered") == "1":
        queryset = queryset.filter(must_answer=True, acknowledged_at__isnull=True)
    return render(request, "notifications/inbox.html", {"page": paginate(request, queryset)})


@login_required
def detail(request, pk: int):
    notice = get_object_or_404(Notification.objects.select_related("hazard"), recipient=request.user, pk=pk)
    if notice.read_at is None:
        outbox.mark_read(request.user, [notice.pk])
    return render(request, "notifications/detail.html", {"notice": notice})


@login_required
@require_POST
def acknowledge(request, pk: int):
    notice = outbox.acknowledge(request.user, pk)
    time = {"time": f"{timezone.localtime(notice.acknowledged_at):%H:%M}"}
    if notice.escalated_at:
        messages.success(
            request, _("Answered at %(time)s, late: it had already been passed up to your superior.") % time
        )
    else:
        messages.success(
            request, _("Answered at %(time)s: on record, and it will not be passed up to your superior.") % time
        )
    return redirect("notifications:detail", pk=pk)


@login_required
@require_POST
def read_all(request):
    outbox.mark_read(request.user)
    return redirect("notifications:inbox")


class KindsField(forms.MultipleChoiceField):
    """Kinds of notice to mute: any registered kind is a choice, so that one that must be answered is refused by
    name (`kinds.check_muted`), not as "not a valid choice"."""

    def __init__(self, **kwargs):
        super().__init__(choices=lambda: [(k.code, k.label) for k in kinds.registered()], **kwargs)

    def validate(self, value):
        super().validate(value)
        kinds.check_muted(value)


class PreferenceForm(forms.ModelForm):
    muted_kinds = KindsField(
        required=False, label=gettext_lazy("Inbox only (no e-mail or SMS) for"), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = NotificationPreference
        fields = ["email", "webhook", "quiet_from", "quiet_until", "muted_kinds"]
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}),
        }

    def clean_muted_kinds(self):
        return kinds.check_muted(self.cleaned_data.get("muted_kinds") or [])

    def clean(self):
        data = super().clean()
        if bool(data.get("quiet_from")) != bool(data.get("quiet_until")):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
        return data


@login_required
def preferences(request):
    """Which channels I want besides the inbox, and my quiet hours (must-answer notices come through anyway)."""
    preference, _created = NotificationPreference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        preference = form.save()
        messages.success(request, saved_message(preference))
        return redirect("notifications:preferences")
    context = {"form": form, "mutable": kinds.mutable(), "always": kinds.always()}
    return render(request, "notifications/preferences.html", context, status=400 if form.errors else 200)


def saved_message(preference: NotificationPreference) -> str:
    """What the settings now do: which kinds stay in the inbox only, and that must-answer notices come anyway."""
    labels = {k.code: str(k.label) for k in kinds.registered()}
    muted = [labels[code] for code in preference.muted_kinds if code in labels]
    if not muted:
        return _("Saved: every notice comes by the channels you chose; must-answer notices always do.")
    return _("Saved: %(kinds)s now come to your inbox only; must-answer notices still come by every channel.") % {
        "kinds": pgettext("between names", ", ").join(muted)
    }


def unanswered_for(user):
    """Must-answer notices nobody has answered: about hazards in the user's scope, or addressed to the user."""
    return Notification.objects.filter(must_answer=True, acknowledged_at__isnull=True).filter(
        Scope.for_user(user).about(Notification, "hazard") | Q(hazard__isnull=True, recipient=user)
    )


def unanswered_addressed_to(user):
    """The part of `unanswered_for` that is the user's own (about no hazard, addressed to them); the rest is the
    same for everyone of the user's scope. Read along the recipient's index."""
    return Notification.objects.filter(
        must_answer=True, acknowledged_at__isnull=True, hazard__isnull=True, recipient=user
    )


@login_required
def unanswered(request):
    """Must-answer notices nobody has answered, by the recipient's unit, within the viewer's scope."""
    user = request.user
    if not is_government(user):
        raise PermissionDenied
    open_notices = unanswered_for(user)
    rows = (
        open_notices.values(
            "recipient__unit_kind",
            "recipient__region__name",
            "recipient__department__name",
            "recipient__enterprise__name",
        )
        .annotate(total=Count("id"), passed_up=Count("id", filter=Q(escalated_at__isnull=False)))
        .order_by("-total")[:200]
    )
    units = [
        {
            "unit": r["recipient__department__name"]
            or r["recipient__enterprise__name"]
            or r["recipient__region__name"]
            or "—",
            "total": r["total"],
            "passed_up": r["passed_up"],
        }
        for r in rows
    ]
    latest = open_notices.select_related("recipient", "hazard").order_by("answer_due_at")[:50]
    return render(request, "notifications/unanswered.html", {"units": units, "latest": latest})
