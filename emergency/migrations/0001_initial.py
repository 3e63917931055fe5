# The app's first migration, empty: supplies and rescue teams each add theirs after it.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("organizations", "0001_initial")]
    operations = []
