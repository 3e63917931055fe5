"""Accidents and lessons for tests, written as rows (the writers have their own tests): an accident at an enterprise
or elsewhere, a draft lesson with a checklist, and its tasks."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accidents.models import Accident, Lesson, LessonTask
from inspections.models import ChecklistVersion
from organizations.models import Enterprise, Industry, Region, User
from organizations.responsibility import SupervisionMap


def make_accident(enterprise: Enterprise, by: User, **fields) -> Accident:
    """A production safety accident at `enterprise`, its three parties derived; `fields` override."""
    values = {
        "title": f"{enterprise.name}火灾事故",
        "enterprise": enterprise,
        "region": enterprise.region,
        "region_path": enterprise.region.path,
        "industry_id": enterprise.industry_id,
        "department": SupervisionMap().resolve(enterprise).department,
        "place": "仓库",
        "accident_type": "08",
        "occurred_at": timezone.now() - timedelta(days=3),
        "created_by": by,
        **fields,
    }
    return Accident.objects.create(**values)


def make_external(city: Region, industry: Industry, by: User, **fields) -> Accident:
    """An accident elsewhere, entered for its lesson, seen by every government."""
    values = {
        "title": "外省某化工厂爆炸事故",
        "external": True,
        "source": "国务院安委办通报",
        "enterprise_name": "某化工有限公司",
        "region": city,
        "region_path": city.path,
        "industry": industry,
        "place": "某省某市",
        "accident_type": "18",
        "grade": "large",
        "deaths": 3,
        "occurred_at": timezone.now() - timedelta(days=10),
        "created_by": by,
        **fields,
    }
    return Accident.objects.create(**values)


def make_lesson(accident: Accident, by: User, region: Region, version: ChecklistVersion | None = None,
                **fields) -> Lesson:  # fmt: skip
    """A draft lesson of `accident` over `region`, checked with `version` (the first seeded checklist by default)."""
    values = {
        "accident": accident,
        "title": f"吸取{accident.title}教训",
        "lesson": "举一反三，对照检查。",
        "region": region,
        "region_path": region.path,
        "version": version or ChecklistVersion.objects.order_by("pk").first(),
        "deadline": timezone.now() + timedelta(days=7),
        "created_by": by,
        **fields,
    }
    return Lesson.objects.create(**values)


def make_task(lesson: Lesson, enterprise: Enterprise, **fields) -> LessonTask:
    return LessonTask.objects.create(lesson=lesson, enterprise=enterprise, region_path=enterprise.region.path,
                                     industry_id=enterprise.industry_id, **fields)  # fmt: skip
