"""Each shift's one check-in becomes a DutyCheckIn, in a migration of its own: PostgreSQL refuses to alter a table
in the transaction that wrote rows pointing at it (pending trigger events)."""

from django.db import migrations


def carry_check_ins_over(apps, schema_editor):
    """Each shift's one check-in becomes the check-in of who made it, without proof (none was asked then)."""
    DutyShift = apps.get_model("duty_roster", "DutyShift")
    DutyCheckIn = apps.get_model("duty_roster", "DutyCheckIn")
    shifts = DutyShift.objects.filter(checked_in_at__isnull=False, checked_in_by__isnull=False)
    DutyCheckIn.objects.bulk_create(
        [DutyCheckIn(shift_id=s.pk, person_id=s.checked_in_by_id, at=s.checked_in_at, proof="none", verified=False,
                     location=s.location) for s in shifts.iterator()],
        batch_size=1000,
    )


def carry_check_ins_back(apps, schema_editor):
    """Back: the shift's first check-in (any person) fills the shift's single one again."""
    DutyShift = apps.get_model("duty_roster", "DutyShift")
    DutyCheckIn = apps.get_model("duty_roster", "DutyCheckIn")
    for check_in in DutyCheckIn.objects.order_by("shift_id", "at", "id").distinct("shift_id"):
        DutyShift.objects.filter(pk=check_in.shift_id).update(
            checked_in_at=check_in.at, checked_in_by_id=check_in.person_id, location=check_in.location
        )


class Migration(migrations.Migration):
    dependencies = [
        ("duty_roster", "0007_per_person_check_in"),
    ]

    operations = [
        migrations.RunPython(carry_check_ins_over, carry_check_ins_back),
    ]
