"""Load the 9 English regions and the local authorities from the data files.

The lists grow: re-running `manage.py load_places` adds new rows without touching others.
"""

from django.db import migrations


def load(apps, schema_editor):
    from community.accounts.places import load_places

    load_places(apps.get_model("accounts", "Region"), apps.get_model("accounts", "LocalAuthority"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
