"""The focal point's nomination pages, opened through its link (no account).

Thin: the forms collect, accreditation.services.nominations decides, and its
errors are shown on the form. A delegate's own link, or a delegate of another
delegation, answers the same 404 as an unknown link.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accreditation.forms.nominations import NominationForm, WithdrawalForm
from accreditation.models import NominationRequest
from accreditation.services.nominations import submit_request
from delegations.models import AccessLink, Delegate
from delegations.views import LinkMixin
from dialogue.ids import parse_id


class FocalPointMixin(LinkMixin):
    kind = NominationRequest.Kind.ADD

    def dispatch(self, request, *args, delegate_id: str | None = None, **kwargs):
        self.delegate_id = delegate_id
        return super().dispatch(request, *args, **kwargs)

    def get_target(self) -> Delegate | None:
        if self.link.kind != AccessLink.Kind.FOCAL_POINT:
            raise Http404("No such page.")
        if self.kind == NominationRequest.Kind.ADD:
            return None
        target = Delegate.objects.filter(
            pk=parse_id(self.delegate_id), delegation=self.delegation
        ).first()
        if target is None:
            raise Http404("No such page.")
        return target

    def back_url(self) -> str:
        return f"/l/{self.link.token}/?lang={self.lang}#nominations"

    def submit(self, form, target, data):
        try:
            submit_request(self.delegation, kind=self.kind, target=target, data=data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
            return None
        messages.success(
            self.request,
            _("Your request is sent. The secretariat reviews it and emails you."),
        )
        return redirect(self.back_url())

    def context(self, form, target):
        return {
            **self.base_context(),
            "form": form,
            "target": target,
            "target_name": target.name(self.lang) if target else "",
            "kind": self.kind,
            "back_url": self.back_url(),
        }


class NominateView(FocalPointMixin, TemplateView):
    """Add a delegate, or (with a delegate) propose their replacement."""

    template_name = "accreditation/nominations/nominate.html"

    def form(self, data=None):
        return NominationForm(
            data,
            action=f"?lang={self.lang}",
            initial={"preferred_language": self.delegation.language},
        )

    def get(self, request, *args, **kwargs):
        target = self.get_target()
        return self.render_to_response(self.context(self.form(), target))

    def post(self, request, *args, **kwargs):
        target = self.get_target()
        form = self.form(request.POST)
        if form.is_valid():
            done = self.submit(form, target, form.cleaned_data)
            if done is not None:
                return done
        return self.render_to_response(self.context(form, target), status=400)


class ReplaceView(NominateView):
    kind = NominationRequest.Kind.REPLACE


class WithdrawView(FocalPointMixin, TemplateView):
    """Ask to withdraw a delegate (a confirmation, then the request)."""

    kind = NominationRequest.Kind.WITHDRAW
    template_name = "accreditation/nominations/withdraw.html"

    def get(self, request, *args, **kwargs):
        target = self.get_target()
        form = WithdrawalForm(action=f"?lang={self.lang}")
        return self.render_to_response(self.context(form, target))

    def post(self, request, *args, **kwargs):
        target = self.get_target()
        form = WithdrawalForm(request.POST, action=f"?lang={self.lang}")
        if form.is_valid():
            done = self.submit(form, target, {})
            if done is not None:
                return done
        return self.render_to_response(self.context(form, target), status=400)
