from django.db import migrations


def forwards(apps, schema_editor):
    from community.forum.structure import set_default_topics

    set_default_topics(apps.get_model("forum", "Topic"), apps.get_model("forum", "Space"))


class Migration(migrations.Migration):
    dependencies = [("forum", "0006_space_default_topic")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
