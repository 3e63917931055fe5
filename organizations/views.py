"""Pages of the organisation: the enterprise registry, supervision gaps, login lock-out."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from audit.models import history
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate

from . import flags
from .filters import EnterpriseFilterSet
from .forms import EnterpriseForm
from .models import Enterprise, Industry
from .registry import can_keep_registry, save_enterprise
from .responsibility import SupervisionMap, principal_position, territorial_leader_position
from .roles import is_government, is_supervising_unit
from .scope import Scope


def lockout_message(request=None) -> str:
    """Why a login is refused: the account locked from this address (django-axes), or this address over its limit
    of failed logins across usernames (organizations.login_limit)."""
    if getattr(request, "login_address_limited", False):
        return _(
            "Too many failed logins from your address: logins from it are paused for up to %(minutes)d minutes. "
            "Try again later."
        ) % {"minutes": settings.LOGIN_ADDRESS_MINUTES}
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed logins: this account is locked from your address for %(minutes)d minutes. Try again later."
    ) % {"minutes": minutes}


def lockout(request, credentials=None, *args, **kwargs):
    """What django-axes answers after too many failed logins: JSON for the API, a page with a message otherwise."""
    message = lockout_message(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


def scope_summary(user) -> str:
    scope = Scope.for_user(user)
    return {
        "all": _("The whole city"),
        "region": _("Region %(unit)s and everything in it") % {"unit": user.unit},
        "department": _("Enterprises of the industries supervised by %(unit)s") % {"unit": user.unit},
        "enterprise": _("Your own enterprise, %(unit)s") % {"unit": user.unit},
    }.get(scope.kind, _("Nothing yet: your account has no unit. Ask the city safety office."))


@login_required
def enterprise_list(request):
    queryset = Enterprise.objects.visible_to(request.user).select_related("region", "industry")
    filterset = EnterpriseFilterSet(request.GET or None, queryset=queryset, request=request)
    status = 200
    if filterset.is_bound and not filterset.is_valid():
        page, status = None, 400
    else:
        page = paginate(request, filterset.qs)
    context = {
        "filter": filterset,
        "page": page,
        "can_register": can_keep_registry(request.user),
        "active_signals": active_signals(request),
    }
    return render(request, "organizations/enterprise_list.html", context, status=status)


def active_signals(request) -> list[tuple[str, str]]:
    """The signals the list is filtered by, each with the list's URL without it (to take it off)."""
    labels = dict(flags.choices())
    chosen = [key for key in request.GET.getlist("signal") if key in labels]
    result = []
    for key in chosen:
        rest = request.GET.copy()
        rest.setlist("signal", [other for other in chosen if other != key])
        rest.pop("page", None)
        rest.pop("cursor", None)
        result.append((labels[key], f"{request.path}?{rest.urlencode()}" if rest else request.path))
    return result


@login_required
def enterprise_detail(request, pk: int):
    enterprise = get_object_or_404(
        Enterprise.objects.visible_to(request.user).select_related("region", "industry"), pk=pk
    )
    context = {
        "enterprise": enterprise,
        "supervision": SupervisionMap(Scope.for_user(request.user).reference).resolve(enterprise),
        "territorial_leader": territorial_leader_position(enterprise.region),
        "principal": principal_position(enterprise),
        "regions": enterprise.region.ancestors(),
        "events": history(enterprise)[:20],
        "can_edit": can_keep_registry(request.user),
        # the oversight app's page of this enterprise (docs/oversight.md), for the government
        "supervision_page": is_government(request.user),
    }
    return render(request, "organizations/enterprise_detail.html", context)


@login_required
def enterprise_edit(request, pk: int | None = None):
    if not can_keep_registry(request.user):
        raise PermissionDenied
    enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=pk) if pk else Enterprise()
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = save_enterprise(request.user, form.instance)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": enterprise.name})
            return redirect("organizations:enterprise-detail", pk=enterprise.pk)
    status = 400 if form.errors else 200
    return render(
        request, "organizations/enterprise_form.html", {"form": form, "enterprise": enterprise}, status=status
    )


@login_required
def gaps(request):
    """Industries that no department is in charge of, and the enterprises in scope that fall into them."""
    if not is_supervising_unit(request.user):
        raise PermissionDenied
    gap_ids = Scope.for_user(request.user).reference.unsupervised()
    industries = Industry.objects.visible_to(request.user).filter(id__in=sorted(gap_ids)).order_by("code")
    visible = Enterprise.objects.visible_to(request.user).filter(industry_id__in=sorted(gap_ids))
    counts = dict(visible.values_list("industry_id").annotate(n=Count("id")).values_list("industry_id", "n"))
    rows = [{"industry": i, "count": counts.get(i.id, 0)} for i in industries]
    return render(request, "organizations/gaps.html", {"rows": rows})
