"""Programme permissions for the staff groups.

The Secretariat runs the programme; Drafters may look at it (sessions, rooms and
speakers' lists) but not change it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["room", "session", "speakingslot", "historicalsession"]


def forward(apps, schema_editor):
    config = apps.get_app_config("agenda")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    agenda = permission_model.objects.filter(
        content_type__app_label="agenda", content_type__model__in=MODELS
    )
    secretariat, _ = group_model.objects.get_or_create(name="Secretariat")
    secretariat.permissions.add(*agenda)
    drafters, _ = group_model.objects.get_or_create(name="Drafters")
    drafters.permissions.add(*agenda.filter(codename__startswith="view_"))


def backward(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="agenda"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agenda", "0002_programme_triggers"),
        ("delegations", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(forward, backward)]
