"""The focal point's badge photo page, opened through its link (no account).

Only the focal point of the delegate's own delegation reaches it: a
delegate's own link, another delegation's delegate or an unknown link are the
same 404. The photo goes to private storage (accreditation.services.badges);
it has no URL.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accreditation.forms.badges import BadgePhotoForm
from accreditation.models import NominationRequest
from accreditation.selectors.badges import delegate_photo
from accreditation.services.badges import set_badge_photo
from accreditation.views.nominations import FocalPointMixin


class BadgePhotoView(FocalPointMixin, TemplateView):
    """GET the form, POST a JPEG or PNG for one delegate's badge."""

    kind = NominationRequest.Kind.REPLACE  # names one delegate (get_target)
    template_name = "accreditation/badges/photo.html"

    def form(self, data=None, files=None):
        return BadgePhotoForm(data, files, action=f"?lang={self.lang}")

    def context(self, form, target):
        return {
            **super().context(form, target),
            "photo": delegate_photo(target),
        }

    def get(self, request, *args, **kwargs):
        target = self.get_target()
        return self.render_to_response(self.context(self.form(), target))

    def post(self, request, *args, **kwargs):
        target = self.get_target()
        form = self.form(request.POST, request.FILES)
        if form.is_valid():
            try:
                set_badge_photo(target, form.photo_bytes())
            except ValidationError as exc:
                for error in exc.message_dict.get("photo", exc.messages):
                    form.add_error("photo", error)
            else:
                messages.success(
                    self.request,
                    _("The photo of %(name)s is saved for the badge.")
                    % {"name": target.name(self.lang)},
                )
                return redirect(self.back_url())
        return self.render_to_response(self.context(form, target), status=400)
