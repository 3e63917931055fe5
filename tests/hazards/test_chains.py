"""Escalation chains have one writer, `hazards.chains.update_chain`: the API and the admin save through it (checked,
audited, one transaction); answering a must-answer notice about a hazard puts the answer on its timeline."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from hazards import chains, workflow
from hazards.models import EscalationChain, HazardEvent
from notifications import outbox
from notifications.models import Notification

from ..conftest import reseed
from .conftest import filing

STEP = {"offset_working_days": 0, "targets": ["enterprise_principal"], "must_answer": True, "label": "到期"}


def change_form(admin_client, chain) -> tuple[str, dict]:
    """The admin's change page of the chain, as its POST data with nothing changed."""
    url = f"/admin/hazards/escalationchain/{chain.pk}/change/"
    response = admin_client.get(url)
    assert response.status_code == 200
    data = {"name": chain.name}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            data[f"{formset.prefix}-{name}"] = formset.management_form.initial.get(name, field.initial)
        for form in formset.forms:
            for name in form.fields:
                value = form.initial.get(name)
                if name == "targets":
                    value = json.dumps(value)
                elif name == "id":
                    value = form.instance.pk
                elif name == "chain":
                    value = chain.pk
                if value is not None and value is not False:
                    data[form.add_prefix(name)] = value
    return url, data


def test_an_admin_edit_saves_through_update_chain_and_is_audited(admin_client, db):
    reseed()
    chain = EscalationChain.objects.get(level="general")
    before = chain.snapshot()
    url, data = change_form(admin_client, chain)
    assert admin_client.post(url, data).status_code == 302  # nothing changed: nothing written
    assert not AuditEvent.objects.filter(action="escalation_chain.update").exists()

    data = {**data, "name": "一般隐患逾期升级（后台）", "steps-0-label": "提前三天提醒"}
    assert admin_client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="escalation_chain.update")
    assert event.changes["name"] == [chain.name, "一般隐患逾期升级（后台）"]
    old_steps, new_steps = event.changes["steps"]
    assert old_steps == before and new_steps[0]["label"] == "提前三天提醒" and len(new_steps) == len(before)
    assert event.content_type.app_label == "hazards"

    url, data = change_form(admin_client, chain)  # the steps were replaced: new rows
    same_day = {**data, "steps-1-offset_working_days": data["steps-0-offset_working_days"]}
    response = admin_client.post(url, same_day)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [str(chains.SAME_DAY)]
    assert AuditEvent.objects.filter(action="escalation_chain.update").count() == 1


def test_update_chain_checks_who_and_what_whoever_calls_it(world):
    reseed()
    chain = EscalationChain.objects.get(level="general")
    with pytest.raises(PermissionDenied):
        chains.update_chain(world.users["district"], chain, name="x")
    with pytest.raises(ValidationError):
        chains.update_chain(world.users["city"], chain, steps=[STEP, {**STEP, "label": "again"}])
    with pytest.raises(ValidationError):
        chains.update_chain(world.users["city"], chain, steps=[{**STEP, "targets": ["the_mayor"]}])
    assert not AuditEvent.objects.exists() and chain.name == EscalationChain.objects.get(pk=chain.pk).name
    chains.update_chain(world.users["city"], chain, steps=[STEP])
    assert len(EscalationChain.objects.get(pk=chain.pk).snapshot()) == 1


def test_answering_a_must_answer_notice_about_a_hazard_goes_on_its_timeline(hz):
    hazard, _ = workflow.file_hazard(hz.users["inspector"], filing(hz))
    city = hz.users["city"]
    position = city.assignments.get().position
    outbox.notify([(city, position)], "test:hz", "请回复", "正文", "", timedelta(minutes=5))
    notice = Notification.objects.get(recipient=city)
    Notification.objects.filter(pk=notice.pk).update(hazard=hazard)
    outbox.acknowledge(city, notice.pk)
    event = HazardEvent.objects.get(hazard=hazard, action="acknowledge")
    assert (event.actor, event.data, event.from_status, event.to_status) == (
        city, {"notification": notice.pk, "title": "请回复"}, "", ""
    )  # fmt: skip
