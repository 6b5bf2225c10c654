"""Instruments loaded from a file or FHIR are drafts until the centre activates them. Rows already there
keep working: the shipped ones and every version active today count as activated when they were loaded;
a college's version that was never made active stays a draft."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def activated_already(apps, schema_editor):
    Instrument = apps.get_model("screening", "Instrument")
    for row in Instrument.objects.filter(models.Q(is_active=True) | models.Q(source="shipped")):
        row.activated_at = row.loaded_at
        row.save(update_fields=["activated_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0005_campaign_editing_and_reminders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="instrument",
            name="activated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="activated at"),
        ),
        migrations.AddField(
            model_name="instrument",
            name="activated_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="activated by",
            ),
        ),
        migrations.RunPython(activated_already, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="instrument",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_active", False), ("activated_at__isnull", False), _connector="OR"),
                name="instrument_draft_never_active",
            ),
        ),
    ]
