"""The focal point's nomination forms; the rules are the service's
(accreditation.services.nominations), whose errors the view shows here."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accreditation.models import NominationRequest


class NominationForm(forms.ModelForm):
    """The person proposed: added, or replacing someone."""

    class Meta:
        model = NominationRequest
        fields = [
            "honorific",
            "name_latin",
            "name_cyrillic",
            "position_en",
            "position_ru",
            "role",
            "email",
            "phone",
            "preferred_language",
            "dietary_needs",
            "accessibility_needs",
            "funded_requested",
        ]
        labels = {
            "name_latin": _("Name in Latin script, as in the passport"),
            "name_cyrillic": _("Name in Cyrillic script"),
            "position_en": _("Function (English)"),
            "position_ru": _("Function (Russian)"),
            "funded_requested": _("Request a funded seat (travel paid by the project)"),
        }
        help_texts = {
            "phone": _("International form, e.g. +993 12 345678."),
        }

    def __init__(self, *args, action: str = "", submit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Required here: the model allows blanks only for a withdrawal.
        for name in ("name_latin", "name_cyrillic", "position_en", "position_ru"):
            self.fields[name].required = True
        self.fields["role"].required = True
        self.fields["role"].choices = [
            c for c in self.fields["role"].choices if c[0] != ""
        ]
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", submit or _("Send for review")))

    def _post_clean(self):
        # The service validates the person (delegations' rules) and the quota.
        pass


class WithdrawalForm(forms.Form):
    """Confirms a withdrawal; nothing to fill in."""

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(
            Submit("submit", _("Ask to withdraw"), css_class="btn-danger")
        )
