"""Link pages: a focal point's comment, and the adopted text as PDF.

Both resolve the token like every link page (delegations.views.LinkMixin): a
wrong, revoked or expired link is a 404, and the answer is private and noindex.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from declaration.forms import CommentForm
from declaration.models import Version
from declaration.panels import PANEL_TEMPLATE, comment_action
from declaration.pdf import pdf_filename, render_version_pdf
from declaration.selectors import version_paragraphs
from delegations.models import AccessLink
from delegations.selectors import active_link
from delegations.views import LinkMixin, ParticipantPageView, private


def link_version(link: AccessLink, version_id: int, meeting) -> Version:
    """Return a circulated, superseded or adopted version of the link's meeting."""
    version = (
        Version.objects.filter(pk=version_id, declaration__meeting=meeting)
        .exclude(status=Version.Status.DRAFT)
        .select_related("declaration__meeting")
        .first()
    )
    if version is None:
        raise Http404("No such page.")
    return version


class CommentView(ParticipantPageView):
    """A focal point sends a comment; a refused one re-shows their page with it."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, token: str, **kwargs):
        if request.method == "POST" and active_link(token) is None:
            # Same 404 for any wrong, revoked or expired link, but what the person
            # typed is given back so that nothing is lost.
            response = TemplateResponse(
                request,
                "declaration/comment_not_saved.html",
                {"text": request.POST.get("text", "")[:5000]},
                status=404,
            )
            response.render()
            return private(response)
        return super().dispatch(request, *args, token=token, **kwargs)

    def post(self, request, *args, version_id: int, **kwargs):
        if self.link.kind != AccessLink.Kind.FOCAL_POINT:
            raise Http404("No such page.")
        version = link_version(self.link, version_id, self.meeting)
        paragraphs = version_paragraphs(version)
        form = CommentForm(
            request.POST,
            version=version,
            paragraphs=paragraphs,
            lang=self.lang,
            meeting=self.meeting,
            action=comment_action(self.link.token, version, self.lang),
        )
        if form.is_valid():
            comment = form.save(
                delegation=self.delegation,
                submitted_by=self.delegation.focal_point_name,
            )
            if comment is not None:
                label = next(
                    p.label for p in paragraphs if p.pk == comment.paragraph_id
                )
                messages.success(
                    request,
                    _("Thank you: your comment on %(label)s was sent to the drafters.")
                    % {"label": label},
                )
                return redirect(
                    f"/l/{self.link.token}/?lang={self.lang}"
                    f"#declaration-{version.declaration_id}"
                )
        self.bound_form = form
        self.bound_version = version
        response = self.render_to_response(self.get_context_data(), status=400)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for panel in context["panels"]:
            if panel.get("template") != PANEL_TEMPLATE:
                continue
            for entry in panel["entries"]:
                if entry["version"].pk == self.bound_version.pk:
                    entry["form"] = self.bound_form
                    break
            else:
                panel["unsaved"] = self.bound_form
        return context


class VersionPdfView(LinkMixin, View):
    """The adopted text as PDF, for any link of the meeting."""

    def get(self, request, *args, version_id: int, lang: str, **kwargs):
        if lang not in ("en", "ru"):
            raise Http404("No such page.")
        version = link_version(self.link, version_id, self.meeting)
        if version.status != Version.Status.ADOPTED:
            raise Http404("No such page.")
        response = HttpResponse(
            render_version_pdf(version, lang), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'inline; filename="{pdf_filename(version, lang)}"'
        )
        return response
