"""Demo hazards for `manage.py seed_demo`: a living ledger in every state, made by the demo users through the
workflow itself (so every one has its timeline). Idempotent: each filing has a fixed idempotency key.

Everything is placed relative to the day of loading: each hazard was found some days before it, and each
deadline is the end (23:59:59 Beijing time) of a working day counted from it (workdays calendar): a few
overdue, some due within the week, the rest later."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from organizations.models import Enterprise, User
from workdays.calendar import END_OF_DAY, SHANGHAI, add_working_days, subtract_working_days

from . import escalation, workflow
from .models import Hazard, HazardCategory, LookBack

NAMESPACE = uuid.UUID("6a0f4f7e-5d2e-4d55-9a55-0d3c1b6c7a10")
# (title, place, category, level, how far along: reported / confirmed / rectifying / awaiting / closed / overdue,
#  found so many days ago, deadline in working days from today: negative is overdue)
DEMO = [
    ("储罐区呼吸阀堵塞", "储罐区", "hazchem", "major", "rectifying", 12, 10),
    ("灭火器压力不足", "一号仓库", "fire", "general", "closed", 20, 5),
    ("配电箱未可靠接地", "二号车间", "electrical", "general", "awaiting", 9, 3),
    ("安全出口被货物堵塞", "成品仓库", "evacuation", "general", "overdue", 25, -4),
    ("气瓶未固定放置", "维修车间", "hazchem", "general", "confirmed", 3, 2),
    ("有限空间作业未检测气体", "污水池", "confined_space", "general", "reported", 1, None),
    ("动火作业无审批", "装置区", "hot_work", "general", "rectifying", 6, 1),
    ("高处作业未系安全带", "厂房屋面", "work_at_height", "general", "reported", 0, None),
]
# The others: every second one is confirmed, with these deadlines in turn (working days from today).
OTHER_DEADLINES = [-1, 4, 8, 12, 15, 20]
OTHERS = [
    ("厨房燃气管道老化", "后厨", "gas", "general"),
    ("疏散指示标志损坏", "一楼大厅", "evacuation", "general"),
    ("起重机械未定期检验", "装卸区", "special_equipment", "general"),
    ("粉尘清扫不及时", "打磨车间", "dust_explosion", "major"),
    ("脚手架连墙件缺失", "三号楼", "construction", "general"),
    ("应急照明不亮", "地下车库", "fire", "general"),
]
# Closed major hazards whose look-back (回头看) is due so many days from today (negative: overdue).
LOOK_BACKS = [
    ("储罐阀门渗漏", "二号储罐区", "hazchem", 6),
    ("除尘系统未可靠接地", "抛光车间", "dust_explosion", -9),
]


def key(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def end_of_working_day(offset: int, today: date | None = None) -> datetime:
    """23:59:59 Beijing time of the `offset`-th working day after today (negative: before today)."""
    today = today or timezone.localdate()
    day = add_working_days(today, offset) if offset > 0 else subtract_working_days(today, -offset)
    return datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def demo_enterprises() -> list[Enterprise]:
    """The enterprises with demo hazards: demo-enterprise's first, then every fifth one the inspector sees."""
    inspector = User.objects.get(username="demo-inspector")
    firm = User.objects.get(username="demo-enterprise").enterprise
    others = Enterprise.objects.visible_to(inspector).exclude(pk=firm.pk).order_by("id")[:60:5]
    return [firm, *others]


