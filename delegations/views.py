"""Pages opened through a personal or focal-point link (no account)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from delegations import page_cache
from delegations.calendar import build_calendar
from delegations.forms import SelfServiceForm
from delegations.models import AccessLink, Delegate, Passport
from delegations.panels import calendar_events_for, panels_for
from delegations.selectors import (
    active_link,
    delegate_page_for_link,
    delegate_page_number,
    delegates_for_link,
    link_delegation,
    link_meeting,
    page_link,
    page_number,
    travel_warnings,
)
from delegations.services import record_link_opened, update_own_details
from dialogue.http import private
from dialogue.i18n import normalise_language, requested_language
from dialogue.ids import parse_id


class LinkMixin:
    """Resolve the token; anything wrong is the same 404 as an unknown link."""

    link: AccessLink

    def dispatch(self, request, *args, token: str, **kwargs):
        link = active_link(token)
        if link is None:
            raise Http404("No such page.")
        self.link = link
        self.meeting = link_meeting(link)
        self.delegation = link_delegation(link)
        self.lang = self.choose_language(request)
        with translation.override(self.lang):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        return private(response)

    def choose_language(self, request) -> str:
        if self.link.kind == AccessLink.Kind.DELEGATE:
            preferred = self.link.delegate.preferred_language
        else:
            preferred = self.delegation.language
        return requested_language(request, preferred)

    def base_context(self) -> dict:
        return {
            "link": self.link,
            "token": self.link.token,
            "meeting": self.meeting,
            "delegation": self.delegation,
            "lang": self.lang,
            "is_focal_point": self.link.kind == AccessLink.Kind.FOCAL_POINT,
        }


class ParticipantPageView(LinkMixin, TemplateView):
    """A delegate's itinerary, or every delegate's for a focal point.

    The rendered page is kept in the cache until an input changes
    (delegations.page_cache). The link is checked on every request first (one
    query, page_link), so a revoked or expired link stops at once; a page in
    the cache costs that query alone.
    """

    template_name = "delegations/participant_page.html"
    caching = False
    fresh_until: float | None = None

    def dispatch(self, request, *args, token: str, **kwargs):
        found = page_link(token)
        if found is None:
            raise Http404("No such page.")
        record_link_opened(found)
        # Only this page is kept: a subclass (the comment form's page, which
        # shows a refused draft from the session) reads more than the link,
        # its language and `page`.
        parameters = page_cache.cacheable(request)
        if parameters is None or type(self) is not ParticipantPageView:
            return super().dispatch(request, *args, token=token, **kwargs)
        lang = requested_language(request, found.language)
        lookup = page_cache.look_up(found, lang, parameters)
        html = lookup.html
        if html is None:
            self.caching = True
            response = super().dispatch(request, *args, token=token, **kwargs)
            if response.status_code != 200:
                return response
            # Kept with the placeholder; each response gets its own token.
            html = response.content.decode()
            page_cache.store_page(lookup, html, fresh_until=self.fresh_until)
            response.content = page_cache.with_csrf(html, request)
            return response
        return private(HttpResponse(page_cache.with_csrf(html, request)))

    def get_context_data(self, **kwargs):
        # The itinerary shows a cancelled flight, marked, so the delegate knows.
        page = delegate_page_for_link(
            self.link,
            page=page_number(self.request.GET.get("page")),
            cancelled_flights=True,
        )
        delegates = page.delegates
        lang = normalise_language(self.lang)
        panels = panels_for(self.link, delegates, lang)
        # A panel whose content turns on the clock says until when it holds.
        self.fresh_until = min(
            (p["fresh_until"] for p in panels if p.get("fresh_until")), default=None
        )
        context = {
            **super().get_context_data(**kwargs),
            **self.base_context(),
            "delegate_page": page,
            # The language switch keeps the page of delegates.
            "extra_query": f"page={page.number}" if page.number > 1 else "",
            "delegates": [
                {
                    "delegate": delegate,
                    "name": delegate.name(lang),
                    "position": delegate.position(lang),
                    "warnings": travel_warnings(delegate, self.meeting),
                }
                for delegate in delegates
            ],
            "panels": panels,
        }
        if self.caching:
            # {% csrf_token %} renders the placeholder; each response its own.
            context["csrf_token"] = page_cache.CSRF_PLACEHOLDER
        return context


class CalendarView(LinkMixin, View):
    """The .ics file of the link's flights and sessions."""

    def get(self, request):
        # A calendar event is a flight to take: cancelled ones are left out.
        delegates = delegates_for_link(self.link, cancelled_flights=False)
        lang = normalise_language(self.lang)
        body = build_calendar(
            self.meeting,
            delegates,
            lang=lang,
            extra_events=calendar_events_for(self.link, delegates, lang),
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="dialogue.ics"'
        return response


class SelfServiceView(LinkMixin, TemplateView):
    """Confirm or correct phone, needs, language and passport details."""

    template_name = "delegations/delegate_details.html"

    def get_delegate(self) -> Delegate:
        if self.link.kind == AccessLink.Kind.DELEGATE:
            return self.link.delegate
        delegate_id = self.request.GET.get("delegate") or self.request.POST.get(
            "delegate"
        )
        delegate = (
            Delegate.objects.filter(
                pk=parse_id(delegate_id),
                delegation=self.delegation,
            )
            .select_related("delegation")
            .first()
        )
        if delegate is None:
            raise Http404("No such page.")
        return delegate

    def initial_for(self, delegate: Delegate) -> dict:
        initial = {
            "phone": delegate.phone_display,
            "preferred_language": delegate.preferred_language,
            "dietary_needs": delegate.dietary_needs,
            "accessibility_needs": delegate.accessibility_needs,
        }
        passport = Passport.objects.filter(delegate=delegate).first()
        if passport:
            initial.update(
                passport_number=passport.number,
                passport_nationality=passport.nationality,
                passport_date_of_birth=passport.date_of_birth,
                passport_issued_on=passport.issued_on,
                passport_expires_on=passport.expires_on,
            )
        return initial

    def get(self, request, *args, **kwargs):
        delegate = self.get_delegate()
        form = SelfServiceForm(
            initial=self.initial_for(delegate),
            meeting=self.meeting,
            action=self.form_action(delegate),
        )
        return self.render_to_response(self.context(delegate, form))

    def post(self, request, *args, **kwargs):
        delegate = self.get_delegate()
        form = SelfServiceForm(
            request.POST, meeting=self.meeting, action=self.form_action(delegate)
        )
        if form.is_valid():
            # Recorded in English; the board says it in its reader's language
            # (delegations.selectors.who_changed).
            with translation.override("en"):
                who = (
                    _("the delegate")
                    if self.link.kind == AccessLink.Kind.DELEGATE
                    else _("focal point of %(delegation)s")
                    % {"delegation": self.delegation.name_en}
                )
            try:
                changes = update_own_details(
                    delegate, data=form.cleaned_data, changed_by=str(who)
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = field if field in form.fields else None
                    if f"passport_{field}" in form.fields:
                        target = f"passport_{field}"
                    for error in errors:
                        form.add_error(target, error)
            else:
                if changes:
                    messages.success(request, _("Thank you: your details are saved."))
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect(self.back_to_page(delegate))
        return self.render_to_response(self.context(delegate, form), status=400)

    def back_to_page(self, delegate: Delegate) -> str:
        """The link page where the delegate's itinerary is: a focal point goes
        back to the page of delegates it came from, at the delegate's card."""
        url = f"/l/{self.link.token}/?lang={self.lang}"
        if self.link.kind != AccessLink.Kind.FOCAL_POINT:
            return url
        return f"{url}&page={delegate_page_number(delegate)}#delegate-{delegate.pk}"

    def extra_query(self, delegate: Delegate) -> str:
        if self.link.kind == AccessLink.Kind.FOCAL_POINT:
            return f"delegate={delegate.pk}"
        return ""

    def form_action(self, delegate: Delegate) -> str:
        extra = self.extra_query(delegate)
        return f"?lang={self.lang}" + (f"&{extra}" if extra else "")

    def context(self, delegate, form):
        return {
            **self.base_context(),
            "extra_query": self.extra_query(delegate),
            "delegate": delegate,
            "delegate_name": delegate.name(self.lang),
            "form": form,
        }
