"""Give the Secretariat group the pack permissions (Drafters get none)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def forward(apps, schema_editor):
    config = apps.get_app_config("dialogue")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    secretariat, _ = group_model.objects.get_or_create(name="Secretariat")
    secretariat.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="dialogue",
            codename__in=["view_pack", "change_pack", "delete_pack"],
        )
    )


def backward(apps, schema_editor):
    permission_model = apps.get_model("auth", "Permission")
    permission_model.objects.filter(
        content_type__app_label="dialogue", content_type__model="pack"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dialogue", "0002_packs"),
        ("delegations", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(forward, backward)]