def load_demo_hazards() -> dict[str, int]:
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    inspector, department, firm = users["demo-inspector"], users["demo-department"], users["demo-enterprise"]
    before = Hazard.objects.count()
    now = timezone.now()
    with transaction.atomic():
        for index, (title, place, category, level, stage, days_ago, due) in enumerate(DEMO):
            found = now - timedelta(days=days_ago, hours=3)
            hazard, created = file(inspector, firm.enterprise, title, place, category, level, found, key("demo", index))
            if created:
                walk(hazard, stage, due, inspector, department, firm)
        for index, enterprise in enumerate(demo_enterprises()[1:]):
            title, place, category, level = OTHERS[index % len(OTHERS)]
            found = now - timedelta(days=2 + 3 * index)
            hazard, created = file(inspector, enterprise, title, place, category, level, found, key("other", index))
            if created and index % 2:
                due = OTHER_DEADLINES[(index // 2) % len(OTHER_DEADLINES)]
                workflow.confirm(department, hazard, end_of_working_day(max(due, 1)))
                if due < 0:
                    make_overdue(hazard, due)
        load_demo_look_backs(inspector, department, firm)
    return {"hazards": Hazard.objects.count(), "hazards_created": Hazard.objects.count() - before}


def file(actor, enterprise, title, place, category, level, found, idempotency_key):
    filing = workflow.Filing(
        enterprise=enterprise,
        title=title,
        place=place,
        category=HazardCategory.objects.get(code=category),
        level=level,
        description=f"{place}：{title}。",
        found_at=found,
        idempotency_key=idempotency_key,
    )
    return workflow.file_hazard(actor, filing)


def load_demo_look_backs(inspector: User, department: User, firm: User) -> None:
    """Two major hazards closed about three months ago through the workflow (with an evaluation photo), their
    look-backs then moved in time: one due within the week, one overdue (demo history, as `make_overdue`)."""
    today = timezone.localdate()
    for index, (title, place, category, due) in enumerate(LOOK_BACKS):
        found = timezone.now() - timedelta(days=120)
        hazard, created = file(inspector, firm.enterprise, title, place, category, "major", found, key("lb", index))
        if not created:
            continue
        walk(hazard, "awaiting", 5, inspector, department, firm)
        workflow.attach_evaluation(firm, hazard, _evaluation_photo(), "第三方评估报告")
        workflow.accept(department, hazard, "现场验收合格")
        due_on = today + timedelta(days=due)
        closed_at = timezone.now() - (today - (due_on - relativedelta(months=settings.LOOKBACK_MONTHS)))
        Hazard.objects.filter(pk=hazard.pk).update(closed_at=closed_at)
        LookBack.objects.filter(hazard=hazard).update(closed_at=closed_at, due_on=due_on)


def _evaluation_photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), (245, 245, 240)).save(buffer, "JPEG")
    return SimpleUploadedFile("评估报告.jpg", buffer.getvalue(), "image/jpeg")


def make_overdue(hazard: Hazard, due: int) -> None:
    """Demo history: confirmed long ago, its deadline passed. Nothing but the demo loader writes a deadline in
    the past; the workflow refuses one."""
    Hazard.objects.filter(pk=hazard.pk).update(deadline=end_of_working_day(due))
    escalation.start(Hazard.objects.get(pk=hazard.pk))  # so the demo's scheduler escalates it at once


def walk(hazard: Hazard, stage: str, due: int | None, inspector: User, department: User, firm: User) -> None:
    """Move a demo hazard as far as its stage, by the people who would."""
    if stage == "reported":
        return
    deadline = end_of_working_day(max(due, 1))
    workflow.confirm(inspector, hazard, deadline)
    if stage == "confirmed":
        return
    if stage == "overdue":
        make_overdue(hazard, due)
        return
    plan = {
        "responsible_person": "陈伟",
        "measures": "立即整改并举一反三排查同类部位",
        "funds": 5000,
        "deadline": deadline,
        "contingency_plan": "整改期间设置警戒区，专人值守",
    }
    if hazard.level == "major":
        plan.update(
            goal="消除储罐区超压风险",
            methods="更换呼吸阀并加装压力远传报警",
            materials="资金20万元，呼吸阀4套",
            responsible_body="企业设备安全部",
            safety_measures="整改期间储罐降液位运行",
            state_and_cause="呼吸阀被聚合物堵塞，储罐存在超压风险",
            harm_and_difficulty="可能导致储罐破裂、泄漏着火，需局部停产整改",
            workers_withdrawn=True,
            warnings_posted=True,
        )
    workflow.submit_plan(firm, hazard, plan)
    if stage == "rectifying":
        return
    workflow.submit_rectification(firm, hazard, "已按方案完成整改，附整改后照片。")
    if stage == "closed":
        workflow.accept(department, hazard, "现场复查合格")
