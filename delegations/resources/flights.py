"""Flight legs in each airport's local time, stored in UTC; saved by
save_flight_leg."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from import_export import fields

from delegations.models import FlightLeg
from delegations.resources.base import MeetingScopedResource
from delegations.resources.cells import (
    ChoiceWidget,
    CodeWidget,
    DelegateEmailWidget,
    FareWidget,
    LocalTimeWidget,
    TextWidget,
    parse_local,
    text,
)
from delegations.services import save_flight_leg
from delegations.validators import (
    airport_time_zone,
    airports,
    validate_currency,
    validate_iata,
)
from dialogue.documents import airport_place
from dialogue.localtime import AmbiguousLocalTime, to_utc
from dialogue.models import Meeting


class FlightLegResource(MeetingScopedResource):
    """Flight legs in each airport's local time; an existing leg is found by id,
    else by delegate, flight number and departure."""

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    meeting = fields.Field(
        attribute="delegate__meeting__slug", column_name="meeting", readonly=True
    )
    delegate = fields.Field(
        attribute="delegate", column_name="delegate_email", widget=DelegateEmailWidget()
    )
    carrier = fields.Field("carrier", "carrier", TextWidget())
    flight_number = fields.Field("flight_number", "flight_number", TextWidget())
    from_airport = fields.Field(
        "from_airport", "from_airport", CodeWidget(validate_iata)
    )
    departs_local = fields.Field(
        "departs_local", "departs_local", LocalTimeWidget(), readonly=True
    )
    to_airport = fields.Field("to_airport", "to_airport", CodeWidget(validate_iata))
    arrives_local = fields.Field(
        "arrives_local", "arrives_local", LocalTimeWidget(), readonly=True
    )
    status = fields.Field(
        "status", "status", ChoiceWidget(FlightLeg.Status), saves_null_values=False
    )
    booking_reference = fields.Field(
        "booking_reference", "booking_reference", TextWidget()
    )
    fare = fields.Field("fare", "fare", FareWidget())
    currency = fields.Field(
        "currency", "currency", CodeWidget(validate_currency), saves_null_values=False
    )

    required_columns = (
        "delegate_email",
        "carrier",
        "flight_number",
        "from_airport",
        "departs_local",
        "to_airport",
        "arrives_local",
    )
    field_columns = {
        "departs_at": "departs_local",
        "arrives_at": "arrives_local",
        "delegate": "delegate_email",
    }
    column_labels = {
        "id": _l("ID"),
        "meeting": _l("Meeting"),
        "delegate_email": _l("Delegate's email"),
        "carrier": _l("Airline"),
        "flight_number": _l("Flight number"),
        "from_airport": _l("From (airport code)"),
        "departs_local": _l("Departs (local time)"),
        "to_airport": _l("To (airport code)"),
        "arrives_local": _l("Arrives (local time)"),
        "status": _l("Status"),
        "booking_reference": _l("Booking reference"),
        "fare": _l("Fare"),
        "currency": _l("Currency"),
    }
    constraint_columns = {
        "flight_arrives_after_departure": "arrives_local",
        "flight_between_two_airports": "to_airport",
        "flight_fare_not_negative": "fare",
    }
    TIMES = (
        ("departs_local", "departs_at", "from_airport"),
        ("arrives_local", "arrives_at", "to_airport"),
    )

    class Meta:
        model = FlightLeg
        fields = (
            "id",
            "meeting",
            "delegate",
            "carrier",
            "flight_number",
            "from_airport",
            "departs_local",
            "to_airport",
            "arrives_local",
            "status",
            "booking_reference",
            "fare",
            "currency",
        )
        export_order = fields
        import_id_fields = ["id"]
        use_transactions = True
        clean_model_instances = False  # save_flight_leg validates
        report_skipped = False
        # No before/after diff per row: the preview shows the file's own cells,
        # and a deep copy plus an HTML diff of every row is work for nothing.
        skip_diff = True

    @classmethod
    def get_display_name(cls):
        return _("Flights")

    def __init__(self, meeting: Meeting | None = None, **kwargs):
        super().__init__(meeting=meeting, **kwargs)
        self._legs: dict = {}

    def legs(self, meeting: Meeting) -> dict:
        if meeting.pk not in self._legs:
            self._legs[meeting.pk] = {
                (leg.delegate_id, leg.flight_number.upper(), leg.departs_at): leg
                for leg in FlightLeg.objects.filter(delegate__meeting=meeting)
            }
        return self._legs[meeting.pk]

    @staticmethod
    def instant(cell, airport: str) -> datetime.datetime:
        """Return the cell's local time at the airport as a UTC instant.

        Raises ValueError with the rule: a cell that is no date and time, a
        time the clocks skip there, one they show twice (the cell must then
        carry its offset, which is asked back), or an offset not the airport's.
        """
        naive, offset = parse_local(cell)
        try:
            return to_utc(
                naive,
                airport_time_zone(airport),
                place=airport_place(airport, translation.get_language()),
                offset=offset,
            )
        except AmbiguousLocalTime as exc:
            first, second = exc.written_with_offsets()
            raise ValueError(
                _("%(rule)s Write which one: %(first)s or %(second)s.")
                % {"rule": exc, "first": first, "second": second}
            ) from None

    def utc(self, row, column: str, airport_column: str) -> datetime.datetime | None:
        """Return the row's local time in UTC, or None if it cannot be read."""
        airport = text(row.get(airport_column)).upper()
        if airport not in airports():
            return None
        try:
            return self.instant(row.get(column), airport)
        except ValueError:
            return None

    def get_instance(self, instance_loader, row):
        meeting = self.row_meeting(row)
        leg_id = text(row.get("id"))
        if leg_id:
            leg = (
                FlightLeg.objects.filter(pk=leg_id, delegate__meeting=meeting).first()
                if leg_id.isdigit()
                else None
            )
            if leg is None:
                raise ValidationError(
                    {
                        "id": _("%(meeting)s has no flight with id %(id)s.")
                        % {"meeting": meeting.slug, "id": leg_id}
                    }
                )
            return leg
        delegate = self.delegates(meeting).get(
            text(row.get("delegate_email")).casefold()
        )
        departs = self.utc(row, "departs_local", "from_airport")
        if delegate is None or departs is None:
            return None  # the cells' own errors say what is wrong
        key = (delegate.pk, text(row.get("flight_number")).upper(), departs)
        self.once_in_file(
            key,
            "flight_number",
            _("this delegate's flight is already on row %(row)s of this file."),
        )
        return self.legs(meeting).get(key)

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.message_dict
        for column, attribute, airport_column in self.TIMES:
            if column not in row:
                continue
            airport = getattr(instance, airport_column) or ""
            if airport_column in errors or airport not in airports():
                try:
                    parse_local(row[column])  # still say what is wrong with it
                except ValueError as exc:
                    errors[column] = [str(exc)]
                continue
            try:
                setattr(instance, attribute, self.instant(row[column], airport))
            except ValueError as exc:
                errors[column] = [str(exc)]
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        try:
            save_flight_leg(instance)
        except ValidationError as exc:
            raise self.by_column(exc) from None
