"""The "Transport officers" group: staff who see the day's pickups, nothing else.

The Secretariat gets the same permission (view_pickups).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSION = "view_pickups"


def forward(apps, schema_editor):
    config = apps.get_app_config("delegations")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="delegations", codename=PERMISSION
    )
    for name in ("Secretariat", "Transport officers"):
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(permission)


def backward(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Transport officers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("delegations", "0009_transfer_vehicle_driver"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
