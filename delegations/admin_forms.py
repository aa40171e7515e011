"""Admin forms: flights entered in each airport's local time; delegates and
hotel stays checked by the services, whose refusals land on the field or row
they are about."""

import datetime
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delegations.models import Delegate, FlightLeg, HotelStay
from delegations.services import (
    check_funded_quota,
    check_unique_email,
    validate_hotel_stay,
)
from delegations.validators import airport_time_zone, airports, normalise_phone
from dialogue.forms import add_service_error

LOCAL_INPUT = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)


class FlightLegForm(forms.ModelForm):
    departs_local = forms.DateTimeField(
        label=_("departs (local time of the departure airport)"), widget=LOCAL_INPUT
    )
    arrives_local = forms.DateTimeField(
        label=_("arrives (local time of the arrival airport)"), widget=LOCAL_INPUT
    )

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

    def clean_from_airport(self):
        return self.cleaned_data["from_airport"].upper()

    def clean_to_airport(self):
        return self.cleaned_data["to_airport"].upper()

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    @staticmethod
    def to_utc(naive: datetime.datetime, iata: str) -> datetime.datetime:
        local = timezone.make_aware(
            naive.replace(tzinfo=None), zoneinfo.ZoneInfo(airport_time_zone(iata))
        )
        return local.astimezone(datetime.UTC)

    def clean(self):
        data = super().clean()
        origin, destination = data.get("from_airport"), data.get("to_airport")
        departs, arrives = data.get("departs_local"), data.get("arrives_local")
        if origin in airports() and departs:
            self.instance.departs_at = self.to_utc(departs, origin)
        if destination in airports() and arrives:
            self.instance.arrives_at = self.to_utc(arrives, destination)
        if (
            self.instance.departs_at
            and self.instance.arrives_at
            and self.instance.arrives_at <= self.instance.departs_at
        ):
            self.add_error(
                "arrives_local",
                _(
                    "The flight arrives before it departs once both local times "
                    "are converted to UTC (%(dep)s → %(arr)s UTC)."
                )
                % {
                    "dep": self.instance.departs_at.strftime("%Y-%m-%d %H:%M"),
                    "arr": self.instance.arrives_at.strftime("%Y-%m-%d %H:%M"),
                },
            )
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
