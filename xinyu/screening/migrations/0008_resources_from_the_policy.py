"""Campaigns created with the old built-in help text keep no copy of it: the centre's help now comes from
the policy file's [centre] table at display time, after a campaign's own lines (if any)."""

from django.db import migrations

OLD_DEFAULT = "\n".join(
    [
        "学校心理健康教育与咨询中心：工作日可预约面谈或电话咨询",
        "全国心理援助热线：12356",
        "希望24热线：400-161-9995",
        "遇到紧急危险：报警 110，急救 120",
    ]
)


def forget_the_old_default(apps, schema_editor):
    apps.get_model("screening", "Campaign").objects.filter(resources_text=OLD_DEFAULT).update(resources_text="")


class Migration(migrations.Migration):
    dependencies = [("screening", "0007_interviews_move_to_care")]

    operations = [migrations.RunPython(forget_the_old_default, migrations.RunPython.noop)]
