"""The duty screen of a post (a page left open at the post: the rotating check-in code, big, and its QR code,
refreshing itself) and the post's check-in point (coordinates and radius, and the device enrolled as its screen),
set by its planners.

All start from the posts the viewer answers for (`scope.visible_posts`); anything else is a 404. The screen and its
code answer only on the enrolled device (its cookie holds the screen key), and never to whoever stands one of the
post's shifts open for check-in (403), so the code read proves that the reader was at the post.
"""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors

from . import checkin, rota
from .rota_views import _post


def qr_svg(text: str) -> str:
    """The QR code of `text` as inline SVG, drawn on the server (segno), so the page needs no script from elsewhere."""
    import segno  # only the duty screen draws QR codes

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False, svgns=True,
                                     svgclass="qr", lineclass=None, title="QR")  # fmt: skip
    return out.getvalue().decode()


def _screen_state(request, post) -> dict:
    code, left = checkin.current_code(checkin.point_of(post))
    link = request.build_absolute_uri(f"{reverse('duty_roster:my-duty')}?{urlencode({'post': post.pk, 'code': code})}")
    return {"code": code, "seconds_left": left, "link": link, "qr": qr_svg(link)}


# The key's cookie lasts as long as the device serves; re-enrolling or revoking ends it sooner.
SCREEN_COOKIE_AGE = 5 * 365 * 24 * 3600


def _screen_refusal(request, post) -> str | None:
    """Why this request may not see the post's screen: it stands a shift open for check-in, or the device is not
    the one enrolled (no key, a forged one, or one replaced since); None when it may."""
    if checkin.stands_now(request.user, post):
        return _("You are on duty at this post: the duty screen proves presence at the post, so it is not shown to "
                 "anyone on the current shift. Read the code on the screen at the post.")  # fmt: skip
    key = request.get_signed_cookie(checkin.screen_cookie(post.pk), default=None, salt=checkin.screen_salt(post.pk))
    if not checkin.screen_key_holds(checkin.point_of(post), key):
        return _("This device is not enrolled as the duty screen of this post: a planner of the post enrols the "
                 "device at the post on the post's check-in point page.")  # fmt: skip
    return None


@login_required
def screen(request, pk: int):
    """The post's duty screen: today's code, big, with a QR code that opens My duty with the code filled in; on the
    enrolled device only, and not to anyone on the shift."""
    post = _post(request.user, pk)
    refusal = _screen_refusal(request, post)
    if refusal:
        context = {"post": post, "refusal": refusal, "may_plan": rota.may_plan(request.user, post)}
        return render(request, "duty_roster/screen_refused.html", context, status=403)
    return render(request, "duty_roster/screen.html", {"post": post, **_screen_state(request, post)})


@login_required
def screen_code(request, pk: int):
    """What the duty screen's script fetches when the code changes (JSON); 403 with the reason where the screen
    itself would be refused."""
    post = _post(request.user, pk)
    refusal = _screen_refusal(request, post)
    response = JsonResponse({"detail": refusal} if refusal else _screen_state(request, post),
                            status=403 if refusal else 200)  # fmt: skip
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def screen_enrol(request, pk: int):
    """A planner enrols the device in hand as the post's duty screen: its key goes into a signed, HttpOnly cookie
    sent only to the screen's addresses (Secure behind HTTPS); the device enrolled before stops working."""
    post = _post(request.user, pk)
    key = rota.enrol_screen(request.user, post)
    response = redirect("duty_roster:screen", pk=post.pk)
    response.set_signed_cookie(
        checkin.screen_cookie(post.pk), key, salt=checkin.screen_salt(post.pk), max_age=SCREEN_COOKIE_AGE,
        path=reverse("duty_roster:screen", args=[post.pk]), secure=settings.SECURE, httponly=True, samesite="Strict",
    )  # fmt: skip
    messages.success(request, _("This device is now the post's duty screen; a device enrolled before no longer is."))
    return response


@login_required
@require_POST
def screen_revoke(request, pk: int) -> HttpResponse:
    """A planner revokes the post's duty screen: no device shows the code until one is enrolled again."""
    post = _post(request.user, pk)
    try:
        rota.revoke_screen(request.user, post)
    except Conflict as exc:
        messages.error(request, str(exc))
        return _point_page(request, post, PointForm(initial=_point_initial(post)), status=409)
    response = redirect("duty_roster:point", pk=post.pk)
    response.delete_cookie(checkin.screen_cookie(post.pk), path=reverse("duty_roster:screen", args=[post.pk]),
                           samesite="Strict")  # fmt: skip
    messages.success(request, _("The duty screen is revoked: no device shows the code until one is enrolled again."))
    return response


class PointForm(forms.Form):
    latitude = forms.DecimalField(label=gettext_lazy("latitude"), required=False, min_value=-90, max_value=90,
                                  max_digits=9, decimal_places=6)  # fmt: skip
    longitude = forms.DecimalField(label=gettext_lazy("longitude"), required=False, min_value=-180, max_value=180,
                                   max_digits=9, decimal_places=6)  # fmt: skip
    radius_m = forms.IntegerField(label=gettext_lazy("radius (m)"), required=False, min_value=10, max_value=5000,
                                  help_text=gettext_lazy("Empty: the platform's default radius."))  # fmt: skip
    new_secret = forms.BooleanField(label=gettext_lazy("Renew the code secret (codes shown so far stop working)"),
                                    required=False)  # fmt: skip


def _point_initial(post) -> dict:
    current = checkin.point_of(post)
    return {"latitude": current.latitude, "longitude": current.longitude, "radius_m": current.radius_m}


def _point_page(request, post, form, status: int = 200) -> HttpResponse:
    current = checkin.point_of(post)
    context = {"post": post, "form": form, "point": current, "default_radius": current.radius}
    return render(request, "duty_roster/point.html", context, status=status)


@login_required
def point(request, pk: int):
    """A planner sets where the post is (for check-in by the phone's location) and how far from it counts, and
    enrols (or revokes) the device at the post as its duty screen."""
    post = _post(request.user, pk)
    if not rota.may_plan(request.user, post):
        raise PermissionDenied
    form = PointForm(request.POST or None, initial=_point_initial(post))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rota.set_check_in_point(request.user, post, data["latitude"], data["longitude"], data["radius_m"],
                              data["new_secret"])  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Check-in point saved."))
            return redirect("duty_roster:point", pk=post.pk)
    return _point_page(request, post, form, status=400 if form.errors else 200)
