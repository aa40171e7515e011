"""Writes of the Meeting itself."""

from django.db import transaction

from dialogue.changes import inputs_changed
from dialogue.models import Meeting


@transaction.atomic
def save_meeting(meeting: Meeting) -> Meeting:
    """Return the meeting, saved.

    Side effects: writes the Meeting row (and its history) and tells every
    document of the meeting that an input changed (dialogue.changes): the
    overview, the practical information and the letterhead are in each pack.
    """
    meeting.save()
    inputs_changed(meeting.pk)
    return meeting
