"""Declaration permissions for the staff groups.

Drafters hold every declaration permission (they draft, circulate, read the
comments and record the adoption). The Secretariat may look at everything,
circulate a version and record the adoption, but not edit the text.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SECRETARIAT_EXTRA = ["circulate_version", "record_adoption"]


def forward(apps, schema_editor):
    config = apps.get_app_config("declaration")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    declaration = permission_model.objects.filter(
        content_type__app_label="declaration"
    )
    drafters, _ = group_model.objects.get_or_create(name="Drafters")
    drafters.permissions.add(*declaration)
    secretariat, _ = group_model.objects.get_or_create(name="Secretariat")
    secretariat.permissions.add(
        *declaration.filter(codename__startswith="view_"),
        *declaration.filter(codename__in=SECRETARIAT_EXTRA),
    )


def backward(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="declaration"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("declaration", "0002_frozen_versions"),
        ("delegations", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(forward, backward)]
