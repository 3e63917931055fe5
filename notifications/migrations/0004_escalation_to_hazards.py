"""The escalation models now belong to the hazards app (hazards 0006): removed from this app's state only; their
tables and rows stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_escalation_due_keyset"),
        ("hazards", "0006_escalation_from_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="Escalation"),
                migrations.DeleteModel(name="EscalationStep"),
                migrations.DeleteModel(name="EscalationChain"),
            ],
        ),
    ]
