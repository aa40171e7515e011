import pytest

PDF_BYTES = b"%PDF-1.7\n% test pack\n%%EOF\n"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_pack_file(pack, data: bytes = PDF_BYTES):
    from dialogue.packs.files import pack_relative_path, write_atomically

    pack.file = pack_relative_path(pack)
    write_atomically(pack.file, data)
    pack.status = "ready"
    pack.pages = 1
    pack.save()
    return pack


@pytest.fixture
def world(world, media_root):
    """The access-matrix world plus ready packs for both delegations and a visa
    letter for delegate A (files with placeholder bytes, nothing rendered)."""
    from dialogue.packs.models import Pack

    world.packs = {}
    for delegation in (world.delegation, world.other_delegation):
        for language in ("en", "ru", "bilingual"):
            world.packs[(delegation.pk, language)] = make_pack_file(
                Pack(meeting=world.meeting, delegation=delegation, language=language)
            )
    # The travel lists: the meeting's manifest (PDF, XLSX) and each
    # delegation's own manifest, its bytes naming its delegation.
    world.lists = {
        file_format: make_pack_file(
            Pack(
                meeting=world.meeting,
                kind="manifest",
                language="en",
                file_format=file_format,
            )
        )
        for file_format in ("pdf", "xlsx")
    }
    world.manifests = {
        (delegation.pk, language): make_pack_file(
            Pack(
                meeting=world.meeting,
                delegation=delegation,
                kind="manifest",
                language=language,
            ),
            b"%PDF-1.7\n% manifest of " + str(delegation.pk).encode() + b"\n%%EOF\n",
        )
        for delegation in (world.delegation, world.other_delegation)
        for language in ("en", "ru")
    }
    world.visa_letter = make_pack_file(
        Pack(
            meeting=world.meeting,
            delegation=world.delegation,
            delegate=world.delegate_a,
            kind="visa_letter",
            language="bilingual",
        )
    )
    return world
