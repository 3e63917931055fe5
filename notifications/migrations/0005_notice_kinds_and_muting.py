"""A notice's kind (the first part of its key, `notifications.kinds`) and the kinds a person mutes."""

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Left, StrIndex


def backfill(apps, schema_editor):
    """Existing notices get the kind their key already says (`esc:…` → `esc`); one statement."""
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(key__contains=":").update(
        kind=Left(Left(F("key"), StrIndex(F("key"), Value(":")) - 1), 32)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_escalation_to_hazards"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="kind",
            field=models.CharField(blank=True, max_length=32, verbose_name="kind"),
        ),
        migrations.AddField(
            model_name="notificationpreference",
            name="muted_kinds",
            field=models.JSONField(blank=True, default=list, verbose_name="muted kinds"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
