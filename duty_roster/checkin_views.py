"""The duty screen of a post (a page left open at the post: the rotating check-in code, big, and its QR code,
refreshing itself) and the post's check-in point (coordinates and radius), set by its planners.

Both start from the posts the viewer answers for (`scope.visible_posts`); anything else is a 404.
"""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


@login_required
def screen(request, pk: int):
    """The post's duty screen: today's code, big, with a QR code that opens My duty with the code filled in."""
    post = _post(request.user, pk)
    return render(request, "duty_roster/screen.html", {"post": post, **_screen_state(request, post)})


@login_required
def screen_code(request, pk: int):
    """What the duty screen's script fetches when the code changes (JSON)."""
    post = _post(request.user, pk)
    response = JsonResponse(_screen_state(request, post))
    response["Cache-Control"] = "no-store"
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


@login_required
def point(request, pk: int):
    """A planner sets where the post is (for check-in by the phone's location) and how far from it counts."""
    post = _post(request.user, pk)
    if not rota.may_plan(request.user, post):
        raise PermissionDenied
    current = checkin.point_of(post)
    initial = {"latitude": current.latitude, "longitude": current.longitude, "radius_m": current.radius_m}
    form = PointForm(request.POST or None, initial=initial)
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
    context = {"post": post, "form": form, "point": current, "default_radius": current.radius}
    return render(request, "duty_roster/point.html", context, status=400 if form.errors else 200)
