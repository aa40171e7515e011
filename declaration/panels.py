"""The declaration's section on the link pages (registered in apps.py)."""

from django.utils import timezone

from declaration.forms import CommentForm
from declaration.models import Version
from declaration.selectors import declarations_for_link
from declaration.services import (
    comments_open,
    format_deadline,
    record_version_opened,
    silence_open,
)
from delegations.models import AccessLink

PANEL_TEMPLATE = "declaration/panel.html"


def comment_action(token: str, version: Version, lang: str) -> str:
    return f"/l/{token}/declaration/{version.pk}/comment/?lang={lang}"


def objection_url(token: str, silence, lang: str) -> str:
    return f"/l/{token}/declaration/silence/{silence.pk}/object/?lang={lang}"


def pdf_url(token: str, version: Version, lang: str) -> str:
    return f"/l/{token}/declaration/{version.pk}/{lang}.pdf"


def compilation_url(token: str, version: Version, lang: str) -> str:
    return f"/l/{token}/declaration/{version.pk}/compilation/{lang}.pdf"


def next_deadline(items) -> float | None:
    """Return the earliest comment deadline or silence end still ahead (epoch s)."""
    now = timezone.now()
    ahead = [
        moment
        for item in items
        for moment in (
            item.version.comment_deadline,
            item.silence.until if item.silence is not None else None,
        )
        if moment is not None and moment > now
    ]
    return min(ahead).timestamp() if ahead else None


def declaration_panel(link: AccessLink, delegates, lang: str) -> dict | None:
    """Return the declaration section of a link page, or None.

    A focal point sees the latest circulated text (and the other language on
    request), what changed since the version circulated before, a comment form
    until the deadline, and only their own delegation's comments until the
    drafters share the compilation of comments (then a link to it in the
    page's language and the other delegations' proposals); opening the page
    records that the version was seen. A delegate sees adopted texts only.
    Five queries at most (six once a compilation is shared), however many
    paragraphs or comments.
    """
    items = declarations_for_link(link)
    if not items:
        return None
    is_focal = link.kind == AccessLink.Kind.FOCAL_POINT
    other = "ru" if lang == "en" else "en"
    if is_focal:
        record_version_opened(
            [item.version.pk for item in items], delegation=link.delegation
        )
        meeting = link.delegation.meeting
    else:
        meeting = link.delegate.delegation.meeting
    entries = []
    for item in items:
        version = item.version
        is_open = comments_open(version)
        silence = item.silence
        breakable = silence is not None and silence_open(silence)
        entries.append(
            {
                "item": item,
                "version": version,
                "title": item.title(lang),
                "paragraphs": [
                    {
                        "paragraph": p,
                        "text": p.text(lang),
                        "other_text": getattr(p, f"text_{other}"),
                    }
                    for p in item.paragraphs
                ],
                "diff": item.diff(lang) if is_focal else [],
                "is_open": is_open,
                "deadline": format_deadline(version.comment_deadline, meeting)
                if version.comment_deadline
                else "",
                "comment_url": comment_action(link.token, version, lang)
                if is_focal and is_open
                else "",
                "form": CommentForm(
                    version=version,
                    paragraphs=item.paragraphs,
                    lang=lang,
                    meeting=meeting,
                    action=comment_action(link.token, version, lang),
                )
                if is_focal and is_open
                else None,
                "silence": silence,
                "silence_open": breakable,
                "silence_deadline": format_deadline(silence.until, meeting)
                if silence is not None
                else "",
                "objection_url": objection_url(link.token, silence, lang)
                if is_focal and breakable
                else "",
                "compilation_url": compilation_url(link.token, version, lang)
                if is_focal and item.compilation is not None
                else "",
                "pdf_urls": [
                    (code, pdf_url(link.token, version, code)) for code in ("en", "ru")
                ]
                if version.status == Version.Status.ADOPTED
                else [],
            }
        )
    return {
        "template": PANEL_TEMPLATE,
        # The comment form and the objection button go at a deadline: a kept
        # page (delegations.page_cache) is kept no longer than that.
        "fresh_until": next_deadline(items),
        "entries": entries,
        "is_focal_point": is_focal,
        "token": link.token,
        "other_lang": other,
        "time_zone": meeting.time_zone,
        "meeting": meeting,
        "unsaved": None,
    }
