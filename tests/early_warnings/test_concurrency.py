"""Two holders of one post answering at the same moment, and an answer racing an update, on two real database
connections: exactly one answers the post."""

from __future__ import annotations

import pytest

from early_warnings import workflow
from early_warnings.models import EarlyWarning, WarningRecipient
from notifications.models import Notification
from safety_platform.lib.errors import Conflict

from ..conftest import need
from ..hazards.test_concurrency import race
from .conftest import WARNING

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_holders_answer_at_once_one_answers_the_post(world, posts):
    need("postgresql")
    warning = workflow.issue(world.users["city"], level="red", areas=[world.d1], **WARNING)
    a, b = world.users["duty1"], world.users["duty1b"]
    results = race(lambda: workflow.answer(a, warning.pk, ["standby"]),
                   lambda: workflow.answer(b, warning.pk, ["patrols_out"]))  # fmt: skip
    winners = [r for r in results if isinstance(r, list) and r]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    row = WarningRecipient.objects.get(warning=warning, post=posts.d1_duty)
    assert row.answered_by in (a, b) and row.measures == (["standby"] if row.answered_by == a else ["patrols_out"])
    open_notices = Notification.objects.filter(key__startswith=f"warning:{warning.pk}:{posts.d1_duty.pk}:",
                                               must_answer=True, acknowledged_at__isnull=True)  # fmt: skip
    assert not open_notices.exists()  # nothing of the post's left to pass up


def test_an_answer_racing_an_update_answers_the_version_it_finds_in_force(world, posts):
    need("postgresql")
    warning = workflow.issue(world.users["city"], level="yellow", areas=[world.d1], **WARNING)
    results = race(lambda: workflow.answer(world.users["duty1"], warning.pk),
                   lambda: workflow.update(world.users["city"], warning.pk, level="orange"))  # fmt: skip
    new = EarlyWarning.objects.get(status="in_force")
    answered = WarningRecipient.objects.get(warning=warning, post=posts.d1_duty).answered_at is not None
    # either the answer came first (the old version's post answered), or the update did (the answer refused)
    assert answered != isinstance(results[0], Conflict), results
    assert isinstance(results[1], EarlyWarning) and results[1] == new
