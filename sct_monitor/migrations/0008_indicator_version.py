from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sct_monitor", "0007_table_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndicatorVersion",
            fields=[
                ("indicator_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("number", models.BigIntegerField(default=0)),
                ("stamp", models.CharField(default="", max_length=40)),
                ("transaction", models.BigIntegerField(null=True)),
            ],
            options={"verbose_name": "indicator version"},
        ),
    ]
