"""The focal point's credentials pages, opened through its link (no account).

Thin: the form collects, accreditation.services.credentials decides, and its
errors are shown on the form. A delegate's own link answers the same 404 as
an unknown link; a document of another delegation too.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from accreditation.forms.credentials import CredentialsUploadForm
from accreditation.selectors.credentials import (
    credentials_for_focal_point,
    credentials_of_delegation,
)
from accreditation.services.credentials import submit_credentials
from delegations.models import AccessLink
from delegations.views import LinkMixin
from dialogue.ids import parse_id


def credentials_file_response(credentials) -> FileResponse:
    """Stream a document as a download, never shown inline or cached."""
    response = FileResponse(
        credentials.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=credentials.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class FocalPointOnly(LinkMixin):
    def check_focal_point(self):
        if self.link.kind != AccessLink.Kind.FOCAL_POINT:
            raise Http404("No such page.")


class CredentialsView(FocalPointOnly, TemplateView):
    """Upload the note verbale or credentials; see those sent and the answers."""

    template_name = "accreditation/credentials/upload.html"

    def back_url(self) -> str:
        return f"/l/{self.link.token}/?lang={self.lang}#credentials"

    def form(self, *args):
        return CredentialsUploadForm(*args, action=f"?lang={self.lang}")

    def context(self, form):
        return {
            **self.base_context(),
            "form": form,
            "documents": credentials_of_delegation(self.delegation),
            "back_url": self.back_url(),
        }

    def get(self, request, *args, **kwargs):
        self.check_focal_point()
        return self.render_to_response(self.context(self.form()))

    def post(self, request, *args, **kwargs):
        self.check_focal_point()
        form = self.form(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                submit_credentials(
                    self.delegation,
                    kind=form.cleaned_data["kind"],
                    data=upload.read(),
                    name=upload.name,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _(
                        "The document is received. The secretariat reviews it "
                        "and emails you."
                    ),
                )
                return redirect(self.back_url())
        return self.render_to_response(self.context(form), status=400)


class CredentialsFileView(FocalPointOnly, View):
    """The delegation's own document, for its focal point."""

    def get(self, request, *args, credentials_id: str, **kwargs):
        self.check_focal_point()
        credentials = credentials_for_focal_point(
            self.delegation, parse_id(credentials_id)
        )
        if credentials is None:
            raise Http404("No such page.")
        return credentials_file_response(credentials)
