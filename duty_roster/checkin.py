"""Proof of presence at a duty post, for check-in from a phone's browser without an app:

- the rotating code (`code`): six digits shown big on the post's duty screen (`/duty/posts/<id>/screen/`, a page
  left open at the post), derived with HMAC-SHA256 from the post's secret and the time window of
  DUTY_CHECKIN_CODE_SECONDS (60); the current and the previous window's code are taken;
- the QR code (`qr`) on the same screen: it opens My duty with the current code filled in;
- the phone's location (`geo`): within the post's radius (its own, or DUTY_CHECKIN_RADIUS_METERS, 200 m) of the
  post's coordinates, by the haversine distance.
A check-in without any of them is taken, unverified.

The duty screen answers only on the device a planner enrolled at the post: a long random key in a signed, HttpOnly
cookie scoped to the screen's path, of which the post's check-in point keeps only the SHA-256. Even there it is
refused to whoever stands one of the post's shifts open for check-in (from 30 minutes before the shift until it
ends), so that nobody reads the code meant to prove their own presence anywhere but at the post.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Position, User

from .models import CheckInPoint, CheckInProof, DutyShift

EARTH_RADIUS_M = 6_371_000


def point_of(post: Position | int) -> CheckInPoint:
    """The post's check-in point, made (with a fresh secret) the first time it is needed."""
    pk = post.pk if isinstance(post, Position) else post
    return CheckInPoint.objects.get_or_create(post_id=pk)[0]


def window(at: datetime | None = None) -> int:
    return int((at or timezone.now()).timestamp()) // settings.DUTY_CHECKIN_CODE_SECONDS


def code_for(point: CheckInPoint, number: int) -> str:
    digest = hmac.new(point.secret.encode(), f"{point.post_id}:{number}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 1_000_000:06d}"


def current_code(point: CheckInPoint, at: datetime | None = None) -> tuple[str, int]:
    """The code shown now and the seconds until it changes."""
    at = at or timezone.now()
    seconds = settings.DUTY_CHECKIN_CODE_SECONDS
    return code_for(point, window(at)), seconds - int(at.timestamp()) % seconds


def code_holds(point: CheckInPoint, code: str, at: datetime | None = None) -> bool:
    """The code of the current window or of the previous one (a person may have read it just before it changed)."""
    now = window(at)
    code = (code or "").strip()
    return any(hmac.compare_digest(code, code_for(point, n)) for n in (now, now - 1))


def screen_cookie(post_id: int) -> str:
    """The name of the cookie holding the post's screen key (its path is the post's screen)."""
    return f"duty_screen_{post_id}"


def screen_salt(post_id: int) -> str:
    return f"duty_roster.screen.{post_id}"


def new_screen_key() -> str:
    return secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def screen_key_holds(point: CheckInPoint, key: str | None) -> bool:
    """The key of the device enrolled now (a key replaced or revoked holds no more)."""
    if not key or not point.screen_key_hash:
        return False
    return hmac.compare_digest(key_hash(key), point.screen_key_hash)


def stands_now(user: User, post: Position, at: datetime | None = None) -> bool:
    """Whether the user stands (as leader on duty or officer) a shift of the post open for check-in now: the
    current shift, or the next one from 30 minutes before it starts (when its people may check in)."""
    at = at or timezone.now()
    shifts = DutyShift.objects.filter(post=post, starts_at__lte=at + timedelta(minutes=30), ends_at__gte=at)
    return shifts.filter(Q(leader=user) | Q(officers=user)).exists()


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The haversine (great-circle) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass
class Proof:
    kind: str = CheckInProof.NONE
    verified: bool = False
    distance: int | None = None


def _coordinate(value, low: int, high: int) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if low <= number <= high else math.nan


def prove(post: Position, code: str = "", via_qr: bool = False, latitude=None, longitude=None) -> Proof:
    """What the check-in proves. 1. A code given must hold (else a field error: read it again). 2. Else a location
    given: verified within the post's radius of its coordinates, unverified (with the distance) beyond it or where
    the post has no coordinates. 3. Else no proof."""
    point = point_of(post)
    if (code or "").strip():
        if not code_holds(point, code):
            raise ValidationError({"code": _("This code is wrong or has expired: read the one on the duty screen.")})
        return Proof(CheckInProof.QR if via_qr else CheckInProof.CODE, True)
    lat, lng = _coordinate(latitude, -90, 90), _coordinate(longitude, -180, 180)
    if lat is None and lng is None:
        return Proof()
    if lat is None or lng is None or math.isnan(lat) or math.isnan(lng):
        raise ValidationError({"latitude": _("The location must be a latitude and a longitude in degrees.")})
    if not point.located:
        return Proof(CheckInProof.GEO, False)
    # Judged on the whole metres stored and shown, so that "200 m" is within a 200 m radius.
    distance = round(distance_m(lat, lng, float(point.latitude), float(point.longitude)))
    return Proof(CheckInProof.GEO, distance <= point.radius, distance)
