"""Writes of the programme: sessions, speaking slots and their order.

Every rule lives here once; the admin and any import call these functions. Each
write locks the meeting row first, so checks that read other sessions (room and
speaker overlaps) see a stable programme while they run.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from agenda.models import Session, SpeakingSlot
from agenda.selectors import SPEAKER_OVERLAP, room_conflicts, speaker_conflicts
from delegations.models import Delegate, Delegation
from dialogue.changes import inputs_changed
from dialogue.conflicts import retry_on_write_conflict
from dialogue.models import Meeting

# The exclusion constraint on agenda_session (PostgreSQL, migrations/0004).
ROOM_OVERLAP = "session_room_no_overlap"


def explain_programme_conflict(*args, **kwargs) -> ValidationError:
    """Return the error for a programme write the database could not serialize."""
    return ValidationError(
        _(
            "The programme was changed by someone else at the same moment, so "
            "nothing was saved. Reload it and try again."
        ),
        code="concurrent_change",
    )


# Outside a transaction these services start again (dialogue.conflicts).
retry_programme_write = retry_on_write_conflict(explain=explain_programme_conflict)


def _lock_meeting(meeting_id: int) -> None:
    Meeting.objects.select_for_update().filter(pk=meeting_id).first()


def check_room(session: Session) -> None:
    """Raise ValidationError naming the session already in the room at that time."""
    if session.room_id and session.room.meeting_id != session.meeting_id:
        raise ValidationError(
            {
                "room": ValidationError(
                    _("This room belongs to another meeting."), code="room_meeting"
                )
            }
        )
    clashes = room_conflicts(session)
    if clashes:
        raise ValidationError(
            {
                "room": ValidationError(
                    _("%(room)s is already taken at that time by “%(session)s”.")
                    % {"room": session.room, "session": clashes[0]},
                    code="room_overlap",
                )
            }
        )


def check_speakers(session: Session, speaker_ids: Iterable[int]) -> None:
    """Raise ValidationError if a speaker speaks in an overlapping session.

    One error per conflict; its params carry the speaker_id, so that a form can
    show it on that speaker's row.
    """
    conflicts = speaker_conflicts(
        session.meeting_id,
        start=session.start_at,
        end=session.end_at,
        speaker_ids=list(set(speaker_ids)),
        exclude_session_pk=session.pk,
    )
    if conflicts:
        raise ValidationError(
            [
                ValidationError(
                    _(SPEAKER_OVERLAP),
                    code="speaker_overlap",
                    params={**conflict.params(), "speaker_id": conflict.speaker.pk},
                )
                for conflict in conflicts
            ]
        )


def check_speaker_meeting(session: Session, speaker: Delegate) -> None:
    """Raise ValidationError at the speaker if they are of another meeting."""
    if speaker.meeting_id != session.meeting_id:
        raise ValidationError(
            {
                "speaker": ValidationError(
                    _(
                        "%(speaker)s is a delegate of another meeting, "
                        "not of “%(session)s”."
                    )
                    % {"speaker": speaker.name_latin, "session": session.title()},
                    code="other_meeting",
                )
            }
        )


def check_same_meeting(session: Session, people: Iterable[Delegate], field: str):
    """Raise ValidationError if a delegate belongs to another meeting."""
    strangers = [p.name_latin for p in people if p.meeting_id != session.meeting_id]
    if strangers:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Not delegates of this meeting: %(names)s.")
                    % {"names": ", ".join(strangers)},
                    code="other_meeting",
                )
            }
        )


def check_invitations(session: Session, invited: list[Delegation]) -> None:
    """Raise ValidationError if the invited delegations do not fit the session."""
    if any(d.meeting_id != session.meeting_id for d in invited):
        message = _("Choose delegations of this meeting.")
    elif session.invitation == Session.Invitation.CHOSEN and not invited:
        message = _("Choose the delegations invited.")
    else:
        return
    raise ValidationError(
        {"invited_delegations": ValidationError(message, code="invitation")}
    )


def check_session(
    session: Session,
    *,
    chairs: Iterable[Delegate] | None = None,
    hosts: Iterable[Delegate] | None = None,
    invited_delegations: Iterable[Delegation] | None = None,
) -> None:
    """Raise ValidationError, by field, for every rule of the programme the
    session breaks: its times, its room, its chairs and hosts, its invitation.

    Relations given as None are not checked (they stay as they are). The
    speakers are checked by check_speakers, against the session's times.
    """
    if session.start_at and session.end_at:
        try:
            session.validate_constraints()  # session_ends_after_start
        except ValidationError as error:
            # Nothing else can be checked against inverted times.
            refusals = [item for items in error.error_dict.values() for item in items]
            raise ValidationError({"end_at": refusals}) from None
    errors = {}
    checks = [lambda: check_room(session)]
    if chairs:
        checks.append(lambda: check_same_meeting(session, chairs, "chairs"))
    if hosts:
        checks.append(lambda: check_same_meeting(session, hosts, "hosts"))
    if invited_delegations is not None:
        checks.append(lambda: check_invitations(session, list(invited_delegations)))
    for check in checks:
        try:
            check()
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)


@retry_programme_write
@transaction.atomic
def save_session(
    session: Session,
    *,
    chairs: Iterable[Delegate] | None = None,
    hosts: Iterable[Delegate] | None = None,
    invited_delegations: Iterable[Delegation] | None = None,
    speaker_ids: Iterable[int] | None = None,
) -> Session:
    """Return the session after checking the programme's rules and saving it.

    speaker_ids are the speakers the session will have (default: its stored
    slots'); none of them may speak in another session at an overlapping time.
    Relations given as None are left as they are.

    Side effects: locks the meeting row; inserts or updates one Session row and
    replaces the given many-to-many relations.
    """
    _lock_meeting(session.meeting_id)
    session.full_clean(validate_constraints=False)  # check_session holds them
    chairs = list(chairs) if chairs is not None else None
    hosts = list(hosts) if hosts is not None else None
    invited = list(invited_delegations) if invited_delegations is not None else None
    check_session(session, chairs=chairs, hosts=hosts, invited_delegations=invited)
    if speaker_ids is None:
        speaker_ids = (
            list(session.slots.values_list("speaker_id", flat=True))
            if session.pk
            else []
        )
    check_speakers(session, speaker_ids)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as exc:
        # The database saw a clash that a concurrent writer committed: the
        # trigger names it, the exclusion constraint (agenda 0004) catches
        # what a REPEATABLE READ snapshot hid from the trigger.
        if "room overlap" not in str(exc) and ROOM_OVERLAP not in str(exc):
            raise
        raise ValidationError(
            {"room": _("This room was just taken at that time; reload and retry.")},
            code="room_overlap",
        ) from exc
    if chairs is not None:
        session.chairs.set(chairs)
    if hosts is not None:
        session.hosts.set(hosts)
    if invited is not None:
        session.invited_delegations.set(invited)
    inputs_changed(session.meeting_id)  # the programme is in every pack
    return session


def _check_slot(slot: SpeakingSlot) -> None:
    check_speaker_meeting(slot.session, slot.speaker)
    check_speakers(slot.session, [slot.speaker_id])


@retry_programme_write
@transaction.atomic
def save_speaking_slot(slot: SpeakingSlot) -> SpeakingSlot:
    """Return the slot after checking its speaker and saving it.

    A new slot goes to the end of the list. An existing slot keeps its stored
    position: only reorder_slots moves slots.

    Side effects: locks the meeting row; inserts or updates one SpeakingSlot row.
    """
    _lock_meeting(slot.session.meeting_id)
    if slot.pk is None:
        last = slot.session.slots.aggregate(last=Max("position"))["last"] or 0
        slot.position = last + 1
    slot.full_clean(exclude=["position"], validate_constraints=False)
    _check_slot(slot)
    if slot.pk is None:
        slot.save()
    else:
        slot.save(update_fields=["speaker", "subject_en", "subject_ru", "minutes"])
        slot.position = SpeakingSlot.objects.get(pk=slot.pk).position
    inputs_changed(slot.session.meeting_id)
    return slot


@retry_programme_write
@transaction.atomic
def add_speaking_slot(
    session: Session,
    *,
    speaker: Delegate,
    minutes: int,
    subject_en: str = "",
    subject_ru: str = "",
    position: int | None = None,
) -> SpeakingSlot:
    """Return a new slot, at the end of the list or at the given position.

    Side effects: inserts one SpeakingSlot row; renumbers the slots after it.
    """
    slot = save_speaking_slot(
        SpeakingSlot(
            session=session,
            speaker=speaker,
            minutes=minutes,
            subject_en=subject_en,
            subject_ru=subject_ru,
        )
    )
    if position is not None:
        order = [pk for pk in _slot_ids(session) if pk != slot.pk]
        order.insert(max(position - 1, 0), slot.pk)
        reorder_slots(session, slot_ids=order)
        slot.refresh_from_db()
    return slot


@transaction.atomic
def remove_speaking_slot(slot: SpeakingSlot) -> None:
    """Delete a slot and close the gap it leaves.

    Side effects: deletes one SpeakingSlot row; renumbers the slots after it.
    """
    session = slot.session
    _lock_meeting(session.meeting_id)
    slot.delete()
    inputs_changed(session.meeting_id)
    reorder_slots(session, slot_ids=_slot_ids(session))


def _slot_ids(session: Session) -> list[int]:
    return list(
        SpeakingSlot.objects.filter(session=session)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def reorder_slots(session: Session, *, slot_ids: list[int]) -> None:
    """Number the session's slots 1..n in the order of slot_ids.

    slot_ids must name each slot of the session exactly once. The positions are
    first moved above every current one, then set, so the unique constraint on
    (session, position) holds after every row update on any database.

    Side effects: locks the meeting row; updates the positions of the slots.
    """
    _lock_meeting(session.meeting_id)
    slots = SpeakingSlot.objects.filter(session=session)
    current = list(slots.values_list("pk", "position"))
    if sorted(slot_ids) != sorted(pk for pk, _pos in current) or len(
        set(slot_ids)
    ) != len(slot_ids):
        raise ValidationError(
            _("Give every speaking slot of the session exactly once."),
            code="reorder_mismatch",
        )
    wanted = {pk: index for index, pk in enumerate(slot_ids, start=1)}
    if all(wanted[pk] == position for pk, position in current):
        return
    offset = max([position for _pk, position in current] + [len(current)])
    slots.update(position=F("position") + offset)
    for pk, position in wanted.items():
        SpeakingSlot.objects.filter(pk=pk).update(position=position)
    inputs_changed(session.meeting_id)


def close_gaps(session: Session) -> None:
    """Renumber the session's slots 1..n keeping their order."""
    reorder_slots(session, slot_ids=_slot_ids(session))


@transaction.atomic
def move_slot(slot: SpeakingSlot, *, by: int) -> None:
    """Move a slot up (by < 0) or down (by > 0) the list, within its ends.

    Side effects: updates the positions of the session's slots.
    """
    order = _slot_ids(slot.session)
    index = order.index(slot.pk)
    target = min(max(index + by, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    reorder_slots(slot.session, slot_ids=order)
