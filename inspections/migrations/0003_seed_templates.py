"""Seed five real checklists in Chinese from inspections/seed/templates.json (once; edits come as new versions)."""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "seed" / "templates.json"


def seed(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Version = apps.get_model("inspections", "ChecklistVersion")
    Section = apps.get_model("inspections", "ChecklistSection")
    Item = apps.get_model("inspections", "ChecklistItem")
    categories = dict(apps.get_model("hazards", "HazardCategory").objects.values_list("code", "id"))
    for data in json.loads(SEED.read_text(encoding="utf-8")):
        if Template.objects.filter(code=data["code"]).exists():
            continue
        template = Template.objects.create(code=data["code"], name=data["name"], description=data.get("description", ""))
        version = Version.objects.create(template=template, number=1)
        for s_order, section_data in enumerate(data["sections"], start=1):
            section = Section.objects.create(version=version, order=s_order, title=section_data["title"])
            for order, item in enumerate(section_data["items"], start=1):
                Item.objects.create(
                    section=section,
                    order=order,
                    text=item["text"][:500],
                    legal_basis=(item.get("legal_basis") or "")[:500],
                    answer_kind=item["answer_kind"],
                    min_value=Decimal(str(item["min_value"])) if item.get("min_value") is not None else None,
                    max_value=Decimal(str(item["max_value"])) if item.get("max_value") is not None else None,
                    unit=(item.get("unit") or "")[:20],
                    photo_required_on_fail=bool(item.get("photo_required_on_fail", True)),
                    weight=int(item.get("weight", 1)),
                    major_criterion=bool(item.get("major_criterion", False)),
                    category_id=categories.get(item.get("category") or ""),
                )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_supervision"), ("hazards", "0002_seed_categories")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
