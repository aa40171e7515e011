"""Pack and WorkerHeartbeat, taken over from the dialogue app (dialogue 0006).

No table is created, copied or dropped: the models keep their tables
(db_table dialogue_pack and dialogue_workerheartbeat), so every rendered pack
and its file stay as they were. The content types move from dialogue to packs,
so the permissions (view/change/delete_pack, which the Secretariat group holds
since dialogue 0003) keep their rows, their grants and their codenames, now
checked as packs.change_pack and so on.
"""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("pack", "workerheartbeat")


def move_content_types(apps, schema_editor, source_label, target_label):
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    for model in MODELS:
        source = content_type_model.objects.filter(
            app_label=source_label, model=model
        ).first()
        if source is None:
            continue
        target = content_type_model.objects.filter(
            app_label=target_label, model=model
        ).first()
        if target is None:
            source.app_label = target_label
            source.save(update_fields=["app_label"])
            continue
        # Both exist (a post_migrate in between made the new one): keep every
        # grant of the old permissions on the new ones, then drop the old rows.
        for permission in permission_model.objects.filter(content_type=source):
            twin = permission_model.objects.filter(
                content_type=target, codename=permission.codename
            ).first()
            if twin is None:
                permission.content_type = target
                permission.save(update_fields=["content_type"])
                continue
            for group in permission.group_set.all():
                group.permissions.add(twin)
            for user in permission.user_set.all():
                user.user_permissions.add(twin)
            permission.delete()
        source.delete()


def forward(apps, schema_editor):
    move_content_types(apps, schema_editor, "dialogue", "packs")


def backward(apps, schema_editor):
    move_content_types(apps, schema_editor, "packs", "dialogue")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("dialogue", "0006_packs_move_to_packs_app"),
        ("delegations", "0003_staff_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkerHeartbeat",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "hostname",
                            models.CharField(
                                max_length=200, unique=True, verbose_name="worker"
                            ),
                        ),
                        ("seen_at", models.DateTimeField(verbose_name="last seen")),
                        (
                            "token",
                            models.CharField(
                                blank=True, max_length=64, verbose_name="last token"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "worker heartbeat",
                        "verbose_name_plural": "worker heartbeats",
                        "db_table": "dialogue_workerheartbeat",
                        "ordering": ["-seen_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Pack",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("briefing", "briefing pack"),
                                    ("visa_letter", "visa support letter"),
                                ],
                                default="briefing",
                                max_length=20,
                                verbose_name="document",
                            ),
                        ),
                        (
                            "language",
                            models.CharField(
                                choices=[
                                    ("en", "English"),
                                    ("ru", "Russian"),
                                    ("bilingual", "English and Russian"),
                                ],
                                max_length=10,
                                verbose_name="language",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "queued"),
                                    ("rendering", "rendering"),
                                    ("ready", "ready"),
                                    ("failed", "failed"),
                                ],
                                default="queued",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "fingerprint",
                            models.CharField(
                                blank=True,
                                editable=False,
                                max_length=64,
                                verbose_name="fingerprint of the file",
                            ),
                        ),
                        (
                            "file",
                            models.CharField(
                                blank=True,
                                editable=False,
                                help_text=(
                                    "Path under MEDIA_ROOT; served only through "
                                    "access checks."
                                ),
                                max_length=300,
                                verbose_name="file",
                            ),
                        ),
                        (
                            "pages",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="pages"
                            ),
                        ),
                        (
                            "size",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="bytes"
                            ),
                        ),
                        ("error", models.TextField(blank=True, verbose_name="error")),
                        (
                            "attempts",
                            models.PositiveIntegerField(
                                default=0, verbose_name="attempts"
                            ),
                        ),
                        (
                            "worker",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="worker"
                            ),
                        ),
                        (
                            "queued_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="queued"
                            ),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="started"
                            ),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="finished"
                            ),
                        ),
                        (
                            "lease_expires_at",
                            models.DateTimeField(
                                blank=True,
                                editable=False,
                                null=True,
                                verbose_name="claimed until",
                            ),
                        ),
                        (
                            "render_seconds",
                            models.FloatField(
                                blank=True, null=True, verbose_name="render seconds"
                            ),
                        ),
                        (
                            "delegate",
                            models.ForeignKey(
                                blank=True,
                                help_text="Only for a visa support letter.",
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="visa_letters",
                                to="delegations.delegate",
                                verbose_name="delegate",
                            ),
                        ),
                        (
                            "delegation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="packs",
                                to="delegations.delegation",
                                verbose_name="delegation",
                            ),
                        ),
                        (
                            "meeting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="packs",
                                to="dialogue.meeting",
                                verbose_name="meeting",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "pack",
                        "verbose_name_plural": "packs",
                        "db_table": "dialogue_pack",
                        "ordering": [
                            "meeting",
                            "delegation__sort_order",
                            "delegation__name_en",
                            "kind",
                        ],
                        "indexes": [
                            models.Index(
                                fields=["status", "started_at"],
                                name="dialogue_pa_status_76888d_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("kind", "briefing")),
                                fields=("delegation", "language"),
                                name="pack_one_briefing_per_delegation_language",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("kind", "visa_letter")),
                                fields=("delegate",),
                                name="pack_one_visa_letter_per_delegate",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("delegate__isnull", True), ("kind", "briefing")
                                    ),
                                    models.Q(
                                        ("delegate__isnull", False),
                                        ("kind", "visa_letter"),
                                        ("language", "bilingual"),
                                    ),
                                    _connector="OR",
                                ),
                                name="pack_kind_matches_target",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("language__in", ["en", "ru", "bilingual"])
                                ),
                                name="pack_language_known",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "status__in",
                                        ["queued", "rendering", "ready", "failed"],
                                    )
                                ),
                                name="pack_status_known",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]
