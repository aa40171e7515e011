"""Flight legs in each airport's local time, stored in UTC; saved by
save_flight_leg."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields

from delegations.admin_forms import FlightLegForm
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
from delegations.validators import airports, validate_currency, validate_iata
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
    def utc(row, column: str, airport_column: str) -> datetime.datetime | None:
        """Return the row's local time in UTC, or None if it cannot be read."""
        airport = text(row.get(airport_column)).upper()
        if airport not in airports():
            return None
        try:
            return FlightLegForm.to_utc(parse_local(row.get(column)), airport)
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
            try:
                naive = parse_local(row[column])
            except ValueError as exc:
                errors[column] = [str(exc)]
                continue
            airport = getattr(instance, airport_column) or ""
            if airport_column not in errors and airport in airports():
                setattr(instance, attribute, FlightLegForm.to_utc(naive, airport))
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        try:
            save_flight_leg(instance)
        except ValidationError as exc:
            keyed = self.by_column(exc)
            arrival = keyed.message_dict.get("arrives_local")
            if arrival and instance.departs_at and instance.arrives_at:
                keyed.error_dict["arrives_local"] = [
                    ValidationError(
                        _("%(rule)s In UTC it departs %(dep)s and arrives %(arr)s.")
                        % {
                            "rule": " ".join(arrival),
                            "dep": instance.departs_at.strftime("%Y-%m-%d %H:%M"),
                            "arr": instance.arrives_at.strftime("%Y-%m-%d %H:%M"),
                        }
                    )
                ]
            raise keyed from None
