"""An unconfirmed risk theme escalates through the existing chain: the must-answer notice at publishing, the answer
on confirming, the pass-up past confirm-by (run by the notifications sweep itself, no mocks)."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from notifications import sweeps
from notifications.models import Notification
from risks import themes
from risks.models import ThemeConfirmation

from .themes_fixtures import *  # noqa: F403  (the fixture)
from .themes_fixtures import published


def test_unconfirmed_past_confirm_by_passes_up_to_the_superior_post(world, posts):
    """GIVEN a published theme and nobody confirmed WHEN the sweep runs before confirm-by THEN nothing passes up;
    WHEN it runs after THEN e1's notice goes to 海滨区应急管理局局长 (its principal post's superior), worded with the
    theme's page of overdue enterprises, and e1's confirmation is marked escalated; e2's and e3's (no superior) go to
    the city office's staff with the vacancy named, summed into one notice; a second sweep sends nothing more."""
    theme = published(world.users["city"])
    assert sweeps.run(theme.confirm_by - timedelta(minutes=1)).passed_up == 0
    with time_machine.travel(theme.confirm_by + timedelta(minutes=1), tick=False):
        result = sweeps.run()
        assert result.passed_up == 3  # e1's principal, e2's principal, e3's safety manager
        up = Notification.objects.get(kind="up", recipient=world.users["d1_head"])
        assert up.position == posts.d1_head and up.must_answer
        assert up.title == "未应答：待确认的风险主题：元旦假期风险"
        assert up.link == f"/risks/themes/{theme.pk}/?state=overdue"
        assert "企业未按时确认" in up.body and up.answer_due_at == up.created_at + timedelta(hours=24)
        # e2's and e3's (no superior) reach the city office's staff summed: one notice standing for both.
        city_up = Notification.objects.get(kind="up", recipient=world.users["city"])
        assert city_up.vacancy_note and "2条同类未应答通知一并上报" in city_up.body and city_up.parent is None
        assert up.parent.recipient == world.users["enterprise"]  # alone, it still answers to e1's own notice
        escalated = ThemeConfirmation.objects.filter(theme=theme, escalated_at__isnull=False)
        assert set(escalated.values_list("enterprise_id", flat=True)) == {world.e1.pk, world.e2.pk, world.e3.pk}
        assert sweeps.run().passed_up == 0


def test_confirming_answers_the_notice_so_nothing_passes_up(world, posts):
    """GIVEN a published theme WHEN e1's principal confirms THEN their notice is answered (audited as a notice
    answer) and after confirm-by the sweep passes up e2's and e3's only; e1 is not marked escalated."""
    theme = published(world.users["city"])
    themes.confirm(world.users["enterprise"], theme.pk)
    notice = Notification.objects.get(kind="theme", recipient=world.users["enterprise"])
    assert notice.acknowledged_at is not None
    with time_machine.travel(theme.confirm_by + timedelta(minutes=1), tick=False):
        assert sweeps.run().passed_up == 2
    assert not Notification.objects.filter(kind="up", recipient=world.users["d1_head"]).exists()
    row = ThemeConfirmation.objects.get(theme=theme, enterprise=world.e1)
    assert row.escalated_at is None


def test_a_late_confirmation_stops_the_notice_passed_up(world, posts):
    """GIVEN e1's notice passed up to the bureau head WHEN e1 confirms late THEN the head's notice no longer needs an
    answer (the matter is settled), so it does not pass up further."""
    theme = published(world.users["city"])
    with time_machine.travel(theme.confirm_by + timedelta(minutes=1), tick=False):
        sweeps.run()
        themes.confirm(world.users["enterprise"], theme.pk, "补确认")
    up = Notification.objects.get(kind="up", recipient=world.users["d1_head"])
    assert not up.must_answer
    with time_machine.travel(theme.confirm_by + timedelta(days=3), tick=False):
        sweeps.run()
    assert not Notification.objects.filter(parent=up).exists()


def test_a_withdrawn_theme_passes_nothing_up(world, posts):
    """GIVEN a published theme withdrawn WHEN the sweep runs after confirm-by THEN nothing passes up."""
    theme = published(world.users["city"])
    themes.withdraw(world.users["city"], theme.pk)
    with time_machine.travel(theme.confirm_by + timedelta(minutes=1), tick=False):
        assert sweeps.run().passed_up == 0
