"""The inputs of a pack: its content and their fingerprint, and how to render it.

The fingerprint of a briefing pack is the hash of its edition, of the shared
content's fingerprint and of the delegation's own content. Editing one
delegate's flight changes only that delegation's own content, so only that
delegation's packs get a new fingerprint.
"""

from dataclasses import dataclass
from typing import Any

from dialogue.models import Meeting
from dialogue.packs.content import (
    delegation_with_travel,
    load_meeting_data,
    own_content,
    shared_content,
)
from dialogue.packs.fingerprint import fingerprint
from dialogue.packs.letters import letter_content
from dialogue.packs.lists import list_content
from dialogue.packs.models import Pack
from dialogue.packs.render import edition_langs, renderer


def shared_fingerprint(shared: dict, edition: str) -> str:
    return fingerprint(
        "shared", edition, [shared[lang] for lang in edition_langs(edition)]
    )


def briefing_fingerprint(edition: str, shared_key: str, own: dict) -> str:
    return fingerprint(
        "briefing", edition, shared_key, [own[lang] for lang in edition_langs(edition)]
    )


@dataclass
class PackInputs:
    pack: Pack
    fingerprint: str
    shared: Any = None
    own: Any = None
    shared_key: str = ""
    letter: Any = None
    travel_list: Any = None
    badges: Any = None

    def render(self) -> tuple[bytes, int | None]:
        """Return (file bytes, page count), laid out by this process's renderer.

        A spreadsheet has no pages: its count is None.
        """
        if self.travel_list is not None:
            if self.pack.file_format == Pack.Format.XLSX:
                from dialogue.packs.sheets import workbook_bytes

                return workbook_bytes(self.travel_list)[0], None
            return renderer().render_list(self.travel_list)
        if self.letter is not None:
            return renderer().render_letter(self.letter)
        if self.badges is not None:
            from dialogue.packs.badges import badge_images

            return renderer().render_badges(self.badges, badge_images(self.badges))
        return renderer().render_briefing(
            self.pack.language,
            shared=self.shared,
            own=self.own,
            shared_key=self.shared_key,
        )


class SharedSnapshot:
    """The shared content of a meeting's briefing packs, read once for a batch.

    A batch of packs (services.render_pack_batch) renders them one after the
    other. Reading the whole meeting again for each (every delegation's names
    for the list of participants, the programme, the declaration and its
    changes) was a fifth of a pack's time at 193 delegations, the same rows
    each time. So the batch reads it once and keeps it while it holds:

    the generation of each of the batch's packs is read first, the meeting
    after it. Every input change bumps the generation of each pack it reaches,
    in the change's own transaction (mark_packs_stale), and a change to the
    shared part (a name, the programme, the declaration, a meeting field)
    reaches every pack of the meeting. So while a pack's generation is the one
    read before the snapshot, no change to what it shares came in since, and
    the snapshot is as new as reading it again; a pack whose generation moved
    gets the meeting read again. The pack's own part is read for each pack.
    """

    def __init__(self, pack_ids):
        self.pack_ids = list(pack_ids)
        self.meeting_id: int | None = None
        self.generations: dict[int, int] = {}
        self.data = None
        self.content: dict[str, dict] = {}  # language: shared_content
        self.keys: dict[str, str] = {}  # edition: shared_fingerprint
        self.reads = 0  # times the meeting was read (for tests)

    def shared_for(self, pack: Pack) -> tuple[dict, str]:
        """Return (shared content by language, shared fingerprint) for a pack
        just read from the database (its generation is the one it holds now)."""
        if (
            pack.meeting_id != self.meeting_id
            or self.generations.get(pack.pk) != pack.generation
        ):
            self.read(pack.meeting)
        edition = pack.language
        shared = {}
        for lang in edition_langs(edition):
            if lang not in self.content:
                self.content[lang] = shared_content(self.data, lang)
            shared[lang] = self.content[lang]
        if edition not in self.keys:
            self.keys[edition] = shared_fingerprint(shared, edition)
        return shared, self.keys[edition]

    def read(self, meeting: Meeting) -> None:
        # Generations first, then the meeting: see the class's docstring.
        self.generations = dict(
            Pack.objects.filter(
                pk__in=self.pack_ids, meeting_id=meeting.pk
            ).values_list("pk", "generation")
        )
        self.meeting_id = meeting.pk
        self.data = load_meeting_data(meeting)
        self.content, self.keys = {}, {}
        self.reads += 1


def pack_inputs(pack: Pack, *, snapshot: SharedSnapshot | None = None) -> PackInputs:
    """Return the content and fingerprint of one pack (a fixed number of queries).

    With a snapshot (a batch of packs), a briefing pack's shared content comes
    from it while it holds (SharedSnapshot); only the pack's own part is read.
    """
    if pack.is_travel_list:
        content = list_content(pack)
        return PackInputs(
            pack,
            fingerprint("travel_list", pack.file_format, content),
            travel_list=content,
        )
    if pack.kind == Pack.Kind.BADGES:
        from dialogue.packs.badges import badge_sheet_content

        content = badge_sheet_content(pack)
        return PackInputs(pack, fingerprint("badges", content), badges=content)
    if pack.kind == Pack.Kind.VISA_LETTER:
        letter = letter_content(pack.delegate_id)
        return PackInputs(pack, fingerprint("visa_letter", letter), letter=letter)
    langs = edition_langs(pack.language)
    if snapshot is None:
        data = load_meeting_data(pack.meeting)
        shared = {lang: shared_content(data, lang) for lang in langs}
        shared_key = shared_fingerprint(shared, pack.language)
    else:
        shared, shared_key = snapshot.shared_for(pack)
    delegation = delegation_with_travel(pack.delegation_id)
    own = {lang: own_content(delegation, pack.meeting, lang) for lang in langs}
    return PackInputs(
        pack,
        briefing_fingerprint(pack.language, shared_key, own),
        shared=shared,
        own=own,
        shared_key=shared_key,
    )


def meeting_briefing_fingerprints(
    meeting: Meeting,
    *,
    delegation_ids: list[int] | None = None,
    languages: tuple[str, ...] = ("en", "ru", "bilingual"),
) -> dict[tuple[int, str], str]:
    """Return {(delegation id, edition): fingerprint} for the meeting's packs.

    Reads the whole meeting once (a fixed number of queries), so checking every
    pack of a 193-delegation meeting for changes takes well under a second.
    """
    data = load_meeting_data(meeting, with_travel=True)
    shared = {lang: shared_content(data, lang) for lang in ("en", "ru")}
    shared_keys = {
        edition: shared_fingerprint(shared, edition) for edition in languages
    }
    wanted = {}
    for delegation in data.delegations:
        if delegation_ids is not None and delegation.pk not in delegation_ids:
            continue
        own = {lang: own_content(delegation, meeting, lang) for lang in ("en", "ru")}
        for edition in languages:
            wanted[(delegation.pk, edition)] = briefing_fingerprint(
                edition, shared_keys[edition], own
            )
    return wanted
