"""The escalation rules and running escalations move from the notifications app to this one: state only.

The tables keep their names (`notifications_escalation*`, set as `db_table`) and their rows: nothing in the database
changes but the content types, renamed to this app's label so that the audit trail (`escalation_chain.update`
records), the admin's log and the permissions keep pointing at the same models. notifications 0004 removes the
models from that app's state.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

MODELS = ["escalationchain", "escalationstep", "escalation"]


def relabel(apps, schema_editor, old="notifications", new="hazards"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    for model in MODELS:
        stale = ContentType.objects.filter(app_label=old, model=model).first()
        if stale is None:
            continue  # a fresh database: the content types are made after the migrations, under the new label
        current = ContentType.objects.filter(app_label=new, model=model).first()
        if current is None:
            stale.app_label = new
            stale.save(update_fields=["app_label"])
        else:  # both exist (made by a run in between): keep the new one, with the records of the old
            AuditEvent.objects.filter(content_type=stale).update(content_type=current)
            stale.delete()


def unlabel(apps, schema_editor):
    relabel(apps, schema_editor, old="hazards", new="notifications")


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0005_closed_at_index"),
        ("notifications", "0003_escalation_due_keyset"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("audit", "0003_address"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="EscalationChain",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("level", models.CharField(choices=[("general", "General hazard"), ("major", "Major hazard")], max_length=16, unique=True, verbose_name="hazard level")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                    ],
                    options={
                        "verbose_name": "escalation chain",
                        "verbose_name_plural": "escalation chains",
                        "db_table": "notifications_escalationchain",
                    },
                ),
                migrations.CreateModel(
                    name="EscalationStep",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("offset_working_days", models.SmallIntegerField(help_text="Negative: before the deadline; 0: at the deadline.", verbose_name="working days from the deadline")),
                        ("targets", models.JSONField(default=list, help_text="Positions to tell: enterprise_principal, department_head, territorial_leader, city_office, listing_leader", verbose_name="targets")),
                        ("must_answer", models.BooleanField(default=False, verbose_name="must be answered")),
                        ("label", models.CharField(max_length=100, verbose_name="label")),
                        ("chain", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="steps", to="hazards.escalationchain", verbose_name="chain")),
                    ],
                    options={
                        "verbose_name": "escalation step",
                        "verbose_name_plural": "escalation steps",
                        "ordering": ["chain", "offset_working_days"],
                        "db_table": "notifications_escalationstep",
                    },
                ),
                migrations.CreateModel(
                    name="Escalation",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("deadline", models.DateTimeField(verbose_name="deadline")),
                        ("steps", models.JSONField(verbose_name="steps (snapshot)")),
                        ("next_step", models.PositiveSmallIntegerField(default=0, verbose_name="next step")),
                        ("next_due_at", models.DateTimeField(blank=True, null=True, verbose_name="next step due at")),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        ("started_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="started at")),
                        ("hazard", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="escalations", to="hazards.hazard", verbose_name="hazard")),
                    ],
                    options={
                        "verbose_name": "escalation",
                        "verbose_name_plural": "escalations",
                        "db_table": "notifications_escalation",
                        "indexes": [models.Index(condition=models.Q(("active", True)), fields=["next_due_at", "id"], name="escalation_due")],
                        "constraints": [models.UniqueConstraint(fields=("hazard", "deadline"), name="one_escalation_per_deadline")],
                    },
                ),
            ],
        ),
        migrations.RunPython(relabel, unlabel),
    ]
