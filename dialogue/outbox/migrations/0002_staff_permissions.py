"""The Secretariat reads the outbox and resends failed emails."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SECRETARIAT = ["view_email", "resend_email"]


def forward(apps, schema_editor):
    config = apps.get_app_config("outbox")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    secretariat, _ = group_model.objects.get_or_create(name="Secretariat")
    secretariat.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="outbox", codename__in=SECRETARIAT
        )
    )


def backward(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="outbox"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("delegations", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(forward, backward)]
