"""A range target is now held low to high (value to value_to); it used to be held as
range_start (the other end) and value (the judged end). Rename, then put each range in order."""

from django.db import migrations


def order_ranges(apps, schema_editor):
    Target = apps.get_model("kpis", "Target")
    for target in Target.objects.filter(value_to__isnull=False):
        low, high = sorted([target.value, target.value_to])
        Target.objects.filter(pk=target.pk).update(value=low, value_to=high)


class Migration(migrations.Migration):
    dependencies = [("kpis", "0005_drop_unused_value_stamps")]

    operations = [
        migrations.RenameField(model_name="target", old_name="range_start", new_name="value_to"),
        migrations.RenameField(model_name="historicaltarget", old_name="range_start", new_name="value_to"),
        migrations.RunPython(order_ranges, migrations.RunPython.noop),
    ]
