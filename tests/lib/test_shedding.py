"""Admission control (safety_platform/lib/shedding.py) in one process with threads: the requests beyond
ADMIT_CONCURRENT wait at most ADMIT_WAIT_MS, then get 503 with Retry-After in the user's language; the health check
and static files pass; 0 turns it off. The view is held by an event, as a slow view would hold its place."""

from __future__ import annotations

import json
import threading

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.test import RequestFactory

from safety_platform.lib.shedding import AdmissionMiddleware

factory = RequestFactory()


class Held:
    """A view that stays inside until let go: the places it takes are held that long."""

    def __init__(self):
        self.inside = threading.Semaphore(0)
        self.go = threading.Event()

    def __call__(self, request):
        self.inside.release()
        assert self.go.wait(30)
        return HttpResponse("done")


def enter(middleware, path="/dashboard/", **headers):
    """Send a request in a thread; its response lands in the returned list."""
    answers = []
    thread = threading.Thread(target=lambda: answers.append(middleware(factory.get(path, **headers))))
    thread.start()
    return thread, answers


@pytest.fixture
def admit(settings):
    def make(concurrent, wait_ms, view=None):
        settings.ADMIT_CONCURRENT, settings.ADMIT_WAIT_MS = concurrent, wait_ms
        return AdmissionMiddleware(view or Held())

    return make


def test_beyond_the_places_a_request_is_shed_with_retry_after(admit):
    view = Held()
    middleware = admit(2, 0, view)
    inside = [enter(middleware) for _ in range(2)]
    for _ in inside:
        assert view.inside.acquire(timeout=10)
    page = middleware(factory.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    api = middleware(factory.get("/api/v1/hazards/", HTTP_ACCEPT_LANGUAGE="en"))
    health = []
    health_thread = threading.Thread(target=lambda: health.append(middleware(factory.get("/healthz"))))
    health_thread.start()
    assert view.inside.acquire(timeout=10)  # the health check went in beside the two held requests
    static = threading.Thread(target=lambda: health.append(middleware(factory.get("/static/css/site.css"))))
    static.start()
    assert view.inside.acquire(timeout=10)
    view.go.set()
    for thread, answers in inside:
        thread.join(10)
        assert answers[0].status_code == 200
    health_thread.join(10)
    static.join(10)
    assert [r.status_code for r in health] == [200, 200]

    assert page.status_code == 503 and page["Retry-After"] == "1"
    assert "no-store" in page["Cache-Control"]
    assert "繁忙" in page.content.decode() and "<html" in page.content.decode()
    assert api.status_code == 503 and api["Retry-After"] == "1" and "no-store" in api["Cache-Control"]
    assert json.loads(api.content) == {"detail": "The platform is busy. Try again in a moment.", "code": "overloaded"}
    assert middleware(factory.get("/dashboard/")).status_code == 200  # the places are free again


def test_a_request_waits_for_a_place_up_to_the_limit(admit):
    view = Held()
    middleware = admit(1, 10_000, view)
    holder, held = enter(middleware)
    assert view.inside.acquire(timeout=10)
    waiter, waited = enter(middleware)
    assert not view.inside.acquire(timeout=0.3)  # waiting, not inside
    view.go.set()  # the first leaves: the waiting one goes in
    for thread in (holder, waiter):
        thread.join(10)
    assert [r.status_code for r in held + waited] == [200, 200]


def test_one_at_a_time_is_never_shed(admit):
    middleware = admit(1, 0, lambda request: HttpResponse("ok"))
    assert {middleware(factory.get("/dashboard/")).status_code for _ in range(50)} == {200}


def test_a_failing_view_gives_its_place_back(admit):
    def broken(request):
        raise RuntimeError("boom")

    middleware = admit(1, 0, broken)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            middleware(factory.get("/dashboard/"))


def test_zero_turns_it_off(admit):
    with pytest.raises(MiddlewareNotUsed):
        admit(0, 1000)
