"""Check-ins at the door, and who may make them: the new permission
accreditation.check_in goes to a "Door staff" group and nothing else; the
Secretariat may view the check-ins (the dashboard's counts, the admin list)."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def forward(apps, schema_editor):
    config = apps.get_app_config("accreditation")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    checkin = permission_model.objects.filter(content_type__app_label="accreditation")
    door, _ = group_model.objects.get_or_create(name="Door staff")
    door.permissions.add(*checkin.filter(codename="check_in"))
    secretariat, _ = group_model.objects.get_or_create(name="Secretariat")
    secretariat.permissions.add(*checkin.filter(codename="view_checkin"))


def backward(apps, schema_editor):
    # The permission goes with the model; the group stays (it may hold others').
    group = apps.get_model("auth", "Group").objects.filter(name="Door staff").first()
    if group is not None and not group.permissions.exists():
        group.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accreditation', '0006_travel_requests'),
        ('agenda', '0004_rules_under_every_isolation'),
        ('dialogue', '0006_packs_move_to_packs_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CheckIn',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('checked_in_at', models.DateTimeField(verbose_name='checked in at')),
                ('badge', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='check_ins', to='accreditation.badge', verbose_name='badge')),
                ('checked_in_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked in by')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='check_ins', to='dialogue.meeting', verbose_name='meeting')),
                ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='check_ins', to='agenda.session', verbose_name='session')),
            ],
            options={
                'verbose_name': 'door check-in',
                'verbose_name_plural': 'door check-ins',
                'ordering': ['-checked_in_at', '-pk'],
                'permissions': [('check_in', 'Can check badges in at the door')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('session__isnull', True)), fields=('badge', 'meeting'), name='one_venue_check_in_per_badge'), models.UniqueConstraint(condition=models.Q(('session__isnull', False)), fields=('badge', 'session'), name='one_session_check_in_per_badge')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
