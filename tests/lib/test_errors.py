"""Workflow errors are answered once: the API's exception handler maps each to its status and body, pages use the one
`add_errors`, and no app grows its own converter again (safety_platform.lib.errors)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from workdays.calendar import deadline_from

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"tests", "node_modules", "var", "artifacts", "static", "locale", "migrations"}


class Raising(APIView):
    """Raises what `?raise=` names, as a workflow function would under a view."""

    authentication_classes: list = []
    permission_classes: list = []

    RAISED = {
        "conflict": lambda: Conflict("The hazard is already closed."),
        "fields": lambda: ValidationError({"title": ["Too long."], "place": ["Required.", "Too short."]}),
        "message": lambda: ValidationError("Choose someone else."),
        "messages": lambda: ValidationError(["First.", "Second."]),
        "denied": lambda: PermissionDenied("You may not confirm this hazard."),
        "denied_bare": lambda: PermissionDenied(),
        "not_found": lambda: Http404("No Hazard matches the given query."),
        "not_found_bare": lambda: Http404(),
    }

    def get(self, request):
        raise self.RAISED[request.query_params["raise"]]()


def answer(name: str) -> Response:
    with translation.override("en"):
        response = Raising.as_view()(APIRequestFactory().get("/api/v1/raising/", {"raise": name}))
        response.render()
    return response


@pytest.mark.parametrize(
    ("name", "status", "body"),
    [
        ("conflict", 409, {"detail": "The hazard is already closed.", "code": "conflict"}),
        ("fields", 400, {"title": ["Too long."], "place": ["Required.", "Too short."]}),
        ("message", 400, {"non_field_errors": ["Choose someone else."]}),
        ("messages", 400, {"non_field_errors": ["First.", "Second."]}),
        ("denied", 403, {"detail": "You may not confirm this hazard.", "code": "permission_denied"}),
        (
            "denied_bare",
            403,
            {"detail": "You do not have permission to perform this action.", "code": "permission_denied"},
        ),  # fmt: skip
        ("not_found", 404, {"detail": "Hazard not found.", "code": "not_found"}),
        ("not_found_bare", 404, {"detail": "Not found.", "code": "not_found"}),
    ],
)
@pytest.mark.django_db
def test_the_exception_handler_answers_each_workflow_error(name, status, body):
    response = answer(name)
    assert (response.status_code, response.data) == (status, body)


def test_field_errors_keep_their_code():
    assert answer("fields").data["title"][0].code == "invalid"


class TitleForm(forms.Form):
    title = forms.CharField()


def test_add_errors_puts_each_error_on_its_field_or_above_the_form():
    form = TitleForm({"title": "x"})
    assert form.is_valid()
    add_errors(form, ValidationError({"title": ["Too long."], "other": ["Choose someone else."]}))
    assert form.errors == {"title": ["Too long."], "__all__": ["Choose someone else."]}


def test_deadline_from_a_moment_or_working_days_not_both():
    moment = datetime(2030, 1, 2, 9, 0)
    assert deadline_from(None, None) is None
    assert deadline_from(moment, None).tzinfo is not None  # a naive moment is read in the local time
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        deadline_from(moment, 3)
    assert refused.value.messages == ["Give a deadline or a number of working days, not both."]


def sources():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith(".") or p in SKIPPED_DIRS for p in parts[:-1]):
            continue
        if parts[:2] == ("safety_platform", "lib"):
            continue
        yield path.relative_to(ROOT), path.read_text(encoding="utf-8")


CONVERTERS = re.compile(
    r"api_errors"  # the old context manager that turned workflow errors into API ones
    r"|def add_errors\b"  # the page helper, in safety_platform.lib.forms only
    r"|form\.add_error\(field if field in form\.fields"  # its loop copied inline
)


def test_workflow_errors_are_converted_in_lib_only():
    found = [f"{path}:{text[: m.start()].count(chr(10)) + 1}" for path, text in sources()
             for m in CONVERTERS.finditer(text)]  # fmt: skip
    assert len(list(sources())) > 50  # the walk does see the apps
    assert found == [], "convert workflow errors in safety_platform.lib (api.exception_handler, forms.add_errors)"
