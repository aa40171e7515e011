"""Packs follow their inputs: when they changed, and how many times."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("packs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="pack",
            name="stale_since",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                null=True,
                verbose_name="inputs changed since",
            ),
        ),
        migrations.AddField(
            model_name="pack",
            name="changed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="last input change"
            ),
        ),
        migrations.AddField(
            model_name="pack",
            name="generation",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
