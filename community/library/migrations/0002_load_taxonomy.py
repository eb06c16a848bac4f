from django.db import migrations


def load(apps, schema_editor):
    from community.library.taxonomy import load_taxonomy

    load_taxonomy(apps.get_model("library", "Audience"), apps.get_model("library", "AgeStage"))


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
