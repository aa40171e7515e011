import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from delegations.models import Language
from delegations.validators import normalise_phone
from dialogue.models import validate_country_code

PHONE_EXAMPLE = "+993 12 345678"  # in the help text and in normalise_phone's error


class SelfServiceForm(forms.Form):
    """What a delegate (or their focal point) may confirm or correct."""

    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=32,
        help_text=_("International form, e.g. +993 12 345678."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Language.choices
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs"), required=False, max_length=300
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"), required=False, max_length=300
    )
    passport_number = forms.CharField(
        label=_("Passport number"), required=False, max_length=30
    )
    passport_nationality = forms.CharField(
        label=_("Nationality (ISO code, e.g. KZ)"), required=False, max_length=2
    )
    passport_date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    passport_issued_on = forms.DateField(
        label=_("Passport issued on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    passport_expires_on = forms.DateField(
        label=_("Passport expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, meeting, action: str = "", **kwargs):
        self.meeting = meeting
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Fieldset(
                _("Contact and needs"),
                "phone",
                "preferred_language",
                "dietary_needs",
                "accessibility_needs",
            ),
            Fieldset(
                _("Passport, for visa support"),
                "passport_number",
                "passport_nationality",
                "passport_date_of_birth",
                "passport_issued_on",
                "passport_expires_on",
            ),
            Submit("save", _("Save my details")),
        )

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            # The error takes the help text's place under the field: the form
            # of a number is said once, in the error if it is not there yet.
            field = self.fields["phone"]
            messages = list(exc.messages)
            if PHONE_EXAMPLE not in " ".join(messages):
                messages.append(str(field.help_text))
            field.help_text = self["phone"].help_text = ""  # the bound copy too
            raise ValidationError(messages) from None

    def clean_passport_nationality(self):
        value = self.cleaned_data["passport_nationality"].upper()
        if value:
            validate_country_code(value)
        return value

    def clean(self):
        data = super().clean()
        number = (data.get("passport_number") or "").strip()
        data["passport_number"] = number
        expires = data.get("passport_expires_on")
        passport_fields = [name for name in self.fields if name.startswith("passport_")]
        if number:
            for name in ("passport_nationality", "passport_expires_on"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed with a passport number."))
        elif any(data.get(name) for name in passport_fields):
            # Otherwise the other passport details would be dropped silently.
            self.add_error(
                "passport_number", _("Give the passport number with its details.")
            )
        today = datetime.date.today()
        born = data.get("passport_date_of_birth")
        if born and not (datetime.date(1900, 1, 1) <= born < today):
            self.add_error(
                "passport_date_of_birth", _("Give a date of birth in the past.")
            )
        if expires and expires > today + datetime.timedelta(days=366 * 15):
            self.add_error(
                "passport_expires_on",
                _("A passport is valid for at most 15 years: check the expiry."),
            )
        if expires and expires <= self.meeting.end_date:
            self.add_error(
                "passport_expires_on",
                ValidationError(
                    _(
                        "This passport expires on %(date)s, before the meeting "
                        "ends; visa support needs a valid passport."
                    ),
                    params={"date": expires.isoformat()},
                ),
            )
        issued = data.get("passport_issued_on")
        if issued and expires and expires <= issued:
            self.add_error(
                "passport_expires_on", _("The expiry must be after the issue date.")
            )
        return data
