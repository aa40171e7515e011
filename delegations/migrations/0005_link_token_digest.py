"""Links keep no usable token: a digest to find them, the token sealed with a key.

Existing links keep working: each stored token is digested and sealed with the
keys in the settings at migration time (LINK_TOKEN_KEYS, else SECRET_KEY), so
run this migration with the production settings. Then the plain token column
is dropped. Going back restores the plain tokens (where a key opens them).
"""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from delegations.tokens import seal, token_digest

    link_model = apps.get_model("delegations", "AccessLink")
    for link in link_model.objects.all().only("pk", "token"):
        link_model.objects.filter(pk=link.pk).update(
            digest=token_digest(link.token), sealed_token=seal(link.token)
        )


def unseal_existing(apps, schema_editor):
    from delegations.tokens import unseal

    link_model = apps.get_model("delegations", "AccessLink")
    for link in link_model.objects.all().only("pk", "sealed_token"):
        token = unseal(link.sealed_token) or f"unopenable-{link.pk}"
        link_model.objects.filter(pk=link.pk).update(token=token)


class Migration(migrations.Migration):
    dependencies = [("delegations", "0004_importjob")]

    operations = [
        migrations.AddField(
            model_name="accesslink",
            name="digest",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="token digest"
            ),
        ),
        migrations.AddField(
            model_name="accesslink",
            name="sealed_token",
            field=models.TextField(
                default="", editable=False, verbose_name="sealed token"
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="accesslink",
            name="token",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="token"
            ),
        ),
        migrations.RunPython(seal_existing, unseal_existing),
        migrations.RemoveField(model_name="accesslink", name="token"),
        migrations.AlterField(
            model_name="accesslink",
            name="digest",
            field=models.CharField(
                editable=False, max_length=64, unique=True, verbose_name="token digest"
            ),
        ),
    ]
