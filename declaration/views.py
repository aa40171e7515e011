"""Link pages: a focal point's comment, and the adopted text as PDF.

Both resolve the token like every link page (delegations.views.LinkMixin): a
wrong, revoked or expired link is a 404, and the answer is private and noindex.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from declaration.forms import CommentEditForm, CommentForm
from declaration.models import Comment, Silence, Version
from declaration.panels import PANEL_TEMPLATE, comment_action
from declaration.pdf import pdf_filename, render_version_pdf
from declaration.selectors import version_paragraphs
from declaration.services import (
    comments_open,
    format_deadline,
    object_to_silence,
    withdraw_comment,
)
from delegations.models import AccessLink
from delegations.selectors import active_link
from delegations.views import LinkMixin, ParticipantPageView, private
from dialogue.ids import parse_id


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


DRAFT_FIELDS = ("paragraph", "kind", "new_kind", "target", "language", "text")


def draft_key(link: AccessLink, what: str) -> str:
    """Return the session key of a refused comment (or edit) kept for its page."""
    return f"declaration-draft-{link.pk}-{what}"


def keep_draft(request, key: str) -> None:
    """Keep what was typed in a refused form, so that the page it is redirected
    to (in either language) shows it again with its errors."""
    request.session[key] = {
        name: request.POST.get(name, "")[:5000] for name in DRAFT_FIELDS
    }


def own_comment(link: AccessLink, comment_id: int) -> Comment:
    """Return a comment of the focal point's own delegation, or 404."""
    if link.kind != AccessLink.Kind.FOCAL_POINT:
        raise Http404("No such page.")
    comment = (
        Comment.objects.filter(pk=comment_id, delegation_id=link.delegation_id)
        .exclude(version__status=Version.Status.DRAFT)
        .select_related("version__declaration__meeting", "paragraph")
        .first()
    )
    if comment is None:
        raise Http404("No such page.")
    return comment


def page_url(link: AccessLink, lang: str, fragment: str = "") -> str:
    return f"/l/{link.token}/?lang={lang}" + (f"#{fragment}" if fragment else "")


class CommentView(ParticipantPageView):
    """The focal point's page with the comment form of one version.

    GET shows it with a paragraph chosen (?paragraph=, the button beside each
    paragraph) or with a refused comment as it was typed, its errors at their
    fields; POST sends the comment and always redirects (the language links,
    GET, work on every page the focal point sees).
    """

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

    def comment_form(self, version: Version, data=None, initial=None) -> CommentForm:
        return CommentForm(
            data,
            initial=initial or {},
            version=version,
            paragraphs=self.paragraphs,
            lang=self.lang,
            meeting=self.meeting,
            action=comment_action(self.link.token, version, self.lang),
        )

    def load_version(self, version_id: int) -> Version:
        if self.link.kind != AccessLink.Kind.FOCAL_POINT:
            raise Http404("No such page.")
        version = link_version(self.link, version_id, self.meeting)
        self.paragraphs = version_paragraphs(version)
        return version

    def get(self, request, *args, version_id: int, **kwargs):
        version = self.load_version(version_id)
        key = draft_key(self.link, f"version-{version.pk}")
        chosen = parse_id(request.GET.get("paragraph"))
        draft = None if chosen else request.session.get(key)
        if chosen:
            request.session.pop(key, None)
        if draft:
            form = self.comment_form(version, data=draft)
            form.is_valid()
        else:
            form = self.comment_form(version, initial={"paragraph": chosen})
        form.focus_first()
        self.bound_form, self.bound_version = form, version
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, version_id: int, **kwargs):
        version = self.load_version(version_id)
        key = draft_key(self.link, f"version-{version.pk}")
        form = self.comment_form(version, data=request.POST)
        comment = None
        if form.is_valid():
            comment = form.save(
                delegation=self.delegation,
                submitted_by=self.delegation.focal_point_name,
            )
        if comment is None:
            keep_draft(request, key)
            # No fragment: browsers skip autofocus on a page opened at one,
            # and the focused field scrolls into view by itself.
            return redirect(comment_action(self.link.token, version, self.lang))
        request.session.pop(key, None)
        label = next(p.label for p in self.paragraphs if p.pk == comment.paragraph_id)
        messages.success(
            request,
            _("Thank you: your comment on %(label)s was sent to the drafters.")
            % {"label": label},
        )
        return redirect(page_url(self.link, self.lang, f"own-comment-{comment.pk}"))

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


