"""Admin forms of the programme: times in the meeting's time zone, and the rules
checked before saving so that each error lands on the field or row it is about."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenda.models import Room, Session, SpeakingSlot
from agenda.selectors import room_conflicts, speaker_conflicts
from delegations.models import Delegate, Delegation
from dialogue.models import Meeting

LOCAL_INPUT = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)


def to_utc(naive: datetime.datetime, meeting: Meeting) -> datetime.datetime:
    """Return a wall-clock time at the meeting's place as an aware UTC time."""
    local = timezone.make_aware(naive.replace(tzinfo=None), meeting.tzinfo)
    return local.astimezone(datetime.UTC)


class SessionAdminForm(forms.ModelForm):
    start_local = forms.DateTimeField(
        label=_("starts (meeting's local time)"), widget=LOCAL_INPUT
    )
    end_local = forms.DateTimeField(
        label=_("ends (meeting's local time)"), widget=LOCAL_INPUT
    )

    class Meta:
        model = Session
        fields = [
            "meeting",
            "kind",
            "title_en",
            "title_ru",
            "description_en",
            "description_ru",
            "start_local",
            "end_local",
            "room",
            "format",
            "interpretation",
            "chairs",
            "hosts",
            "invitation",
            "invited_delegations",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            self.initial["start_local"] = instance.start_local.replace(tzinfo=None)
            self.initial["end_local"] = instance.end_local.replace(tzinfo=None)
        meeting_id = instance.meeting_id or getattr(
            self.initial.get("meeting"), "pk", self.initial.get("meeting")
        )
        if meeting_id and "meeting" in self.fields:
            self.limit_to_meeting(meeting_id)
        zone = instance.meeting.time_zone if instance.meeting_id else None
        for name in ("start_local", "end_local"):
            if zone and name in self.fields:
                self.fields[name].help_text = _("Time zone: %(zone)s.") % {"zone": zone}

    def limit_to_meeting(self, meeting_id) -> None:
        people = Delegate.objects.filter(meeting_id=meeting_id).select_related(
            "delegation"
        )
        for name, queryset in (
            ("room", Room.objects.filter(meeting_id=meeting_id)),
            ("chairs", people),
            ("hosts", people),
            ("invited_delegations", Delegation.objects.filter(meeting_id=meeting_id)),
        ):
            if name in self.fields:
                self.fields[name].queryset = queryset

    def clean(self):
        data = super().clean()
        meeting = data.get("meeting")
        if meeting is None:
            return data
        session = self.instance
        start, end = data.get("start_local"), data.get("end_local")
        if start and end:
            session.start_at = to_utc(start, meeting)
            session.end_at = to_utc(end, meeting)
            if session.end_at <= session.start_at:
                self.add_error("end_local", _("A session must end after it starts."))
                return data
        room = data.get("room")
        if room and room.meeting_id != meeting.pk:
            self.add_error("room", _("This room belongs to another meeting."))
        elif room and session.start_at and session.end_at:
            session.meeting, session.room = meeting, room
            clashes = room_conflicts(session)
            if clashes:
                self.add_error(
                    "room",
                    _("%(room)s is already taken at that time by “%(session)s”.")
                    % {"room": room, "session": clashes[0]},
                )
        for name in ("chairs", "hosts"):
            strangers = [
                p.name_latin for p in data.get(name) or [] if p.meeting_id != meeting.pk
            ]
            if strangers:
                self.add_error(
                    name,
                    _("Not delegates of this meeting: %(names)s.")
                    % {"names": ", ".join(strangers)},
                )
        invited = list(data.get("invited_delegations") or [])
        if any(d.meeting_id != meeting.pk for d in invited):
            self.add_error(
                "invited_delegations", _("Choose delegations of this meeting.")
            )
        if data.get("invitation") == Session.Invitation.CHOSEN and not invited:
            self.add_error("invited_delegations", _("Choose the delegations invited."))
        return data


class SpeakingSlotInlineForm(forms.ModelForm):
    order = forms.IntegerField(
        label=_("order"),
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs={"style": "width: 4em"}),
        help_text=_("Empty: at the end. Gaps and ties are closed on save."),
    )

    class Meta:
        model = SpeakingSlot
        fields = ["order", "speaker", "subject_en", "subject_ru", "minutes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["order"] = self.instance.position


class SpeakingSlotFormSet(forms.BaseInlineFormSet):
    """Checks the speakers the session will have against its new times."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        meeting_id = self.instance.meeting_id
        if meeting_id:
            speakers = Delegate.objects.filter(meeting_id=meeting_id).select_related(
                "delegation"
            )
            # One query for the choices of every row, not one per row.
            choices = [("", "---------")] + [
                (speaker.pk, str(speaker)) for speaker in speakers
            ]
            for form in self.forms + [self.empty_form]:
                form.fields["speaker"].queryset = speakers
                form.fields["speaker"].choices = choices

    def kept_forms(self):
        return [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("speaker")
        ]

    def clean(self):
        super().clean()
        session = self.instance
        session.final_speaker_ids = self.speaker_ids()
        if not (session.meeting_id and session.start_at and session.end_at):
            return
        if session.end_at <= session.start_at:
            return
        forms_by_speaker = {}
        for form in self.kept_forms():
            speaker = form.cleaned_data["speaker"]
            if speaker.meeting_id != session.meeting_id:
                form.add_error(
                    "speaker",
                    _("%(speaker)s is a delegate of another meeting.")
                    % {"speaker": speaker.name_latin},
                )
                continue
            forms_by_speaker.setdefault(speaker.pk, []).append(form)
        conflicts = speaker_conflicts(
            session.meeting_id,
            start=session.start_at,
            end=session.end_at,
            speaker_ids=list(forms_by_speaker),
            exclude_session_pk=session.pk,
        )
        for conflict in conflicts:
            for form in forms_by_speaker[conflict.speaker.pk]:
                form.add_error("speaker", conflict.message())
        if conflicts:
            raise ValidationError(
                _("A speaker cannot be in two sessions at the same time.")
            )

    def speaker_ids(self) -> list[int]:
        return [form.cleaned_data["speaker"].pk for form in self.kept_forms()]


class ProgrammeDayForm(forms.Form):
    """Which meeting and day the day view shows."""

    meeting = forms.ModelChoiceField(
        label=_("meeting"), queryset=Meeting.objects.all(), required=False
    )
    day = forms.DateField(
        label=_("day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
