from django.conf import settings
from django.db import migrations, models
from django.utils import translation


def move_red_flag_details(apps, schema_editor):
    """Reports Xinyu raised itself (a screening's red flag, filed under the "system" account) named the
    instrument and item in their description, which the student's whole chain reads at T2: the details move
    to the T3 field and the description says only what to do, in the deployment's language."""
    ConcernReport = apps.get_model("concerns", "ConcernReport")
    with translation.override(settings.LANGUAGE_CODE):
        # The text of xinyu.screening.triage.red_flag_description when this migration was written.
        safe = translation.gettext(
            "An urgent concern about this student: please talk with them in person today and keep in touch "
            "with the college's mental-health advisor."
        )
    for report in ConcernReport.objects.filter(reporter__username="system", restricted_detail=""):
        report.restricted_detail, report.description = report.description, safe
        report.save(update_fields=["restricted_detail", "description"])


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="concernreport",
            name="restricted_detail",
            field=models.TextField(blank=True, verbose_name="details for the working group and the centre"),
        ),
        migrations.RunPython(move_red_flag_details, migrations.RunPython.noop),
    ]