class OwnCommentView(LinkMixin, TemplateView):
    """A focal point edits (GET, POST) or withdraws one of their delegation's
    comments, until the deadline (the services decide)."""

    template_name = "declaration/comment_change.html"
    withdraw = False

    def setup_comment(self, comment_id: int) -> Comment:
        self.comment = own_comment(self.link, comment_id)
        self.key = draft_key(self.link, f"comment-{self.comment.pk}")
        return self.comment

    def form(self, data=None) -> CommentEditForm:
        return CommentEditForm(
            data,
            comment=self.comment,
            lang=self.lang,
            action=f"{self.request.path}?lang={self.lang}",
        )

    def get(self, request, *args, comment_id: int, **kwargs):
        comment = self.setup_comment(comment_id)
        form = None
        if not self.withdraw:
            draft = request.session.get(self.key)
            form = self.form(draft)
            if draft:
                form.is_valid()
            form.focus_first()
        return self.render_to_response(self.context(comment, form))

    def post(self, request, *args, comment_id: int, **kwargs):
        comment = self.setup_comment(comment_id)
        label = self.label(comment)
        if self.withdraw:
            try:
                withdraw_comment(comment, delegation=self.delegation)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(
                    page_url(self.link, self.lang, f"own-comment-{comment.pk}")
                )
            messages.success(
                request,
                _("Your comment on %(label)s was withdrawn.") % {"label": label},
            )
            return redirect(page_url(self.link, self.lang, f"own-comment-{comment.pk}"))
        form = self.form(request.POST)
        if form.is_valid() and form.save(
            delegation=self.delegation,
            submitted_by=self.delegation.focal_point_name,
        ):
            request.session.pop(self.key, None)
            messages.success(
                request,
                _("Your comment on %(label)s was changed.") % {"label": label},
            )
            return redirect(page_url(self.link, self.lang, f"own-comment-{comment.pk}"))
        keep_draft(request, self.key)
        return redirect(f"{request.path}?lang={self.lang}")

    def label(self, comment: Comment) -> str:
        paragraphs = version_paragraphs(comment.version)
        return next(p.label for p in paragraphs if p.pk == comment.paragraph_id)

    def context(self, comment: Comment, form) -> dict:
        version = comment.version
        return {
            **self.base_context(),
            "comment": comment,
            "label": self.label(comment),
            "form": form,
            "withdraw": self.withdraw,
            "is_open": comments_open(version),
            "deadline": format_deadline(version.comment_deadline, self.meeting)
            if version.comment_deadline
            else "",
            "back_url": page_url(self.link, self.lang, f"own-comment-{comment.pk}"),
            "title": version.declaration.title(self.lang),
        }


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


class ObjectionView(LinkMixin, TemplateView):
    """A focal point breaks a silence procedure with a reasoned objection.

    POST records it (object_to_silence decides) and redirects to the page; a
    refused objection (the deadline passed, the silence is over, no reason) is
    shown again with what was typed, so that nothing is lost. GET goes back to
    the page's silence section.
    """

    template_name = "declaration/objection_not_saved.html"

    def load(self, silence_id: int) -> Silence:
        if self.link.kind != AccessLink.Kind.FOCAL_POINT:
            raise Http404("No such page.")
        silence = (
            Silence.objects.filter(
                pk=silence_id, version__declaration__meeting=self.meeting
            )
            .select_related("version__declaration__meeting")
            .first()
        )
        if silence is None:
            raise Http404("No such page.")
        return silence

    def get(self, request, *args, silence_id: int, **kwargs):
        silence = self.load(silence_id)
        return redirect(page_url(self.link, self.lang, f"silence-{silence.pk}"))

    def post(self, request, *args, silence_id: int, **kwargs):
        silence = self.load(silence_id)
        reason = request.POST.get("reason", "")[:5000]
        try:
            object_to_silence(
                silence,
                delegation=self.delegation,
                reason=reason,
                submitted_by=self.delegation.focal_point_name,
            )
        except ValidationError as error:
            context = {
                **self.base_context(),
                "errors": error.messages,
                "reason": reason,
                "back_url": page_url(self.link, self.lang, f"silence-{silence.pk}"),
                "title": silence.version.declaration.title(self.lang),
                "number": silence.version.number,
            }
            return self.render_to_response(context, status=400)
        messages.success(
            request,
            _(
                "Your objection was recorded: the silence on version %(number)s "
                "is broken. The drafters will follow up."
            )
            % {"number": silence.version.number},
        )
        return redirect(page_url(self.link, self.lang, f"silence-{silence.pk}"))


class CompilationPdfView(LinkMixin, View):
    """The compilation of comments on a version as PDF, for a focal point,
    once the drafters shared it (before: 404, like any page not there)."""

    def get(self, request, *args, version_id: int, lang: str, **kwargs):
        from django.http import FileResponse

        from declaration.compilation import download_name, file_path
        from declaration.selectors import shared_compilation

        if lang not in ("en", "ru") or self.link.kind != AccessLink.Kind.FOCAL_POINT:
            raise Http404("No such page.")
        version = link_version(self.link, version_id, self.meeting)
        compilation = shared_compilation(version)
        name = f"pdf_{lang}"
        path = file_path(compilation, name) if compilation else None
        if path is None:
            raise Http404("No such page.")
        response = FileResponse(path.open("rb"), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="{download_name(version, name)}"'
        )
        return response
