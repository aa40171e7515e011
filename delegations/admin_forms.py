"""Admin forms: flights entered in each airport's local time; delegates and
hotel stays checked by the services, whose refusals land on the field or row
they are about."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from delegations.models import Delegate, FlightLeg, HotelStay
from delegations.services import (
    check_flight_times,
    check_funded_quota,
    check_unique_email,
    validate_hotel_stay,
)
from delegations.validators import (
    airport_time_zone,
    airports,
    normalise_phone,
)
from dialogue.documents import airport_place
from dialogue.forms import (
    WallTimeField,
    add_service_error,
    offer_offsets,
    offset_changed,
    wall_time_to_utc,
)


class FlightLegForm(forms.ModelForm):
    departs_local = WallTimeField(
        label=_("departs (local time of the departure airport)")
    )
    arrives_local = WallTimeField(
        label=_("arrives (local time of the arrival airport)")
    )
    # Each local time with the model field it sets and the airport it is at.
    TIMES = (
        ("departs_local", "departs_at", "from_airport"),
        ("arrives_local", "arrives_at", "to_airport"),
    )
    ERROR_FIELDS = {"departs_at": "departs_local", "arrives_at": "arrives_local"}

    class Meta:
        model = FlightLeg
        fields = [
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
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            self.initial["departs_local"] = instance.departs_local.replace(tzinfo=None)
            self.initial["arrives_local"] = instance.arrives_local.replace(tzinfo=None)
            for field, attribute, airport in self.TIMES:
                offer_offsets(
                    self,
                    field,
                    getattr(instance, attribute),
                    airport_time_zone(getattr(instance, airport)),
                )

    def has_changed(self):
        return super().has_changed() or any(
            offset_changed(self, field) for field, _attribute, _airport in self.TIMES
        )

    def clean_from_airport(self):
        return self.cleaned_data["from_airport"].upper()

    def clean_to_airport(self):
        return self.cleaned_data["to_airport"].upper()

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def clean(self):
        data = super().clean()
        for field, attribute, airport_field in self.TIMES:
            airport, naive = data.get(airport_field), data.get(field)
            if airport in airports() and naive:
                instant = wall_time_to_utc(
                    self,
                    field,
                    naive,
                    airport_time_zone(airport),
                    place=airport_place(airport, translation.get_language()),
                )
                if instant is not None:
                    setattr(self.instance, attribute, instant)
        try:
            check_flight_times(self.instance)
        except ValidationError as error:
            add_service_error(self, error, fields=self.ERROR_FIELDS)
        return data


class DelegateForm(forms.ModelForm):
    """A delegate; the unique email and the funded quota are the service's."""

    class Meta:
        model = Delegate
        fields = [
            "delegation",
            "name_latin",
            "name_cyrillic",
            "position_en",
            "position_ru",
            "role",
            "sort_order",
            "email",
            "phone",
            "preferred_language",
            "funded",
            "dietary_needs",
            "accessibility_needs",
        ]

    # In the delegation's inline the list is checked as a whole (its formset).
    checked_by_formset = False

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def _post_clean(self):
        # After the model's own validation has filled the instance in (as
        # Django's UserCreationForm checks passwords), ask the service.
        super()._post_clean()
        if self.checked_by_formset or not self.instance.delegation_id:
            return
        for check in (check_unique_email, check_funded_quota):
            try:
                check(self.instance)
            except ValidationError as error:
                add_service_error(self, error, fields=DELEGATE_ERROR_FIELDS)


# Where a delegate service's refusal shows (by model field or by code).
DELEGATE_ERROR_FIELDS = {"funded_quota": "funded"}


class DelegateInlineForm(DelegateForm):
    checked_by_formset = True


class DelegateInlineFormSet(forms.BaseInlineFormSet):
    """A delegation's delegates, checked as the list they will be once saved:
    a place one row gives up can be taken by another, two rows may not share an
    email."""

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        delegates = [form.instance for form in kept]
        removed = [form.instance for form in self.deleted_forms if form.instance.pk]
        for form in kept:
            others = [d for d in delegates if d is not form.instance]
            try:
                check_unique_email(form.instance, alongside=others, removed=removed)
            except ValidationError as error:
                add_service_error(form, error, fields=DELEGATE_ERROR_FIELDS)
        if self.instance.funded_quota is None:
            return  # the delegation's own form says the quota is missing
        # One refusal says it all (it names the quota and who holds it): shown
        # on a row that asks for a place, before rows already funded.
        asking = sorted(
            (form for form in kept if form.instance.funded),
            key=lambda form: (
                not (form.instance.pk is None or "funded" in form.changed_data)
            ),
        )
        for form in asking:
            others = [d for d in delegates if d is not form.instance]
            try:
                check_funded_quota(
                    form.instance,
                    alongside=others,
                    removed=removed,
                    delegation=self.instance,
                )
            except ValidationError as error:
                add_service_error(form, error, fields=DELEGATE_ERROR_FIELDS)
                break


class HotelStayFormSet(forms.BaseInlineFormSet):
    """A delegate's stays, checked by the service as the list they will be."""

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        stays = [form.instance for form in kept]
        removed = [form.instance for form in self.deleted_forms if form.instance.pk]
        for form in kept:
            others = [stay for stay in stays if stay is not form.instance]
            try:
                validate_hotel_stay(form.instance, alongside=others, removed=removed)
            except ValidationError as error:
                add_service_error(form, error)


class HotelStayForm(forms.ModelForm):
    class Meta:
        model = HotelStay
        fields = [
            "hotel_en",
            "hotel_ru",
            "check_in",
            "check_out",
            "confirmation_number",
        ]
