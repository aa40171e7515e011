"""Give the Secretariat accreditation's permissions (the review queue, badges);
Drafters get none of them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def forward(apps, schema_editor):
    config = apps.get_app_config("accreditation")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    secretariat, _ = group_model.objects.get_or_create(name="Secretariat")
    secretariat.permissions.add(
        *permission_model.objects.filter(content_type__app_label="accreditation")
    )


def backward(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="accreditation"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0003_nomination_requests"),
        ("delegations", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(forward, backward)]
