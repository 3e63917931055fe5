"""The default escalation chains (editable by the city office): see docs/escalation.md."""

from django.db import migrations

GENERAL = [
    (-3, ["enterprise_principal"], False, "整改期限前3个工作日提醒"),
    (-1, ["enterprise_principal"], False, "整改期限前1个工作日提醒"),
    (0, ["enterprise_principal", "department_head"], True, "整改期限已到"),
    (3, ["territorial_leader"], True, "逾期3个工作日"),
    (7, ["city_office"], True, "逾期7个工作日"),
]
# A major hazard starts one level higher and always tells the listing's supervising leader.
MAJOR = [
    (-3, ["enterprise_principal", "department_head", "listing_leader"], False, "重大隐患整改期限前3个工作日提醒"),
    (-1, ["enterprise_principal", "department_head", "listing_leader"], False, "重大隐患整改期限前1个工作日提醒"),
    (0, ["department_head", "territorial_leader", "listing_leader"], True, "重大隐患整改期限已到"),
    (3, ["city_office", "listing_leader"], True, "重大隐患逾期3个工作日"),
    (7, ["city_office", "territorial_leader", "listing_leader"], True, "重大隐患逾期7个工作日"),
]


def seed(apps, schema_editor, app_label="notifications"):
    # The chains belong to the hazards app since hazards 0006; the tests reseed them there (app_label="hazards").
    Chain = apps.get_model(app_label, "EscalationChain")
    Step = apps.get_model(app_label, "EscalationStep")
    for level, name, steps in (("general", "一般隐患逾期升级", GENERAL), ("major", "重大隐患逾期升级", MAJOR)):
        chain, created = Chain.objects.get_or_create(level=level, defaults={"name": name})
        if created:
            for offset, targets, must_answer, label in steps:
                Step.objects.create(
                    chain=chain, offset_working_days=offset, targets=targets, must_answer=must_answer, label=label
                )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
