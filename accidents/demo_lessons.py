"""The demo lesson for `manage.py seed_demo`: the city office's 吸取外省化工企业爆炸事故教训, drawn from the demo
accident elsewhere (the first external accident; one is entered here when none is), published to the demo city's
hazardous-chemicals enterprises ("enterprises like this one"), to be done within a week. A few enterprises have done
theirs already through the real flow (started from the task, answered, submitted; one found a hazard, filed with
source accident_lesson); the demo enterprise's own is left to do, so its queue shows it.

Through the workflow (audited) as demo-city. Idempotent: a lesson of the same title that is not withdrawn is kept.
Works on SQLite (the embedded `make run`: "like this one" through Python) and PostgreSQL."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from inspections import workflow as inspection_workflow
from inspections.choices import Result
from inspections.models import ChecklistItem, ChecklistVersion
from organizations.choices import PositionKind
from organizations.models import Industry, PositionAssignment, Region, User
from workdays.calendar import SHANGHAI

from . import lessons, selfchecks
from .choices import LessonStatus
from .models import Accident, Lesson, LessonTask

DONE = 4  # tasks the demo finishes (the first of them with a failed item)

TITLE = "吸取外省化工企业爆炸事故教训开展对照检查"
LESSON = (
    "某省某化工有限公司在检修作业中违规动火，引燃泄漏的可燃气体发生爆炸，造成3人死亡。事故暴露出动火作业审批流于形式、"
    "可燃气体检测不到位、检修作业未落实能量隔离等问题。\n"
    "各危险化学品企业要举一反三，对照检查动火、受限空间、检维修作业管理和可燃有毒气体检测报警设施，发现隐患立即整改。"
)
ITEMS = [
    {
        "text": "动火作业是否严格执行审批制度，作业票证是否齐全有效",
        "legal_basis": "GB 30871-2022《危险化学品企业特殊作业安全规范》",
    },
    {"text": "动火前是否进行可燃气体分析，分析合格后方可作业", "legal_basis": "GB 30871-2022 第5.3条"},
    {"text": "检修作业前是否落实能量隔离和吹扫置换", "legal_basis": "《化工企业安全检修规程》"},
    {"text": "可燃有毒气体检测报警设施是否完好并定期检定", "legal_basis": "GB/T 50493-2019", "major_criterion": True},
    {"text": "是否组织员工学习事故通报并开展警示教育", "legal_basis": "《安全生产法》第二十八条"},
]


def _accident(city: Region, by: User) -> Accident:
    found = Accident.objects.filter(external=True).order_by("pk").first()
    if found is not None:
        return found
    industry = (
        Industry.objects.filter(name="危险化学品").order_by("code").first() or Industry.objects.order_by("code").first()
    )
    return Accident.objects.create(
        title="外省某化工有限公司“检修动火”爆炸事故", external=True, source="国务院安委会办公室事故警示通报",
        enterprise_name="某化工有限公司", region=city, region_path=city.path, industry=industry,
        place="某省某市化工园区",
        accident_type="18", grade="large", deaths=3, serious_injuries=2,
        occurred_at=timezone.now() - timedelta(days=12), created_by=by,
        course="检修作业中违规动火，引燃泄漏的可燃气体发生爆炸。", direct_causes=["unsafe_act"],
        indirect_causes=["supervision", "measures"],
    )  # fmt: skip


def load_demo_lessons() -> dict[str, int]:
    """The running lesson; counts for seed_demo's summary."""
    city_user = User.objects.filter(username="demo-city").first()
    city = Region.objects.filter(parent__isnull=True).order_by("path").first()
    if city_user is None or city is None or not ChecklistVersion.objects.exists():
        return {"lessons": 0, "lessons_created": 0}
    accident = _accident(city, city_user)
    found = Lesson.objects.filter(title=TITLE).exclude(status=LessonStatus.WITHDRAWN).first()
    created = 0
    if found is None:
        deadline = datetime.combine(timezone.localdate() + timedelta(days=7), time(18), tzinfo=SHANGHAI)
        found = lessons.create(city_user, accident, title=TITLE, lesson=LESSON, deadline=deadline, like_this_one=True,
                               items=ITEMS)  # fmt: skip
        created = 1
    if found.status == LessonStatus.DRAFT:
        found = lessons.publish(city_user, found.pk)
    if created:
        _do_some(found)
    return {"lessons": Lesson.objects.count(), "lessons_created": created, "lesson_tasks": found.tasks_total,
            "lesson_tasks_created": found.tasks_total if created else 0}  # fmt: skip


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (190, 90, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile("lesson.jpg", buffer.getvalue(), content_type="image/jpeg")


def _do_some(lesson: Lesson) -> None:
    """`DONE` enterprises (not the demo enterprise's) finish their self-check as their principal would: start it from
    the task, answer every item, submit; the first fails the gas-detection item, with a photo, which files a hazard."""
    principals = {
        a.position.enterprise_id: a.user
        for a in PositionAssignment.objects.current()
        .filter(position__kind=PositionKind.ENTERPRISE_PRINCIPAL, user__is_active=True)
        .exclude(user__username="demo-enterprise")
        .select_related("user", "position")
    }
    tasks = [t for t in LessonTask.objects.filter(lesson=lesson).order_by("pk") if t.enterprise_id in principals]
    items = list(ChecklistItem.objects.filter(section__version=lesson.version).order_by("section__order", "order"))
    for n, task in enumerate(tasks[:DONE]):
        principal = principals[task.enterprise_id]
        inspection = selfchecks.start(principal, task)
        for item in items:
            fail = n == 0 and item.major_criterion
            found = "可燃气体检测报警器探头超期未检定" if fail else ""
            data = {"result": Result.FAIL if fail else Result.PASS, "text": found, "note": "罐区" if fail else ""}
            inspection_workflow.answer(principal, inspection, item.pk, data, [_photo()] if fail else [])
        inspection_workflow.submit(principal, inspection, uuid.uuid4())
