from django.db import migrations


def load(apps, schema_editor):
    from community.forum.structure import load_structure

    load_structure(
        apps.get_model("accounts", "Region"),
        apps.get_model("forum", "Topic"),
        apps.get_model("forum", "Space"),
    )


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial"), ("accounts", "0002_load_places")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
