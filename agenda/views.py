"""The public programme page, shown only while the secretariat publishes it."""

from django.shortcuts import get_object_or_404
from django.utils import translation
from django.views.generic import TemplateView

from agenda.selectors import public_programme
from dialogue.i18n import requested_language
from dialogue.models import Meeting


class PublicProgrammeView(TemplateView):
    """The programme without personal data: speakers by function and delegation.

    An unpublished meeting is the same 404 as an unknown one.
    """

    template_name = "agenda/public_programme.html"

    def get(self, request, *args, slug: str, **kwargs):
        meeting = get_object_or_404(Meeting, slug=slug, publish_programme=True)
        lang = requested_language(request)
        with translation.override(lang):
            context = self.get_context_data(
                meeting=meeting, lang=lang, items=public_programme(meeting)
            )
            response = self.render_to_response(context).render()
        # Caches must ask again: unpublishing takes effect at once.
        response["Cache-Control"] = "no-cache"
        return response
