"""Admin forms: flights entered in each airport's local time, quota and overlap
checks that name what is wrong."""

import datetime
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delegations.models import Delegate, FlightLeg, HotelStay
from delegations.services import funded_names, quota_message
from delegations.validators import airport_time_zone, airports, normalise_phone

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

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        data = super().clean()
        delegation = data.get("delegation") or getattr(
            self.instance, "delegation", None
        )
        if data.get("funded") and delegation and not self.formset_checks_quota:
            others = funded_names(delegation, excluding=self.instance.pk)
            if len(others) + 1 > delegation.funded_quota:
                self.add_error("funded", quota_message(delegation, others))
        email = data.get("email")
        if email and delegation:
            clash = (
                Delegate.objects.filter(
                    meeting_id=delegation.meeting_id, email__iexact=email
                )
                .exclude(pk=self.instance.pk)
                .select_related("delegation")
                .first()
            )
            if clash:
                self.add_error(
                    "email",
                    _(
                        "%(name)s (%(delegation)s) already has this email at this "
                        "meeting."
                    )
                    % {"name": clash.name_latin, "delegation": clash.delegation},
                )
        return data

    formset_checks_quota = False


class DelegateInlineForm(DelegateForm):
    formset_checks_quota = True


class DelegateInlineFormSet(forms.BaseInlineFormSet):
    """Count funded delegates across the whole inline, not row by row."""

    def clean(self):
        super().clean()
        delegation = self.instance
        if not delegation.pk and delegation.funded_quota is None:
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        funded = [
            form.cleaned_data.get("name_latin", "")
            for form in kept
            if form.cleaned_data.get("funded")
        ]
        quota = delegation.funded_quota or 0
        if len(funded) > quota:
            raise ValidationError(
                _(
                    "%(delegation)s may have at most %(quota)s funded delegate(s); "
                    "this list marks %(count)s as funded: %(names)s."
                )
                % {
                    "delegation": delegation.name_en or _("This delegation"),
                    "quota": quota,
                    "count": len(funded),
                    "names": ", ".join(funded),
                }
            )


class HotelStayFormSet(forms.BaseInlineFormSet):
    """Stays of one delegate must not overlap."""

    def clean(self):
        super().clean()
        stays = [
            (form.cleaned_data["check_in"], form.cleaned_data["check_out"], form)
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("check_in")
            and form.cleaned_data.get("check_out")
        ]
        stays.sort(key=lambda item: item[0])
        for (_start_a, end_a, _a), (start_b, _end_b, form_b) in zip(
            stays, stays[1:], strict=False
        ):
            if start_b < end_a:
                form_b.add_error(
                    "check_in",
                    _(
                        "This stay starts on %(start)s, before the previous one ends "
                        "(%(end)s)."
                    )
                    % {"start": start_b, "end": end_a},
                )


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
