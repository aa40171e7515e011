"""Travel request and flight change forms (the focal point's and delegate's
pages), and the travel desk's booking form; the rules are the service's
(accreditation.services.travel_requests), whose errors land on these fields."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accreditation.services.travel_requests import travel_window
from delegations.admin_forms import FlightLegForm
from dialogue.timefmt import format_date


def _date(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class _LinkForm(forms.Form):
    submit_label = _("Send to the travel desk")

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", self.submit_label))


class TravelRequestForm(_LinkForm):
    departure = forms.CharField(
        label=_("City of departure"),
        max_length=100,
        help_text=_(
            "The city, or its airport's three-letter code, e.g. Tashkent or TAS."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    outbound_date = _date(_("Preferred outbound date"))
    return_date = _date(_("Preferred return date"))
    notes = forms.CharField(
        label=_("Notes for the travel desk"),
        required=False,
        max_length=2000,
        help_text=_("E.g. a preferred time of day or airline, or a stopover."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (earliest, latest) in travel_window(meeting).items():
            self.fields[name].help_text = _("From %(earliest)s to %(latest)s.") % {
                "earliest": format_date(earliest),
                "latest": format_date(latest),
            }


class FlightChangeForm(_LinkForm):
    change = forms.CharField(
        label=_("What should change"),
        max_length=2000,
        help_text=_("E.g. leave a day later, or from another city."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    new_date = _date(
        _("New preferred date"),
        required=False,
        help_text=_("If the change is to another day."),
    )


class BookingLegForm(FlightLegForm):
    """One flight the travel desk books for a request; always "requested"."""

    class Meta(FlightLegForm.Meta):
        fields = [
            "carrier",
            "flight_number",
            "from_airport",
            "departs_local",
            "to_airport",
            "arrives_local",
            "booking_reference",
            "fare",
            "currency",
        ]
