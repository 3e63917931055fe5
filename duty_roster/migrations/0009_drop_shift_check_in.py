from django.db import migrations, models


class Migration(migrations.Migration):
    """The shift's single check-in is gone: each person's is a DutyCheckIn (carried over in 0008)."""

    dependencies = [
        ("duty_roster", "0008_carry_check_ins_over"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='dutyshift',
            name='shift_awaiting_check_in',
        ),
        migrations.RemoveField(
            model_name='dutyshift',
            name='checked_in_at',
        ),
        migrations.RemoveField(
            model_name='dutyshift',
            name='checked_in_by',
        ),
        migrations.RemoveField(
            model_name='dutyshift',
            name='location',
        ),
        migrations.AddIndex(
            model_name='dutyshift',
            index=models.Index(condition=models.Q(('missed_alert_at__isnull', True)), fields=['starts_at'], name='shift_not_alerted'),
        ),
    ]
