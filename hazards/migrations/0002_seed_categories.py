"""Seed the hazard taxonomy in Chinese (with English names); the city office edits it in the admin."""

from django.db import migrations

CATEGORIES = [
    ("fire", "消防安全", "Fire safety"),
    ("electrical", "电气安全", "Electrical safety"),
    ("hazchem", "危险化学品", "Hazardous chemicals"),
    ("special_equipment", "特种设备", "Special equipment"),
    ("construction", "建筑施工", "Construction"),
    ("confined_space", "有限空间作业", "Confined space work"),
    ("dust_explosion", "粉尘涉爆", "Dust explosion"),
    ("gas", "燃气安全", "Gas safety"),
    ("road_transport", "道路运输", "Road transport"),
    ("hot_work", "动火作业", "Hot work"),
    ("work_at_height", "高处作业", "Work at height"),
    ("machinery", "机械伤害", "Machinery"),
    ("evacuation", "安全疏散", "Evacuation routes and exits"),
    ("management", "安全管理", "Safety management"),
    ("other", "其他", "Other"),
]


def seed(apps, schema_editor):
    HazardCategory = apps.get_model("hazards", "HazardCategory")
    for sort, (code, name, name_en) in enumerate(CATEGORIES, start=1):
        HazardCategory.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort": sort * 10})


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
