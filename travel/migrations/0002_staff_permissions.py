"""Give the Secretariat the travel desk's permissions; Drafters get none of them
(no money, no receipts)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "travelrules",
    "lumpsum",
    "stayprovision",
    "entitlement",
    "payment",
    "visafee",
    "budgetsummary",
]
EXTRA = ["record_payment", "view_receipt"]


def forward(apps, schema_editor):
    config = apps.get_app_config("travel")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    secretariat, _ = group_model.objects.get_or_create(name="Secretariat")
    secretariat.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="travel", content_type__model__in=MODELS
        ),
        *permission_model.objects.filter(
            content_type__app_label="travel", codename__in=EXTRA
        ),
    )


def backward(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="travel"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("travel", "0001_initial"),
        ("delegations", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(forward, backward)]
