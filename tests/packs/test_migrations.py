"""Moving Pack to the packs app loses no rendered pack and no permission.

The database is taken back to before the move (dialogue 0005, packs unapplied),
a pack is written there as the old code did, and the move is applied again.
"""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dialogue.packs.files import absolute, pack_relative_path, write_atomically
from dialogue.packs.models import Pack
from tests.factories import DelegationFactory, MeetingFactory

BEFORE = [("dialogue", "0005_meeting_documents"), ("packs", None)]
PDF = b"%PDF-1.7\n% rendered before the move\n%%EOF\n"

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(
        [target for target in targets if target[1] is not None]
    ).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_packs_and_their_files_survive_the_move(media_root):
    meeting = MeetingFactory()
    delegation = DelegationFactory(meeting=meeting)
    old_apps = migrate(BEFORE)
    try:
        old_pack_model = old_apps.get_model("dialogue", "Pack")
        assert old_pack_model._meta.db_table == "dialogue_pack"
        old = old_pack_model.objects.create(
            meeting_id=meeting.pk,
            delegation_id=delegation.pk,
            language="ru",
            status="ready",
            fingerprint="f" * 64,
            pages=12,
        )
        old.file = pack_relative_path(old)
        write_atomically(old.file, PDF)
        old.save()
    finally:
        migrate(latest())
    pack = Pack.objects.get(pk=old.pk)
    assert (pack.meeting_id, pack.delegation_id, pack.language) == (
        meeting.pk,
        delegation.pk,
        "ru",
    )
    assert (pack.status, pack.fingerprint, pack.pages) == ("ready", "f" * 64, 12)
    assert absolute(pack.file).read_bytes() == PDF


def test_pack_permissions_follow_the_move_with_their_grants():
    user = User.objects.create_user("officer", password="x", is_staff=True)
    migrate(BEFORE)
    try:
        # Before the move the content type is dialogue's: grant as 0003 did.
        assert ContentType.objects.filter(app_label="dialogue", model="pack").exists()
        assert not ContentType.objects.filter(app_label="packs", model="pack").exists()
        secretariat, _created = Group.objects.get_or_create(name="Secretariat")
        secretariat.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="dialogue",
                codename__in=["view_pack", "change_pack", "delete_pack"],
            )
        )
        user.groups.add(secretariat)
        assert User.objects.get(pk=user.pk).has_perm("dialogue.change_pack")
    finally:
        migrate(latest())
    assert not ContentType.objects.filter(app_label="dialogue", model="pack").exists()
    assert not ContentType.objects.filter(
        app_label="dialogue", model="workerheartbeat"
    ).exists()
    user = User.objects.get(pk=user.pk)  # a fresh permission cache
    assert user.has_perm("packs.change_pack")
    assert user.has_perm("packs.view_pack")
    assert not user.has_perm("dialogue.change_pack")
    assert set(
        secretariat.permissions.filter(content_type__app_label="packs").values_list(
            "codename", flat=True
        )
    ) >= {"view_pack", "change_pack", "delete_pack"}
