"""Timeliness working days counted per case characteristic (kind "tbd"), so the timeliness
breakdowns read the counts like the key questions' do: the counts already held are recounted
with the current code (audit.counts.rebuild), as 0019_recount did."""

from django.db import migrations, models


def recount(apps, schema_editor):
    from audit.counts.rebuild import rebuild_counts

    rebuild_counts()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0020_rollup_changes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rollupcount",
            name="kind",
            field=models.CharField(
                choices=[
                    ("reviews", "Counted reviews"),
                    ("kq", "Key question value"),
                    ("fact", "Case-fact focus measure"),
                    ("prompt", "Prompt answer"),
                    ("bd", "Key question value by case characteristic"),
                    ("tbd", "Timeliness working days by case characteristic"),
                    ("changes", "Changes to the counts"),
                ],
                max_length=7,
            ),
        ),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
