"""Sending one delivery: e-mail through Django's backend, or a signed JSON POST to the SMS/IM gateway.

Errors are sorted into transient (retry later: timeouts, refused connections, 5xx, 429, SMTP trouble) and
permanent (a 4xx from the gateway, no address, an address or header the message cannot carry: Django's
`BadHeaderError` and the `ValueError` of a malformed address): retries happen only for the first kind.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from safety_platform.lib.text import one_line

from .choices import Channel
from .models import TITLE_LENGTH, Delivery


class TransientError(Exception):
    """Worth trying again later."""


class PermanentError(Exception):
    """Trying again will not help."""


def send(delivery: Delivery) -> None:
    if delivery.channel == Channel.EMAIL:
        send_email(delivery)
    elif delivery.channel == Channel.WEBHOOK:
        send_webhook(delivery)
    else:
        raise PermanentError(f"unknown channel {delivery.channel}")


def send_email(delivery: Delivery) -> None:
    notice = delivery.notification
    if not notice.recipient.email:
        raise PermanentError("no e-mail address")
    with override(settings.LANGUAGE_CODE):
        opening = _("Open: %(url)s") % {"url": settings.SITE_URL + notice.link}
        body = notice.body + "\n\n" + opening
        if notice.must_answer:
            answer_url = f"{settings.SITE_URL}/notifications/{notice.pk}/"
            body += "\n" + _("Answer here: %(url)s") % {"url": answer_url}
        try:
            send_mail(one_line(notice.title, TITLE_LENGTH), body, None, [notice.recipient.email])
        except ValueError as exc:  # BadHeaderError, a malformed address: the same message fails the same way
            raise PermanentError(f"{type(exc).__name__}: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(str(exc)) from exc


def payload(delivery: Delivery) -> dict:
    notice = delivery.notification
    user = notice.recipient
    return {
        "delivery": delivery.pk,
        "notification": notice.pk,
        "recipient": {"username": user.username, "name": user.full_name, "phone": user.phone},
        "title": notice.title,
        "body": notice.body,
        "link": f"{settings.SITE_URL}{notice.link}" if notice.link else "",
        "must_answer": notice.must_answer,
        "answer_due_at": timezone.localtime(notice.answer_due_at).isoformat() if notice.answer_due_at else None,
    }


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(delivery: Delivery) -> None:
    """POST the JSON with an HMAC-SHA256 signature; the delivery id header lets the gateway drop a repeat."""
    url = settings.NOTIFY_WEBHOOK_URL
    if not url:
        raise PermanentError("no webhook configured")
    body = json.dumps(payload(delivery), ensure_ascii=False).encode()
    try:
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Safety-Delivery": str(delivery.pk),
                "X-Safety-Signature": signature(body, settings.NOTIFY_WEBHOOK_SECRET),
            },
        )
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            raise TransientError(f"HTTP {exc.code}") from exc
        raise PermanentError(f"HTTP {exc.code}") from exc
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
        raise TransientError(str(exc)) from exc
    except ValueError as exc:  # a malformed URL (http.client.InvalidURL and the like): a setting to fix
        raise PermanentError(f"{type(exc).__name__}: {exc}") from exc
