"""The values of a tip-off (举报): how it came in, what it is about, where it stands. See docs/tipoffs.md."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CODE_PREFIX = "JB"


class Channel(models.TextChoices):
    WEB = "web", _("Online form")
    PHONE = "phone", _("Phone (12350)")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("In person")
    EMAIL = "email", _("E-mail")
    REFERRED = "referred", _("Referred from above")


# The channels staff register by hand (the public form is the web channel's only way in).
STAFF_CHANNELS = tuple(c for c in Channel.values if c != Channel.WEB)


class Kind(models.TextChoices):
    HAZARD = "hazard", _("Accident hazard")
    ILLEGAL = "illegal", _("Illegal operation")
    CONCEALED_ACCIDENT = "concealed_accident", _("Concealed or falsely reported accident")
    OTHER = "other", pgettext_lazy("tip-off kind", "Other")


class State(models.TextChoices):
    RECEIVED = "received", _("Received, awaiting triage")
    ACCEPTED = "accepted", _("Accepted, being verified")
    VERIFIED = "verified", _("Verified, awaiting the answer")
    CLOSED = "closed", pgettext_lazy("tip-off state", "Closed")
    DECLINED = "declined", _("Declined")
    MERGED = "merged", _("Handled with an earlier report")
    SPAM = "spam", _("Invalid")


OPEN_STATES = (State.RECEIVED, State.ACCEPTED, State.VERIFIED)
# Ended without verification: no answer is due, no reward.
ENDED_STATES = (State.DECLINED, State.MERGED, State.SPAM)


class Outcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated")
    PARTLY = "partly", _("Partly substantiated")
    UNFOUNDED = "unfounded", _("Unfounded")


# Outcomes that may earn a reward.
REWARDABLE = (Outcome.SUBSTANTIATED, Outcome.PARTLY)


class Action(models.TextChoices):
    """The events of a report's history (ReportEvent.action)."""

    SUBMIT = "submit", _("Submitted")
    REGISTER = "register", _("Registered by staff")
    ACCEPT = "accept", _("Accepted")
    TRANSFER = "transfer", _("Transferred")
    DECLINE = "decline", _("Declined")
    MERGE = "merge", _("Merged with an earlier report")
    SPAM = "spam", _("Marked invalid")
    EXTEND = "extend", _("Time limit extended")
    LINK = "link", _("Linked to a hazard or illegal operation")
    VERIFY = "verify", _("Verified")
    ANSWER = "answer", _("Answered and closed")
    REMIND = "remind", _("Reminder")
    REWARD = "reward", _("Reward")


class RewardBasis(models.TextChoices):
    FINE = "fine", _("Fine for a major hazard or illegal operation")
    CONCEALED_DEATHS = "concealed_deaths", _("Deaths of a concealed accident")


class RewardState(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", pgettext_lazy("reward", "Approved")
    REJECTED = "rejected", pgettext_lazy("reward", "Not granted")
    PAID = "paid", pgettext_lazy("reward", "Paid")
