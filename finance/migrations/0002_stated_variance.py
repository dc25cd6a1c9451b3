"""A budget line's variance is worked out from its budget and forecast; the field that held a
typed variance keeps only a variance a paper states without them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="budgetline", name="finance_line_has_an_amount"),
        migrations.RenameField(model_name="budgetline", old_name="variance", new_name="stated_variance"),
        migrations.RenameField(model_name="historicalbudgetline", old_name="variance", new_name="stated_variance"),
    ]
