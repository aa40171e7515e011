"""The focal point's badge photo form; the check is accreditation.photos'."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accreditation.photos import max_bytes


class BadgePhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo for the badge (JPEG or PNG)"),
        help_text=_(
            "A recent passport-style photo, face to the camera. At most 5 MB; "
            "it is printed on the badge only and never published."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", _("Upload the photo")))

    def photo_bytes(self) -> bytes:
        """Return the upload's bytes, read no further than one past the limit
        (the service then refuses it as too large)."""
        upload = self.cleaned_data["photo"]
        return upload.read(max_bytes() + 1)
