"""Load the instruments shipped with Xinyu (PHQ-9, GAD-7, UPI, SCL-90's scoring) so that every database
has them after `migrate`. `manage.py load_instruments` does the same later (idempotent) and loads a college's
own definitions."""

from django.db import migrations


def load(apps, schema_editor):
    from xinyu.screening.definition import definition_digest, definition_to_json, shipped_definitions

    Instrument = apps.get_model("screening", "Instrument")
    for definition in shipped_definitions():
        if Instrument.objects.filter(code=definition.code, version=definition.version).exists():
            continue
        active = not Instrument.objects.filter(code=definition.code, is_active=True).exists()
        Instrument.objects.create(
            code=definition.code,
            version=definition.version,
            name=definition.name.zh,
            definition=definition_to_json(definition),
            digest=definition_digest(definition),
            source="shipped",
            is_active=active,
        )


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_instruments")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
