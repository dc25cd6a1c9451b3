from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sct_monitor", "0006_import_in_background"),
    ]

    operations = [
        migrations.CreateModel(
            name="TableVersion",
            fields=[
                ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("number", models.BigIntegerField(default=0)),
                ("stamp", models.CharField(default="", max_length=40)),
            ],
            options={"verbose_name": "table version"},
        ),
    ]
