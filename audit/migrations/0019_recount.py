"""Count the reviews already held with today's counting rules: reviews count once their
inspection's fieldwork has started, and the timeliness steps' working days are counted.

It runs the current code (audit.counts.rebuild, the same as every save and `rollup_check
--repair`), so it comes after every migration adding a column that code reads. On a database
whose counts were filled before, it replaces them by the recomputation (the figures of published
inspections whose case data was purged are kept apart and not touched).
"""

from django.db import migrations


def recount(apps, schema_editor):
    from audit.counts.rebuild import rebuild_counts

    rebuild_counts()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0018_rollup_count_dimension_index"),
        ("cases", "0003_case_timeliness_dates"),
        ("standards", "0005_timeliness_measures"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
