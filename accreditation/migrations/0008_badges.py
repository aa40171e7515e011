"""Badges: why a badge was revoked, the rules of a revoked badge and of its
category, and the permission to issue, print and revoke badges, given to the
Secretariat (Drafters get none)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant(apps, schema_editor):
    config = apps.get_app_config("accreditation")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    secretariat, _ = group_model.objects.get_or_create(name="Secretariat")
    secretariat.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="accreditation", codename="issue_badge"
        )
    )


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="accreditation", codename="issue_badge"
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accreditation', '0007_check_ins'),
        ('delegations', '0012_delegate_accreditation'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='badge',
            options={'ordering': ['-issued_at'], 'permissions': [('issue_badge', 'Can issue, print and revoke badges')], 'verbose_name': 'badge', 'verbose_name_plural': 'badges'},
        ),
        migrations.AddField(
            model_name='badge',
            name='revoked_note',
            field=models.CharField(blank=True, max_length=300, verbose_name='why revoked'),
        ),
        migrations.AddConstraint(
            model_name='badge',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('revoked_at__isnull', True), ('revoked_reason', '')), models.Q(('revoked_at__isnull', False), models.Q(('revoked_reason', ''), _negated=True)), _connector='OR'), name='badge_revoked_with_reason'),
        ),
        migrations.AddConstraint(
            model_name='badge',
            constraint=models.CheckConstraint(condition=models.Q(('category__in', ['member_state', 'observer', 'united_nations', 'secretariat', 'media', 'security'])), name='badge_category_known'),
        ),
        migrations.RunPython(grant, revoke),
    ]
