"""The focal point's credentials upload and the secretariat's review forms;
the rules are the service's (accreditation.services.credentials)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accreditation.credentials import check_size, max_bytes
from accreditation.models import Credentials


class CredentialsUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=Credentials.Kind.choices)
    file = forms.FileField(
        label=_("PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "The signed document as a PDF, at most %(limit)s MB."
        ) % {"limit": max_bytes() // (1024 * 1024)}
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", _("Upload")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_size(upload.size)  # before it is read into memory
        return upload


class CredentialsReviewForm(forms.Form):
    """Approve for the delegates the document names, or return with a reason
    (the admin's two buttons say which)."""

    accredited = forms.ModelMultipleChoiceField(
        label=_("Delegates the document names"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reason, if you return it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the focal point with the returned document."),
    )

    def __init__(self, *args, delegates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accredited"].queryset = delegates
