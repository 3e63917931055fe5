"""Submitting an inspection says which hazards it filed and who was told to confirm them (issue #14, item 3)."""

from __future__ import annotations

import uuid

from django.contrib.messages import get_messages
from django.urls import reverse

from hazards.models import Hazard

from .test_inspections import answer, answer_all, start


def submit(client, ins, inspection_id):
    client.force_login(ins.users["inspector"])
    response = client.post(reverse("inspections:review", args=[inspection_id]), {"submit_key": str(uuid.uuid4())})
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_the_failed_items_hazards_and_the_department_told_are_named(client, ins):
    for key, name in (("county_dept", "王科员"), ("county_head", "赵局长")):
        ins.users[key].full_name = name
        ins.users[key].save(update_fields=["full_name"])
    inspection_id = start(ins).json()["id"]
    answer_all(ins, inspection_id)  # two failed items at 海滨化工 (supervised by 海滨区应急管理局)
    message = submit(client, ins, inspection_id)
    codes = sorted(Hazard.objects.values_list("code", flat=True))
    assert len(codes) == 2 and all(code in message for code in codes)
    assert message.startswith("已提交：2项不合格已登记为隐患")
    assert "已通知海滨区应急管理局（" in message and "王科员" in message and "赵局长" in message


def test_an_inspection_with_nothing_failed_says_nothing_follows(client, ins):
    inspection_id = start(ins).json()["id"]
    answer(ins, inspection_id, "是否明确消防安全责任人", result="pass")
    answer(ins, inspection_id, "疏散通道、安全出口是否被占用、堵塞", result="pass")
    answer(ins, inspection_id, "疏散通道净宽度", number="1.5")
    assert submit(client, ins, inspection_id) == "已提交：全部合格，无需后续处理。"
    assert not Hazard.objects.exists()
