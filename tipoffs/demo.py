"""The demo city's tip-offs for `manage.py seed_demo` (part: demo): eighteen reports in every state around today,
over every channel and kind, named and anonymous, from employees and not, in six of 滨海市's districts, about
enterprises of the registry (routed to the department that supervises them) and operators outside it (triaged by
the city office). See docs/tipoffs.md, "Demo".

Everything goes through the writers, as the demo users who may: the public form's reports through `intake.submit`
without an actor, the staff's (phone 12350, letter, visit, e-mail, referred from above) with the registrar as actor;
then `handling.*` by the handling unit's staff (`access.is_handler`). Then the history is moved into the past (demo
history, as `hazards.demo.make_overdue` does): each report's times and its events' `at` are set to its timeline
below, keeping `due_at = accepted_at + TIPOFF_HANDLING_DAYS (+ TIPOFF_EXTENSION_DAYS once extended)` and
`feedback_due_at = verified_at + TIPOFF_FEEDBACK_DAYS`, so the clocks read right on the day of loading: one accepted
report fresh, one within its reminder window, one overdue, one extended; one verified awaiting its answer, one whose
answer is overdue; closed ones on time and late.

The informants are made up (names no one has, phones 139 0000 01xx). Idempotent: every report has a fixed uuid5
idempotency key; when the first one exists, nothing is made. Reports each table's rows and how many this run made.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from PIL import Image

from hazards.models import Hazard, HazardCategory, HazardEvent
from organizations.models import Department, Industry, Region
from oversight.models import IllegalOperation

from . import handling
from .choices import Channel, Kind, Outcome
from .demo_rewards import load_demo_rewards
from .intake import Submission, submit
from .models import Report, ReportEvent, ReportPhoto, Reward

TABLES = {"tipoffs": Report, "tipoff_rewards": Reward}
NAMESPACE = uuid.UUID("3c0b1f4e-8f57-4a57-9b1e-20a0c1d2e3f4")


def key(name: str) -> uuid.UUID:
    """The fixed idempotency key of the demo report `name`."""
    return uuid.uuid5(NAMESPACE, f"tipoff/{name}")


@dataclass(frozen=True)
class Step:
    """One handling step, `days` before loading, by `user` (a demo username): a `handling` function and its
    arguments (region / department / industry / category by code; `found_on` / `closed_on` in days ago)."""

    days: float
    user: str
    action: str
    args: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Demo:
    name: str
    days: float  # received so many days before loading
    channel: str
    kind: str
    region: str  # the township's code
    address: str
    description: str
    enterprise: str = ""  # as the informant named it: a registry's exact name routes the report to its department
    informant: tuple[str, str, str] | None = None  # (name, phone, contact address); None: anonymous
    employee: bool = False
    registrar: str = ""  # who registered a report received by phone, letter, visit, e-mail or referral
    coordinates: tuple[str, str] | None = None
    photo: bool = False
    steps: tuple[Step, ...] = ()


def verify(days: float, user: str, outcome: str, finding: str) -> Step:
    return Step(days, user, "verify", {"outcome": outcome, "finding": finding})


# --- the reports ----------------------------------------------------------------------------------------------------
# Handlers: 市应急管理局's reports by demo-department (head) and demo-inspector; 海滨区's by demo-district (its leader);
# the city office's by demo-city; other departments' by their heads (demo-head-<department code>, ops/seeding/demo.py).

ACCEPT = "已受理，安排执法人员现场核查。"
DEMO = [
    # received, at the city office: an operator outside the registry
    Demo(
        "received-city", 0.4, Channel.WEB, Kind.ILLEGAL, "990103001", "新城街道建设路北侧废旧厂房",
        "废旧厂房内有人夜间加工塑料颗粒，用液化气罐明火加热，没有任何消防设施，旁边就是居民楼。",
        enterprise="建设路某无证塑料加工作坊",
    ),
    # received, at the department (市应急管理局), registered from the 12350 hotline; and a repeat of it two days later
    Demo(
        "received-department", 3.2, Channel.PHONE, Kind.HAZARD, "990103002", "文昌新利化工有限公司二号罐区",
        "二号罐区围堰有裂缝，可燃气体报警器已经坏了一个多月，车间主任说等检修再换，夜班只有一个人巡检。",
        enterprise="文昌新利化工有限公司", informant=("周晓梅", "139 0000 0101", ""), employee=True,
        registrar="demo-city",
    ),
    Demo(
        "received-repeat", 1.1, Channel.WEB, Kind.HAZARD, "990103002", "文昌新利化工有限公司二号罐区",
        "路过时闻到很重的刺鼻气味，罐区围堰外地面有油渍，担心泄漏。",
        enterprise="文昌新利化工有限公司", informant=("钱立群", "139 0000 0102", ""),
        coordinates=("36.072310", "120.401850"),
    ),
    # received, transferred by the city office to 青山县应急管理局 (the name given was not the registry's)
    Demo(
        "received-transferred", 2.3, Channel.PHONE, Kind.HAZARD, "990121101", "青山镇工业园储能电站",
        "储能电站集装箱有一个冒过烟，厂里没有报告，现在照常运行。",
        enterprise="青山永德储能", informant=("孙大成", "139 0000 0103", ""), registrar="demo-city",
        steps=(Step(1.9, "demo-city", "transfer", {"reason": "属青山县应急管理局监管的储能企业，转其核查。",
                                                   "department": "990121-yjj"}),),
    ),  # fmt: skip
    # accepted: fresh (and a repeat of it merged two days later)
    Demo(
        "accepted-fresh", 6.3, Channel.EMAIL, Kind.HAZARD, "990104002", "临港联润机械有限公司喷漆车间",
        "喷漆车间排风机停用，工人不戴防毒面具作业，车间里堆着几十桶稀释剂。",
        enterprise="临港联润机械有限公司", informant=("吴秀兰", "139 0000 0104", "滨海市港口区港湾街道望潮路6号"),
        employee=True, registrar="demo-department",
        steps=(Step(5.1, "demo-inspector", "accept", {"note": ACCEPT}),),
    ),
    Demo(
        "merged", 4.2, Channel.WEB, Kind.HAZARD, "990104002", "临港联润机械有限公司喷漆车间",
        "喷漆车间气味很大，窗户都封死了。",
        enterprise="临港联润机械有限公司",
        steps=(Step(3.4, "demo-inspector", "merge", {"note": "与前一件举报为同一事项，并案核查。"}),),
    ),
    # accepted 55 days ago: the limit within TIPOFF_REMIND_DAYS, a reminder is due
    Demo(
        "accepted-due-soon", 57.2, Channel.WEB, Kind.HAZARD, "990171002", "科创瑞昌建材有限公司粉磨车间",
        "粉磨车间除尘器长期不开，地面积灰很厚，电气设备不是防爆的。",
        enterprise="科创瑞昌建材有限公司", informant=("郑国平", "139 0000 0105", ""),
        steps=(Step(55.0, "demo-department", "accept", {"note": ACCEPT}),),
    ),
    # accepted 64 days ago, overdue: registered by 海滨区's duty officer, handed to 海滨区 by the city office
    Demo(
        "accepted-overdue", 66.4, Channel.LETTER, Kind.ILLEGAL, "990102002", "望海街道渔港路东段空地",
        "空地上停着两辆油罐车，晚上给附近的渔船和货车加油，没有任何手续，旁边是加工厂宿舍。",
        enterprise="渔港路流动加油点", informant=("冯雪", "139 0000 0106", "滨海市海滨区望海街道渔港新村"),
        registrar="demo-duty",
        steps=(
            Step(65.3, "demo-city", "transfer", {"reason": "无证经营成品油，属地管理，请海滨区组织核查取缔。",
                                                 "region": "990102"}),
            Step(64.0, "demo-district", "accept", {"note": "区安委办牵头，街道和商务部门联合核查。"}),
        ),
    ),  # fmt: skip
    # accepted 75 days ago, extended once 20 days ago (before its limit) by 30 days
    Demo(
        "accepted-extended", 76.1, Channel.VISIT, Kind.HAZARD, "990171001", "海韵新航建筑工程有限公司海韵花园项目",
        "海韵花园项目的塔吊没有检验就使用，分包队伍的工人没有培训就上脚手架。",
        enterprise="海韵新航建筑工程有限公司", informant=("陈思远", "139 0000 0107", ""), employee=True,
        registrar="demo-city",
        steps=(
            Step(75.0, "demo-head-city-zjj", "accept", {"note": ACCEPT}),
            Step(20.2, "demo-head-city-zjj", "extend",
                 {"reason": "涉及多家分包单位，需调取施工记录并委托特种设备检验机构检测，核查时间延长。"}),
        ),
    ),  # fmt: skip
    # verified 3 days ago, the answer due within the week
    Demo(
        "verified", 20.3, Channel.WEB, Kind.HAZARD, "990103002", "文昌宏创化工有限公司危化品仓库",
        "危化品仓库里氧化剂和易燃液体混放，仓库门口的喷淋装置是坏的。",
        enterprise="文昌宏创化工有限公司", informant=("褚建新", "139 0000 0108", ""), employee=True,
        coordinates=("36.070880", "120.398120"),
        steps=(
            Step(19.0, "demo-inspector", "accept", {"note": ACCEPT}),
            verify(3.1, "demo-inspector", Outcome.SUBSTANTIATED,
                   "现场核查：氧化剂与易燃液体同库混存，喷淋系统故障，情况属实，已责令立即分开存放。"),
        ),
    ),  # fmt: skip
    # verified 13 days ago: its answer is overdue
    Demo(
        "verified-answer-overdue", 40.2, Channel.PHONE, Kind.HAZARD, "990102002", "望海金禾商业管理有限公司望海商城",
        "商城三楼两个安全出口被货架堵死，消防通道里停着电动车充电。",
        enterprise="望海金禾商业管理有限公司", registrar="demo-city",
        steps=(
            Step(39.0, "demo-head-city-xfzd", "accept", {"note": ACCEPT}),
            verify(13.1, "demo-head-city-xfzd", Outcome.PARTLY,
                   "安全出口堵塞属实，已当场清理；未发现通道内充电。"),
        ),
    ),  # fmt: skip
    # closed, substantiated: a hazard filed (on time)
    Demo(
        "closed-hazard", 48.3, Channel.WEB, Kind.HAZARD, "990122201", "白沙联昌化工有限公司储罐区",
        "储罐区可燃气体报警器拆下来一直没装回去，领导说应付检查的时候再装。",
        enterprise="白沙联昌化工有限公司", informant=("卫红", "139 0000 0109", ""), employee=True,
        coordinates=("36.318450", "120.052270"), photo=True,
        steps=(
            Step(47.0, "demo-inspector", "accept", {"note": ACCEPT}),
            Step(40.1, "demo-inspector", "file_hazard", {
                "title": "储罐区可燃气体报警器缺失", "category": "hazchem", "place": "储罐区",
                "description": "储罐区3台可燃气体报警器被拆除未恢复，储罐区处于无监测状态。",
            }),
            verify(30.2, "demo-inspector", Outcome.SUBSTANTIATED,
                   "现场检查：3台报警器被拆除，情况属实，已立案并责令整改。"),
            Step(26.0, "demo-department", "answer", {"text": "您反映的储罐区可燃气体报警器缺失问题经核查属实，"
                                                            "已责令企业限期恢复并依法处理。感谢您的举报。"}),
        ),
    ),  # fmt: skip
    # closed, substantiated: an illegal operation recorded (on time)
    Demo(
        "closed-illegal", 35.4, Channel.WEB, Kind.ILLEGAL, "990102003", "金沙街道沙港路废品收购站后院",
        "废品收购站后院存放了很多油漆、天那水的铁桶，还有人在里面分装后往外卖。",
        enterprise="沙港路废品收购站",
        steps=(
            Step(34.0, "demo-city", "accept", {"note": ACCEPT}),
            Step(30.1, "demo-city", "record_illegal", {
                "kind": "unlicensed", "industry": "1001", "action": "ban", "result": "banned",
                "description": "废品收购站无证储存、分装油漆稀释剂等危险化学品约3吨，已依法取缔，物品暂扣。",
                "found_on": 30, "closed_on": 28,
            }),
            verify(28.0, "demo-city", Outcome.SUBSTANTIATED,
                   "无证储存分装危险化学品属实，已取缔。"),
            Step(25.1, "demo-city", "answer", {"text": "您举报的无证储存、分装危险化学品问题经核查属实，"
                                                      "有关部门已依法取缔。感谢您的举报。"}),
        ),
    ),  # fmt: skip
    # closed, partly substantiated, late: verified after its handling limit
    Demo(
        "closed-partly-late", 82.2, Channel.VISIT, Kind.HAZARD, "990103003", "锦绣天昌轻工制品有限公司包装车间",
        "包装车间的冲压机没有防护罩，上个月有人压伤了手，厂里私了了。",
        enterprise="锦绣天昌轻工制品有限公司", informant=("蒋志勇", "139 0000 0110", ""),
        registrar="demo-department",
        steps=(
            Step(80.0, "demo-department", "accept", {"note": ACCEPT}),
            verify(18.3, "demo-inspector", Outcome.PARTLY,
                   "冲压机防护缺失属实；压伤事故经调查为轻微擦伤，未构成生产安全事故。"),
            Step(15.0, "demo-department", "answer", {"text": "经核查，冲压机防护缺失问题属实，已责令整改；"
                                                            "所反映的受伤情况经调查为轻微擦伤。"}),
        ),
    ),  # fmt: skip
    # closed, unfounded, late: the answer came after its ten days
    Demo(
        "closed-unfounded-late", 50.1, Channel.EMAIL, Kind.HAZARD, "990104001", "港湾金源建材有限公司搅拌站",
        "搅拌站的罐车司机疲劳驾驶，一天跑十几趟，车辆刹车有问题。",
        enterprise="港湾金源建材有限公司", informant=("沈丽华", "139 0000 0111", ""),
        registrar="demo-department",
        steps=(
            Step(49.0, "demo-inspector", "accept", {"note": ACCEPT}),
            verify(22.2, "demo-inspector", Outcome.UNFOUNDED,
                   "调阅行车记录和车辆检验报告，未发现超时驾驶和制动缺陷。"),
            Step(5.1, "demo-department", "answer", {"text": "经调阅行车记录和车辆检验报告，未发现您反映的问题。"
                                                           "如有新的线索，欢迎继续反映。"}),
        ),
    ),  # fmt: skip
    # closed, substantiated: a concealed accident (a death), referred from above (on time)
    Demo(
        "closed-concealed", 70.3, Channel.REFERRED, Kind.CONCEALED_ACCIDENT, "990122102", "柳湾嘉润矿业有限公司采区",
        "上个月采区冒顶砸死一名工人，企业给了家属钱，没有上报。",
        enterprise="柳湾嘉润矿业有限公司", informant=("韩冬", "139 0000 0112", "滨海市河谷县柳湾镇"), employee=True,
        registrar="demo-city",
        steps=(
            Step(69.0, "demo-department", "accept", {"note": "省应急管理厅转办，局领导督办。"}),
            verify(45.2, "demo-department", Outcome.SUBSTANTIATED,
                   "经调查，该矿采区发生冒顶事故造成1人死亡，企业瞒报属实，已移交事故调查组。"),
            Step(38.0, "demo-department", "answer", {"text": "您举报的瞒报生产安全事故问题经调查属实，"
                                                            "已依法组织事故调查并追究责任。感谢您的举报。"}),
        ),
    ),  # fmt: skip
    # declined, with the reason the informant reads
    Demo(
        "declined", 10.2, Channel.WEB, Kind.OTHER, "990103002", "文昌街道锦华小区5号楼",
        "楼上住户装修，晚上十点以后还在电钻打孔，噪音太大。",
        steps=(Step(9.1, "demo-city", "decline", {"reason": "装修噪音不属于安全生产监管范围，请向所在街道办事处"
                                                            "或城市管理部门反映。"}),),
    ),  # fmt: skip
    # invalid
    Demo(
        "spam", 2.1, Channel.WEB, Kind.OTHER, "990104001", "港湾街道",
        "专业代办各类安全生产许可证，包过，价格优惠。",
        steps=(Step(1.8, "demo-city", "mark_spam", {"reason": "广告信息，与安全生产无关。"}),),
    ),
]  # fmt: skip


# --- loading --------------------------------------------------------------------------------------------------------


def load_demo_tipoffs() -> dict[str, int]:
    before = {name: model.objects.count() for name, model in TABLES.items()}
    counts: dict[str, int] = {}
    if not Report.objects.filter(idempotency_key=key(DEMO[0].name)).exists():
        users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")}
        now = timezone.now()
        with transaction.atomic():
            for demo in sorted(DEMO, key=lambda d: -d.days):  # oldest first: codes follow the days received
                report = submit(submission(demo), actor=users[demo.registrar] if demo.registrar else None).report
                for step in demo.steps:
                    handle(users[step.user], report, step, now)
                place_in_time(Report.objects.get(pk=report.pk), demo, now)
    load_demo_rewards()  # rewards in every state on the verified reports (part: rewards)
    for name, model in TABLES.items():
        counts[name] = model.objects.count()
        counts[f"{name}_created"] = counts[name] - before[name]
    return counts


def submission(demo: Demo) -> Submission:
    name, phone, contact = demo.informant or ("", "", "")
    latitude, longitude = demo.coordinates or (None, None)
    return Submission(
        kind=demo.kind, description=demo.description, region=Region.objects.get(code=demo.region),
        address=demo.address, enterprise_name=demo.enterprise, latitude=latitude, longitude=longitude,
        is_anonymous=demo.informant is None, is_employee=demo.employee, name=name, phone=phone,
        contact_address=contact, photos=(photo(),) if demo.photo else (), channel=demo.channel,
        idempotency_key=key(demo.name),
    )  # fmt: skip


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 128, 136)).save(buffer, "JPEG")
    return SimpleUploadedFile("现场.jpg", buffer.getvalue(), "image/jpeg")


def handle(actor, report: Report, step: Step, now: datetime) -> None:
    """One step through its writer; codes become rows, days ago become days."""
    args = dict(step.args)
    if "department" in args:
        args["department"] = Department.objects.get(code=args["department"])
    if "region" in args:
        args["region"] = Region.objects.get(code=args["region"])
    if "industry" in args:
        args["industry"] = Industry.objects.get(code=args["industry"])
    if "category" in args:
        args["category"] = HazardCategory.objects.get(code=args["category"])
    for name in ("found_on", "closed_on"):
        if name in args:
            args[name] = timezone.localdate(now) - timedelta(days=args[name])
    getattr(handling, step.action)(actor, report, **args)


# What each step's event and time are: the report's field it sets.
STEP_FIELDS = {
    "accept": "accepted_at",
    "extend": "extended_at",
    "verify": "verified_at",
    "answer": "closed_at",
    "decline": "closed_at",
    "mark_spam": "closed_at",
    "merge": "closed_at",
}


def place_in_time(report: Report, demo: Demo, now: datetime) -> None:
    """Demo history: the report's times and its events' as its timeline says (the writers wrote them now), the
    limits kept consistent (due = accepted + handling days (+ extension), answer due = verified + feedback days),
    the days told to the informant with them; a hazard or illegal operation filed from it dated its step."""
    moments = [now - timedelta(days=demo.days)] + [now - timedelta(days=step.days) for step in demo.steps]
    values = {"received_at": moments[0]}
    for step, moment in zip(demo.steps, moments[1:], strict=True):
        if step.action in STEP_FIELDS:
            values[STEP_FIELDS[step.action]] = moment
    if "accepted_at" in values:
        values["due_at"] = values["accepted_at"] + timedelta(days=settings.TIPOFF_HANDLING_DAYS)
        if "extended_at" in values:
            values["due_at"] += timedelta(days=settings.TIPOFF_EXTENSION_DAYS)
    if "verified_at" in values:
        values["feedback_due_at"] = values["verified_at"] + timedelta(days=settings.TIPOFF_FEEDBACK_DAYS)
    shift = values["accepted_at"] - report.accepted_at if report.accepted_at else timedelta(0)
    Report.objects.filter(pk=report.pk).update(**values)
    ReportPhoto.objects.filter(report=report).update(uploaded_at=moments[0])
    events = list(ReportEvent.objects.filter(report=report).order_by("id"))
    for event, moment in zip(events, moments, strict=True):
        event.at = moment
        if "due_at" in event.data:  # accept / extend: "… by <day>" told to the informant
            before = datetime.fromisoformat(event.data["due_at"])
            event.data["due_at"] = (before + shift).isoformat()
            event.public_text = event.public_text.replace(day(before), day(before + shift))
        event.save(update_fields=["at", "data", "public_text"])
    for step, moment in zip(demo.steps, moments[1:], strict=True):
        if step.action == "file_hazard":
            Hazard.objects.filter(pk=report.hazard_id).update(found_at=moment, created_at=moment)
            HazardEvent.objects.filter(hazard_id=report.hazard_id).update(at=moment)
        if step.action == "record_illegal":
            IllegalOperation.objects.filter(pk=report.illegal_operation_id).update(recorded_at=moment)


def day(moment: datetime) -> str:
    """A day as the writers tell it to the informant (handling._day)."""
    with override(settings.LANGUAGE_CODE):
        return date_format(timezone.localtime(moment), "DATE_FORMAT")
