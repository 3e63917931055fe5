"""The waits of the process tests: slowness is not failure, and a failure tells the state when it happened."""

from __future__ import annotations

import itertools

import pytest

from .processes import wait_for, wait_for_progress


def test_a_wait_on_progress_fails_only_on_a_stall_and_reports_the_state_then():
    """GIVEN work that moves for a while, then stalls WHEN waited on THEN the wait outlasts the moving part and
    fails on the stall, with a report computed at that moment (not when the wait began)."""
    ticks = itertools.count()
    state = {"moved": 0}

    def progress():
        state["moved"] = min(next(ticks), 6)  # moves for six polls (3 s, longer than `still`), then stops
        return state["moved"]

    with pytest.raises(AssertionError, match=r"nothing moved for 1s .*: moved 6") as failure:
        wait_for_progress(progress, lambda now: now > 100, lambda: f"moved {state['moved']}", still=1, bound=60)
    assert "after " in str(failure.value)
    assert wait_for_progress(progress, lambda now: now == 6, lambda: "", still=1) >= 0


def test_wait_for_names_the_state_at_the_timeout():
    state = {"n": 0}

    def check():
        state["n"] += 1
        return False

    with pytest.raises(AssertionError, match=r"waiting for \d+ checks") as failure:
        wait_for(check, 0.5, lambda: f"{state['n']} checks")
    assert int(str(failure.value).split("waiting for ")[1].split()[0]) > 1
