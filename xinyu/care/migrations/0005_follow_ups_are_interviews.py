# The follow-ups were copied into care.Interview by screening 0007_interviews_move_to_care.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0004_interviews"),
        ("screening", "0007_interviews_move_to_care"),
    ]

    operations = [migrations.DeleteModel(name="FollowUp")]
