"""Admin forms of the programme: times in the meeting's time zone; the rules are
the services' (agenda.services), asked before saving so that each refusal lands
on the field or row it is about."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agenda.models import Room, Session, SpeakingSlot
from agenda.services import check_session, check_speaker_meeting, check_speakers
from delegations.models import Delegate, Delegation
from dialogue.forms import (
    WallTimeField,
    add_service_error,
    offer_offsets,
    offset_changed,
    wall_time_to_utc,
)
from dialogue.models import Meeting
from dialogue.timefmt import meeting_zone_name


class SessionAdminForm(forms.ModelForm):
    start_local = WallTimeField(label=capfirst(_("starts (meeting's local time)")))
    end_local = WallTimeField(label=capfirst(_("ends (meeting's local time)")))
    # Each local time with the model field it sets.
    TIMES = (("start_local", "start_at"), ("end_local", "end_at"))

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
            for field, attribute in self.TIMES:
                offer_offsets(
                    self, field, getattr(instance, attribute), instance.meeting.tzinfo
                )
        meeting_id = instance.meeting_id or getattr(
            self.initial.get("meeting"), "pk", self.initial.get("meeting")
        )
        if meeting_id and "meeting" in self.fields:
            self.limit_to_meeting(meeting_id)
        # The clock named for people ("Ashgabat time (UTC+5)"), not its key.
        zone = meeting_zone_name(instance.meeting) if instance.meeting_id else None
        for name in ("start_local", "end_local"):
            if zone and name in self.fields:
                self.fields[name].help_text = _(
                    "In the meeting's time zone, %(zone)s."
                ) % {"zone": zone}

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
        start, end = data.get("start_local"), data.get("end_local")
        if meeting and start and end:
            # Wall-clock input becomes the model's UTC times; the rules about
            # them are the service's (_post_clean).
            for field, attribute in self.TIMES:
                instant = wall_time_to_utc(
                    self,
                    field,
                    data[field],
                    meeting.tzinfo,
                    place=meeting.city_ru
                    if translation.get_language() == "ru"
                    else meeting.city_en,
                )
                if instant is not None:
                    setattr(self.instance, attribute, instant)
        return data

    def has_changed(self):
        return super().has_changed() or any(
            offset_changed(self, field) for field, _attribute in self.TIMES
        )

    def _post_clean(self):
        super()._post_clean()
        if not self.instance.meeting_id:
            return  # the meeting field says what is wrong
        data = self.cleaned_data
        try:
            check_session(
                self.instance,
                chairs=data.get("chairs"),
                hosts=data.get("hosts"),
                invited_delegations=data.get("invited_delegations"),
            )
        except ValidationError as error:
            add_service_error(self, error, fields=SESSION_ERROR_FIELDS)


# The form fields that show a session service's refusals of the model's fields.
SESSION_ERROR_FIELDS = {"start_at": "start_local", "end_at": "end_local"}


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
            return  # the session's form says so
        forms_by_speaker = {}
        for form in self.kept_forms():
            speaker = form.cleaned_data["speaker"]
            try:
                check_speaker_meeting(session, speaker)
            except ValidationError as error:
                add_service_error(form, error)
                continue
            forms_by_speaker.setdefault(speaker.pk, []).append(form)
        try:
            check_speakers(session, list(forms_by_speaker))
        except ValidationError as error:
            for conflict in error.error_list:
                for form in forms_by_speaker[conflict.params["speaker_id"]]:
                    form.add_error("speaker", conflict)
            raise ValidationError(
                _("A speaker cannot be in two sessions at the same time.")
            ) from None

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
