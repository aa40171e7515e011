"""Travel pages opened through a link (no account): the focal point requests
a funded delegate's travel; the focal point, or a delegate for their own
flights, asks to change a booked flight.

Thin: the forms collect, accreditation.services.travel_requests decides, and
its errors are shown on the form. Anything the link may not reach answers the
same 404 as an unknown link.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accreditation.forms.travel_requests import FlightChangeForm, TravelRequestForm
from accreditation.services.travel_requests import (
    change_refusal,
    may_ask_change,
    submit_change_request,
    submit_travel_request,
    travel_refusal,
)
from delegations.models import AccessLink, Delegate, FlightLeg
from delegations.views import LinkMixin
from dialogue.documents import airport_place
from dialogue.forms import add_service_error
from dialogue.i18n import localized
from dialogue.ids import parse_id


class _TravelPage(LinkMixin, TemplateView):
    form_class = None

    def back_url(self) -> str:
        return f"/l/{self.link.token}/?lang={self.lang}#travel"

    def form(self, data=None):
        return self.form_class(data, action=f"?lang={self.lang}")

    def refusal(self) -> str:
        return ""

    def context(self, form) -> dict:
        return {
            **self.base_context(),
            "form": form,
            "refusal": self.refusal(),
            "back_url": self.back_url(),
        }

    def get(self, request, *args, **kwargs):
        self.load()
        return self.render_to_response(self.context(self.form()))

    def post(self, request, *args, **kwargs):
        self.load()
        form = self.form(request.POST)
        if form.is_valid():
            try:
                self.submit(form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Your request is sent. The travel desk answers it "
                        "and emails you."
                    ),
                )
                return redirect(self.back_url())
        return self.render_to_response(self.context(form), status=400)


class TravelRequestView(_TravelPage):
    """Request travel for one funded delegate of the focal point's delegation."""

    template_name = "accreditation/travel/request.html"
    form_class = TravelRequestForm

    def load(self):
        if self.link.kind != AccessLink.Kind.FOCAL_POINT:
            raise Http404("No such page.")
        self.delegate = Delegate.objects.filter(
            pk=parse_id(self.kwargs["delegate_id"]), delegation=self.delegation
        ).first()
        if self.delegate is None:
            raise Http404("No such page.")

    def form(self, data=None):
        return TravelRequestForm(
            data, action=f"?lang={self.lang}", meeting=self.meeting
        )

    def refusal(self) -> str:
        return travel_refusal(self.delegate)

    def submit(self, data):
        submit_travel_request(
            self.delegation,
            delegate=self.delegate,
            departure=data["departure"],
            outbound_date=data["outbound_date"],
            return_date=data["return_date"],
            notes=data["notes"],
        )

    def context(self, form) -> dict:
        return {
            **super().context(form),
            "person": self.delegate.name(self.lang),
            "venue": airport_place(self.meeting.venue_airport, self.lang)
            if self.meeting.venue_airport
            else localized(self.meeting, "city", self.lang),
        }


class FlightChangeView(_TravelPage):
    """Ask the travel desk to change a booked flight."""

    template_name = "accreditation/travel/change.html"
    form_class = FlightChangeForm

    def load(self):
        self.flight = (
            FlightLeg.objects.select_related("delegate__delegation")
            .filter(pk=parse_id(self.kwargs["leg_id"]))
            .first()
        )
        if self.flight is None or not may_ask_change(self.link, self.flight):
            raise Http404("No such page.")

    def refusal(self) -> str:
        return change_refusal(self.flight)

    def submit(self, data):
        submit_change_request(
            self.flight,
            link=self.link,
            change=data["change"],
            new_date=data["new_date"],
        )

    def context(self, form) -> dict:
        return {
            **super().context(form),
            "flight": self.flight,
            "person": self.flight.delegate.name(self.lang),
        }
