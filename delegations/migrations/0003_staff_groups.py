"""The "Secretariat" and "Drafters" groups with their permissions.

Later apps' migrations add their own permissions to these groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SECRETARIAT = {
    "dialogue": ["meeting", "workerheartbeat"],
    "delegations": [
        "delegation",
        "delegate",
        "flightleg",
        "hotelstay",
        "groundtransfer",
        "accesslink",
        "selfservicechange",
        "passport",
    ],
}
EXTRA_SECRETARIAT = ["import_delegates", "view_passport_details"]
DRAFTERS_VIEW = {"dialogue": ["meeting"], "delegations": ["delegation"]}


def ensure_permissions(apps):
    for app_label in ("dialogue", "delegations"):
        config = apps.get_app_config(app_label)
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None


def forward(apps, schema_editor):
    ensure_permissions(apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")

    secretariat, _ = group_model.objects.get_or_create(name="Secretariat")
    for app_label, models in SECRETARIAT.items():
        for model in models:
            secretariat.permissions.add(
                *permission_model.objects.filter(
                    content_type__app_label=app_label, content_type__model=model
                )
            )
    secretariat.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="delegations", codename__in=EXTRA_SECRETARIAT
        )
    )

    drafters, _ = group_model.objects.get_or_create(name="Drafters")
    for app_label, models in DRAFTERS_VIEW.items():
        drafters.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"view_{model}" for model in models],
            )
        )


def backward(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Secretariat", "Drafters"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("delegations", "0002_funded_quota_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
