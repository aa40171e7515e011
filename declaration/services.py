"""Writes for declarations: drafts, circulation, comments and adoption.

Every rule lives here once; the admin views, the focal points' form and the
Celery task call these functions.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from declaration.models import (
    Adoption,
    Circulation,
    Comment,
    Compilation,
    Declaration,
    Objection,
    Paragraph,
    Silence,
    TranslationCheck,
    Version,
    VersionFrozen,
    number_paragraphs,
)
from delegations.models import Delegation
from delegations.services import issue_itinerary_link, link_url
from dialogue.changes import inputs_changed
from dialogue.conflicts import retry_on_write_conflict
from dialogue.models import Meeting
from dialogue.outbox.kinds import Composed, NotToBeSent
from dialogue.outbox.selectors import emails_about
from dialogue.outbox.services import Recipient, queue_emails, resend_emails
from dialogue.timefmt import format_datetime


@dataclass(frozen=True)
class ParagraphText:
    kind: str
    text_en: str
    text_ru: str


class EditConflict(Exception):
    """Another drafter saved the draft after this drafter opened it."""

    def __init__(self, version: Version):
        self.version = version
        super().__init__(
            f"version {version.number} was saved by someone else "
            f"(now at edit {version.lock_version})"
        )


def explain_version_conflict(version: Version, *args, **kwargs) -> ValidationError:
    """Return the error for a write to a version the database could not serialize."""
    return ValidationError(
        _(
            "Version %(number)s was changed by someone else at the same moment, "
            "so nothing was saved. Reload it and try again."
        )
        % {"number": version.number},
        code="concurrent_change",
    )


# Outside a transaction these services start again (dialogue.conflicts): a
# second run sees what the other writer did (an EditConflict, a version that
# is no longer a draft) and says so.
retry_version_write = retry_on_write_conflict(explain=explain_version_conflict)


def snapshot(version: Version) -> list[ParagraphText]:
    """Return the version's text as it is stored now."""
    return [
        ParagraphText(p.kind, p.text_en, p.text_ru)
        for p in version.paragraphs.order_by("position")
    ]


def format_deadline(moment: datetime.datetime, meeting: Meeting) -> str:
    """Return a deadline on the meeting's clock, saying whose: '5 June 2017,
    18:00 Ashgabat time (UTC+5)' (dialogue.timefmt, the active language)."""
    return format_datetime(moment, meeting)


def is_adopted(declaration: Declaration) -> bool:
    return Adoption.objects.filter(declaration=declaration).exists()


def _refuse_if_adopted(declaration: Declaration) -> None:
    if is_adopted(declaration):
        raise ValidationError(
            _("%(title)s has been adopted: its text is final.")
            % {"title": declaration.title_en},
            code="adopted",
        )


def _by(version: Version, user) -> Version:
    if user is not None:
        version._history_user = user
    return version


@transaction.atomic
def create_declaration(
    meeting: Meeting, *, title_en: str, title_ru: str
) -> Declaration:
    """Return a new declaration of the meeting. Side effects: inserts one row."""
    declaration = Declaration(meeting=meeting, title_en=title_en, title_ru=title_ru)
    declaration.full_clean()
    declaration.save()
    return declaration


@transaction.atomic
def start_draft(declaration: Declaration, *, by=None, author_name: str = "") -> Version:
    """Return a new draft that starts as a copy of the latest version.

    Returns the existing draft if there is one. Side effects: inserts a Version
    and copies of the latest version's paragraphs; refuses an adopted declaration.
    """
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _refuse_if_adopted(declaration)
    existing = declaration.versions.filter(status=Version.Status.DRAFT).first()
    if existing is not None:
        return existing
    latest = declaration.versions.order_by("-number").first()
    if by is not None and not author_name:
        author_name = by.get_full_name() or by.get_username()
    draft = _by(
        Version(
            declaration=declaration,
            number=(latest.number + 1) if latest else 1,
            status=Version.Status.DRAFT,
            author=by,
            author_name=author_name,
            created_at=timezone.now(),
        ),
        by,
    )
    draft.save()
    if latest is not None:
        for paragraph in latest.paragraphs.order_by("position"):
            copy = Paragraph(
                version=draft,
                position=paragraph.position,
                kind=paragraph.kind,
                text_en=paragraph.text_en,
                text_ru=paragraph.text_ru,
            )
            if by is not None:
                copy._history_user = by
            copy.save()
    return draft


def check_paragraph_order(paragraphs: list[ParagraphText]) -> None:
    """Raise ValidationError if a preambular paragraph follows an operative one."""
    seen_operative = None
    for position, paragraph in enumerate(paragraphs, start=1):
        if paragraph.kind == Paragraph.Kind.OPERATIVE and seen_operative is None:
            seen_operative = position
        if paragraph.kind == Paragraph.Kind.PREAMBULAR and seen_operative:
            raise ValidationError(
                _(
                    "Paragraph %(position)s is preambular but follows operative "
                    "paragraph %(operative)s: preambular paragraphs come first."
                )
                % {"position": position, "operative": seen_operative},
                code="order",
            )


@retry_version_write
@transaction.atomic
def save_draft(
    version: Version,
    *,
    lock_version: int,
    paragraphs: list[ParagraphText],
    by=None,
) -> Version:
    """Return the draft with its text replaced by paragraphs (optimistic locking).

    The save goes through only if the draft is still at lock_version, the edit
    the drafter started from: a conditional UPDATE raises the counter first, so
    of two saves from the same starting point exactly one wins. Side effects:
    updates, inserts and deletes Paragraph rows (each recorded in the history)
    and raises Version.lock_version. Raises EditConflict when someone saved in
    between, VersionFrozen when the version is no longer a draft, and
    ValidationError when the declaration is adopted or the order is wrong.
    """
    _refuse_if_adopted(version.declaration)
    check_paragraph_order(paragraphs)
    claimed = Version.objects.filter(
        pk=version.pk, status=Version.Status.DRAFT, lock_version=lock_version
    ).update(lock_version=F("lock_version") + 1)
    current = Version.objects.get(pk=version.pk)
    if not claimed:
        if current.is_frozen:
            raise VersionFrozen(current.number, current.status)
        raise EditConflict(current)
    _by(current, by).save(update_fields=["lock_version"])  # the history record

    stored = {p.position: p for p in current.paragraphs.all()}
    for position, text in enumerate(paragraphs, start=1):
        paragraph = stored.pop(position, None) or Paragraph(
            version=current, position=position
        )
        new = (text.kind, text.text_en.strip(), text.text_ru.strip())
        if (
            paragraph.pk
            and (paragraph.kind, paragraph.text_en, paragraph.text_ru) == new
        ):
            continue
        paragraph.kind, paragraph.text_en, paragraph.text_ru = new
        if by is not None:
            paragraph._history_user = by
        paragraph.save()
    for paragraph in stored.values():
        if by is not None:
            paragraph._history_user = by
        paragraph.delete()
    return current


def circulation_recipients(meeting_id: int):
    """Return the delegations a version is circulated to: all but the organiser."""
    return Delegation.objects.filter(meeting_id=meeting_id).exclude(
        kind=Delegation.Kind.ORGANISER
    )


@retry_version_write
@transaction.atomic
def circulate_version(
    version: Version,
    *,
    deadline: datetime.datetime,
    confirmed: Iterable[int] = (),
    by=None,
) -> Version:
    """Return the version, circulated for comments until deadline.

    Every paragraph changed in one language only since the version before
    (declaration.selectors.translation_lags) must be among confirmed (paragraph
    ids: the drafter confirms the other language needs no change), else
    ValidationError (code translation_lag) naming them. Side effects: the
    previously circulated version becomes superseded; this one becomes
    circulated (and frozen); one TranslationCheck per confirmed lag; one
    Circulation row per delegation (except the organiser); one outbox email per
    focal point, sent by a worker after commit in the delegation's language
    with its focal-point link.
    """
    from declaration.selectors import previous_circulated, translation_lags

    version = Version.objects.select_for_update().get(pk=version.pk)
    declaration = version.declaration
    if not version.is_draft:
        raise ValidationError(
            _("Version %(number)s is already %(status)s.")
            % {"number": version.number, "status": version.get_status_display()},
            code="not_draft",
        )
    _refuse_if_adopted(declaration)
    paragraphs = number_paragraphs(list(version.paragraphs.order_by("position")))
    if not paragraphs:
        raise ValidationError(_("The draft has no paragraphs."), code="empty")
    untranslated = [
        p.label for p in paragraphs if not p.text_en.strip() or not p.text_ru.strip()
    ]
    if untranslated:
        raise ValidationError(
            _("Paragraphs without both English and Russian text: %(labels)s.")
            % {"labels": ", ".join(untranslated)},
            code="untranslated",
        )
    before = previous_circulated(version)
    lags = (
        translation_lags(
            number_paragraphs(list(before.paragraphs.order_by("position"))),
            paragraphs,
        )
        if before is not None
        else []
    )
    # A confirmation recorded before (on the draft, for its text as it is now)
    # counts; one made stale by a later edit does not.
    earlier = {
        check.paragraph_id: check
        for check in TranslationCheck.objects.filter(version=version)
    }
    confirmed = set(confirmed) | {
        lag.paragraph.pk
        for lag in lags
        if lag.paragraph.pk in earlier
        and earlier[lag.paragraph.pk].covers(lag.paragraph, lag.changed)
    }
    unconfirmed = [lag for lag in lags if lag.paragraph.pk not in confirmed]
    if unconfirmed:
        raise ValidationError(
            _(
                "Changed in one language only since version %(number)s: "
                "%(labels)s. Confirm for each that the other language needs "
                "no change, or change it."
            )
            % {
                "number": before.number,
                "labels": ", ".join(lag.paragraph.label for lag in unconfirmed),
            },
            code="translation_lag",
        )
    now = timezone.now()
    if deadline <= now:
        raise ValidationError(
            _("The deadline for comments must be in the future."), code="deadline"
        )
    kept = {
        lag.paragraph.pk
        for lag in lags
        if lag.paragraph.pk in earlier
        and earlier[lag.paragraph.pk].covers(lag.paragraph, lag.changed)
    }
    TranslationCheck.objects.filter(version=version).exclude(
        paragraph_id__in=kept
    ).delete()
    TranslationCheck.objects.bulk_create(
        TranslationCheck(
            version=version,
            paragraph=lag.paragraph,
            changed_language=lag.changed,
            confirmed_by=by,
            confirmed_at=now,
            text_en=lag.paragraph.text_en,
            text_ru=lag.paragraph.text_ru,
        )
        for lag in lags
        if lag.paragraph.pk not in kept
    )
    for previous in declaration.versions.filter(status=Version.Status.CIRCULATED):
        previous.status = Version.Status.SUPERSEDED
        _by(previous, by).save(update_fields=["status"])
    version.status = Version.Status.CIRCULATED
    version.circulated_at = now
    version.comment_deadline = deadline
    _by(version, by).save(update_fields=["status", "circulated_at", "comment_deadline"])

    circulations = Circulation.objects.bulk_create(
        Circulation(
            version=version,
            delegation=delegation,
            email=delegation.focal_point_email,
            language=delegation.language,
        )
        for delegation in circulation_recipients(declaration.meeting_id)
    )
    queue_emails(
        declaration.meeting_id,
        kind=CIRCULATION_EMAIL,
        recipients=[
            Recipient(object_id=c.pk, email=c.email, language=c.language)
            for c in circulations
            if c.email
        ],
    )
    inputs_changed(declaration.meeting_id)  # every pack prints the latest version
    return version


CIRCULATION_EMAIL = "circulation"


def _circulation_to_email(circulation_id: int) -> Circulation:
    """Return the circulation record an email is about; NotToBeSent when gone."""
    circulation = (
        Circulation.objects.select_related(
            "version__declaration__meeting", "delegation"
        )
        .filter(pk=circulation_id)
        .first()
    )
    if circulation is None:
        raise NotToBeSent(_("The circulation record no longer exists."))
    return circulation


def _require_focal_point_email(delegation) -> None:
    """Raise NotToBeSent when the delegation has no focal-point email any more."""
    if not delegation.focal_point_email:
        raise NotToBeSent(
            _("%(delegation)s has no focal-point email.")
            % {"delegation": delegation.localised_name}
        )


def compose_circulation_email(circulation_id: int) -> Composed:
    """Return the email telling a focal point that a version is circulated.

    Side effects: issues (or reuses) the delegation's focal-point link. Raises
    NotToBeSent when the record is gone or the delegation has no focal-point
    email any more.
    """
    circulation = _circulation_to_email(circulation_id)
    delegation = circulation.delegation
    _require_focal_point_email(delegation)
    version = circulation.version
    meeting = version.declaration.meeting
    link = issue_itinerary_link(delegation)
    lang = delegation.language
    with translation.override(lang):
        context = {
            "name": delegation.focal_point_name,
            "delegation": delegation.name(lang),
            "title": version.declaration.title(lang),
            "number": version.number,
            "meeting": meeting,
            "meeting_title": meeting.title(lang),
            "deadline": format_deadline(version.comment_deadline, meeting),
            "time_zone": meeting.time_zone,
            "url": f"{link_url(link)}?lang={lang}#declaration",
            "lang": lang,
        }
        subject = render_to_string("declaration/email/circulation_subject.txt", context)
        body = render_to_string("declaration/email/circulation_body.txt", context)
    return Composed(
        to=delegation.focal_point_email, subject=" ".join(subject.split()), body=body
    )


def record_circulation_sent(circulation_id: int, sent_at: datetime.datetime) -> None:
    """Record that the focal point was emailed (called by the outbox, in its
    transaction). Side effects: sets sent_at and the address and language used."""
    circulation = (
        Circulation.objects.select_related("delegation")
        .filter(pk=circulation_id)
        .first()
    )
    if circulation is None:
        return
    Circulation.objects.filter(pk=circulation_id).update(
        sent_at=sent_at,
        email=circulation.delegation.focal_point_email,
        language=circulation.delegation.language,
    )


@transaction.atomic
def resend_circulation_emails(version: Version) -> int:
    """Return how many failed or unsent circulation emails of a version were
    queued again. Side effects: see dialogue.outbox.services.resend_emails."""
    ids = version.circulations.filter(sent_at__isnull=True).values_list("pk", flat=True)
    return resend_emails(list(emails_about(CIRCULATION_EMAIL, ids).values()))


def record_version_opened(version_ids: list[int], *, delegation: Delegation) -> int:
    """Note the first time a focal point saw these versions (one UPDATE).

    Returns how many circulation records were marked as opened now.
    """
    if not version_ids:
        return 0
    return Circulation.objects.filter(
        version_id__in=version_ids,
        delegation=delegation,
        first_opened_at__isnull=True,
    ).update(first_opened_at=timezone.now())


def comments_open(version: Version, *, now: datetime.datetime | None = None) -> bool:
    return (
        version.status == Version.Status.CIRCULATED
        and version.comment_deadline is not None
        and (now or timezone.now()) < version.comment_deadline
    )


def check_open_for_comments(version: Version) -> None:
    """Raise ValidationError unless the version takes comments now: it is the
    circulated one and its deadline has not passed (code not_circulated or
    deadline; the focal points' form shows it before anything is typed in vain).
    """
    if version.status != Version.Status.CIRCULATED:
        raise ValidationError(
            _(
                "Version %(number)s is no longer open for comments: it is "
                "%(status)s. Your text was not saved."
            )
            % {"number": version.number, "status": version.get_status_display()},
            code="not_circulated",
        )
    if not comments_open(version):
        meeting = version.declaration.meeting
        raise ValidationError(
            _(
                "The deadline for comments on version %(number)s passed on "
                "%(deadline)s. Your text was not saved."
            )
            % {
                "number": version.number,
                "deadline": format_deadline(version.comment_deadline, meeting),
                "zone": meeting.time_zone,
            },
            code="deadline",
        )


def amendment_order(
    paragraphs: list[Paragraph],
    *,
    kind: str,
    paragraph: Paragraph,
    new_kind: str = "",
    target: Paragraph | None = None,
) -> list:
    """Return the paragraphs' kinds in the order an amendment would leave them
    (an insert after paragraph, a deletion of it, a move of it after target),
    each as a ParagraphText with empty texts. No query."""
    order = [ParagraphText(p.kind, "", "") for p in paragraphs]
    ids = [p.pk for p in paragraphs]
    at = ids.index(paragraph.pk)
    if kind == Comment.Kind.INSERT:
        order.insert(at + 1, ParagraphText(new_kind, "", ""))
    elif kind == Comment.Kind.DELETE:
        order.pop(at)
    elif kind == Comment.Kind.MOVE:
        moved = order.pop(at)
        ids.pop(at)
        order.insert(ids.index(target.pk) + 1, moved)
    return order


def check_amendment(
    paragraphs: list[Paragraph],
    *,
    kind: str,
    paragraph: Paragraph,
    new_kind: str = "",
    target: Paragraph | None = None,
) -> None:
    """Raise ValidationError unless the amendment fits the text (paragraphs,
    numbered, in order): a new paragraph says its kind (code new_kind); a move
    names another paragraph to follow, not the one it follows already
    (target); preambular paragraphs stay before operative ones (insert_order,
    move_order)."""
    labels = {p.pk: p.label for p in paragraphs}
    if kind == Comment.Kind.INSERT and new_kind not in Paragraph.Kind.values:
        raise ValidationError(
            _("Choose whether the new paragraph is preambular or operative."),
            code="new_kind",
        )
    if kind == Comment.Kind.MOVE:
        if target is None or target.pk == paragraph.pk or target.pk not in labels:
            raise ValidationError(
                _(
                    "Choose the paragraph after which %(label)s should go: "
                    "another paragraph of the text."
                )
                % {"label": labels[paragraph.pk]},
                code="target",
            )
        ids = list(labels)
        if ids.index(target.pk) + 1 == ids.index(paragraph.pk):
            raise ValidationError(
                _("%(label)s already follows %(target)s: choose another place.")
                % {"label": labels[paragraph.pk], "target": labels[target.pk]},
                code="target",
            )
    try:
        check_paragraph_order(
            amendment_order(
                paragraphs,
                kind=kind,
                paragraph=paragraph,
                new_kind=new_kind,
                target=target,
            )
        )
    except ValidationError:
        if kind == Comment.Kind.INSERT:
            raise ValidationError(
                _(
                    "A new %(kind)s paragraph cannot go after %(label)s: "
                    "preambular paragraphs come before operative ones."
                )
                % {
                    "kind": Paragraph.Kind(new_kind).label,
                    "label": labels[paragraph.pk],
                },
                code="insert_order",
            ) from None
        raise ValidationError(
            _(
                "%(label)s cannot go after %(target)s: preambular paragraphs "
                "come before operative ones."
            )
            % {"label": labels[paragraph.pk], "target": labels[target.pk]},
            code="move_order",
        ) from None


def check_comment_text(kind: str, text: str) -> str:
    """Return the text stripped; ValidationError (code empty) when it is empty
    and the kind needs one (all but a deletion or a move)."""
    text = (text or "").strip()
    if text or kind in Comment.TEXT_OPTIONAL_KINDS:
        return text
    if kind == Comment.Kind.INSERT:
        message = _("Write the text of the new paragraph.")
    else:
        message = _("Write your comment or the wording you propose.")
    raise ValidationError(message, code="empty")


def check_comment(
    version: Version,
    paragraphs: list[Paragraph],
    *,
    paragraph_id: int,
    kind: str,
    language: str,
    text: str,
    new_kind: str = "",
    target_id: int | None = None,
) -> tuple[Paragraph, str, Paragraph | None, str]:
    """Return (paragraph, new_kind, target, text) of a comment that fits the
    version's text (paragraphs, numbered), or raise ValidationError: the
    paragraph is not the version's (code paragraph), the kind or language is
    unknown, the amendment does not fit (check_amendment), the text is empty
    (check_comment_text). No query: the focal points' form calls it too."""
    by_pk = {p.pk: p for p in paragraphs}
    paragraph = by_pk.get(paragraph_id)
    if paragraph is None:
        raise ValidationError(
            _("This paragraph is not part of version %(number)s.")
            % {"number": version.number},
            code="paragraph",
        )
    if kind not in Comment.Kind.values or language not in ("en", "ru"):
        raise ValidationError(_("Choose a kind of comment and a language."))
    new_kind = (new_kind or "") if kind == Comment.Kind.INSERT else ""
    target = by_pk.get(target_id) if kind == Comment.Kind.MOVE else None
    check_amendment(
        paragraphs, kind=kind, paragraph=paragraph, new_kind=new_kind, target=target
    )
    return paragraph, new_kind, target, check_comment_text(kind, text)


@transaction.atomic
def add_comment(
    version: Version,
    *,
    delegation: Delegation,
    paragraph_id: int,
    kind: str,
    language: str,
    text: str,
    submitted_by: str = "",
    new_kind: str = "",
    target_id: int | None = None,
) -> Comment:
    """Return a delegation's new comment on a paragraph of a circulated version.

    Besides a comment and proposed wording, a proposal may insert a new
    paragraph after this one (new_kind: preambular or operative), delete it,
    or move it after another paragraph (target_id); for a deletion or a move
    the text (a reason) may be left out. The comment takes the delegation's
    next number on the version (KZ-1, KZ-2 ...; the delegation's row is locked
    while it is counted). Side effects: inserts one Comment (recorded in the
    history). Raises ValidationError, naming the rule, when the version is not
    open for comments, the deadline has passed, the paragraph is not part of
    the version, the text is empty, or the amendment does not fit the text
    (check_amendment).
    """
    version = Version.objects.select_related("declaration__meeting").get(pk=version.pk)
    meeting = version.declaration.meeting
    if delegation.meeting_id != meeting.pk:
        raise ValidationError(_("This delegation is not at this meeting."))
    check_open_for_comments(version)
    paragraphs = number_paragraphs(list(version.paragraphs.order_by("position")))
    paragraph, new_kind, target, text = check_comment(
        version,
        paragraphs,
        paragraph_id=paragraph_id,
        kind=kind,
        language=language,
        text=text,
        new_kind=new_kind,
        target_id=target_id,
    )
    # Numbers are counted per delegation: one writer at a time.
    Delegation.objects.select_for_update().filter(pk=delegation.pk).first()
    return Comment.objects.create(
        paragraph=paragraph,
        version=version,
        delegation=delegation,
        kind=kind,
        new_kind=new_kind,
        target=target,
        language=language,
        text=text,
        submitted_by=submitted_by,
    )


def _open_own_comment(comment: Comment, delegation: Delegation) -> Comment:
    """Return the comment locked for a change by its own delegation, or raise
    ValidationError: another delegation's (code not_own), withdrawn already
    (withdrawn), or the version no longer open (check_open_for_comments)."""
    locked = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("version__declaration__meeting", "paragraph")
        .get(pk=comment.pk)
    )
    if locked.delegation_id != delegation.pk:
        raise ValidationError(
            _("This comment is another delegation's."), code="not_own"
        )
    if locked.withdrawn_at is not None:
        raise ValidationError(
            _("This comment was withdrawn; it can no longer change."),
            code="withdrawn",
        )
    if locked.is_decided:
        raise ValidationError(
            _(
                "The drafters have decided on this comment (%(outcome)s); it can "
                "no longer change."
            )
            % {"outcome": locked.get_outcome_display()},
            code="decided",
        )
    check_open_for_comments(locked.version)
    return locked


@transaction.atomic
def edit_comment(
    comment: Comment,
    *,
    delegation: Delegation,
    kind: str,
    language: str,
    text: str,
    submitted_by: str = "",
) -> Comment:
    """Return the comment with its kind, language and text replaced by its own
    delegation, while the version takes comments (check_open_for_comments).

    Side effects: updates the Comment (edited_at; the history keeps the earlier
    text). Raises ValidationError as add_comment does, and for another
    delegation's or a withdrawn comment.
    """
    comment = _open_own_comment(comment, delegation)
    if kind not in Comment.Kind.values or language not in ("en", "ru"):
        raise ValidationError(_("Choose a kind of comment and a language."))
    plain = (Comment.Kind.COMMENT, Comment.Kind.PROPOSAL)
    if kind != comment.kind and not (kind in plain and comment.kind in plain):
        raise ValidationError(
            _(
                "A new paragraph, a deletion or a move keeps its kind: withdraw "
                "it and send a new one instead."
            ),
            code="kind",
        )
    text = check_comment_text(kind, text)
    comment.kind, comment.language, comment.text = kind, language, text
    if submitted_by:
        comment.submitted_by = submitted_by
    comment.edited_at = timezone.now()
    comment._change_reason = "edited by the focal point"
    comment.save()
    return comment


@transaction.atomic
def withdraw_comment(comment: Comment, *, delegation: Delegation) -> Comment:
    """Return the comment withdrawn by its own delegation, while the version
    takes comments (check_open_for_comments).

    The row stays (the history and the focal point's page show it as
    withdrawn); the drafters' lists and counts leave it out. Side effects:
    sets withdrawn_at. Raises ValidationError as edit_comment does.
    """
    comment = _open_own_comment(comment, delegation)
    comment.withdrawn_at = timezone.now()
    comment._change_reason = "withdrawn by the focal point"
    comment.save(update_fields=["withdrawn_at"])
    return comment


DEADLINE_EMAIL = "deadline_extended"


@retry_version_write
@transaction.atomic
def extend_comment_deadline(
    version: Version, new_deadline: datetime.datetime, *, by=None
) -> Version:
    """Return the circulated version with its comment deadline moved later.

    Only the circulated version of a declaration not adopted, and only to a
    moment later than its current deadline and in the future (a passed deadline
    may be reopened). The database's frozen-version trigger allows this one
    change (declaration 0005). Side effects: updates comment_deadline (in the
    history); one outbox email per focal point of the circulation, in the
    delegation's language, sent by a worker after commit.
    """
    version = (
        Version.objects.select_for_update()
        .select_related("declaration__meeting")
        .get(pk=version.pk)
    )
    _refuse_if_adopted(version.declaration)
    if version.status != Version.Status.CIRCULATED:
        raise ValidationError(
            _(
                "Only the circulated version's deadline can be extended; version "
                "%(number)s is %(status)s."
            )
            % {"number": version.number, "status": version.get_status_display()},
            code="not_circulated",
        )
    meeting = version.declaration.meeting
    if new_deadline <= version.comment_deadline:
        raise ValidationError(
            _("The new deadline must be later than the current one, %(deadline)s.")
            % {"deadline": format_deadline(version.comment_deadline, meeting)},
            code="not_later",
        )
    if new_deadline <= timezone.now():
        raise ValidationError(
            _("The deadline for comments must be in the future."), code="deadline"
        )
    version.comment_deadline = new_deadline
    _by(version, by).save(update_fields=["comment_deadline"])
    queue_emails(
        meeting.pk,
        kind=DEADLINE_EMAIL,
        recipients=[
            Recipient(
                object_id=circulation.pk,
                email=circulation.delegation.focal_point_email,
                language=circulation.delegation.language,
            )
            for circulation in version.circulations.select_related("delegation")
            if circulation.delegation.focal_point_email
        ],
    )
    return version


def compose_deadline_email(circulation_id: int) -> Composed:
    """Return the email telling a focal point the comment deadline was extended.

    It gives the deadline as it is when the email goes out. Side effects:
    issues (or reuses) the delegation's focal-point link. Raises NotToBeSent
    when the record is gone, the version no longer takes comments, or the
    delegation has no focal-point email any more.
    """
    circulation = _circulation_to_email(circulation_id)
    version = circulation.version
    if not comments_open(version):
        raise NotToBeSent(
            _("Version %(number)s no longer takes comments.")
            % {"number": version.number}
        )
    delegation = circulation.delegation
    _require_focal_point_email(delegation)
    meeting = version.declaration.meeting
    link = issue_itinerary_link(delegation)
    lang = delegation.language
    with translation.override(lang):
        context = {
            "name": delegation.focal_point_name,
            "title": version.declaration.title(lang),
            "number": version.number,
            "meeting": meeting,
            "meeting_title": meeting.title(lang),
            "deadline": format_deadline(version.comment_deadline, meeting),
            "url": f"{link_url(link)}?lang={lang}#declaration-{version.declaration_id}",
        }
        subject = render_to_string(
            "declaration/email/deadline_extended_subject.txt", context
        )
        body = render_to_string("declaration/email/deadline_extended_body.txt", context)
    return Composed(
        to=delegation.focal_point_email, subject=" ".join(subject.split()), body=body
    )


@retry_version_write
@transaction.atomic
def record_adoption(
    version: Version,
    *,
    adopted_on: datetime.date,
    by_acclamation: bool,
    delegations: list[Delegation] | None = None,
    by_silence: bool = False,
    by=None,
) -> Adoption:
    """Return the adoption of a circulated version: from now on the text is final.

    Either by acclamation, by a list of delegations of the meeting, or (from
    conclude_silence only) by silence procedure. Side
    effects: the version becomes adopted; an Adoption row; a draft still open
    for the declaration stays as it is but can no longer be saved or circulated.
    """
    version = Version.objects.select_for_update().get(pk=version.pk)
    declaration = version.declaration
    _refuse_if_adopted(declaration)
    if version.status != Version.Status.CIRCULATED:
        raise ValidationError(
            _(
                "Only the circulated version can be adopted; version %(number)s "
                "is %(status)s."
            )
            % {"number": version.number, "status": version.get_status_display()},
            code="not_circulated",
        )
    delegations = list(delegations or [])
    if [bool(by_acclamation), bool(delegations), bool(by_silence)].count(True) != 1:
        raise ValidationError(
            _("Record either adoption by acclamation or the adopting delegations."),
            code="how",
        )
    strangers = [
        d.localised_name for d in delegations if d.meeting_id != declaration.meeting_id
    ]
    if strangers:
        raise ValidationError(
            _("Not delegations of this meeting: %(names)s.")
            % {"names": ", ".join(strangers)}
        )
    version.status = Version.Status.ADOPTED
    _by(version, by).save(update_fields=["status"])
    adoption = Adoption(
        declaration=declaration,
        version=version,
        adopted_on=adopted_on,
        by_acclamation=by_acclamation,
        by_silence=by_silence,
        recorded_by=by,
    )
    if by is not None:
        adoption._history_user = by
    adoption.save()
    adoption.delegations.set(delegations)
    inputs_changed(declaration.meeting_id)
    return adoption


# Drafters' decisions on comments -------------------------------------------

TAKE_LANGUAGES = ("en", "ru", "both")


def _open_for_decision(comment: Comment) -> Comment:
    """Return the comment locked for the drafters' decision, or raise
    ValidationError: withdrawn (code withdrawn), or taken already (taken)."""
    locked = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("version__declaration", "paragraph", "taken_into")
        .get(pk=comment.pk)
    )
    if locked.withdrawn_at is not None:
        raise ValidationError(
            _("This comment was withdrawn by its delegation."), code="withdrawn"
        )
    if locked.is_taken:
        raise ValidationError(
            _("This comment was already taken into version %(number)s.")
            % {"number": locked.taken_into.number},
            code="taken",
        )
    return locked


def _claim_draft(draft: Version) -> Version:
    """Raise the draft's edit counter (an editor open on the older text then
    gets EditConflict, as with save_draft) and return it; VersionFrozen when it
    is no longer a draft."""
    claimed = Version.objects.filter(pk=draft.pk, status=Version.Status.DRAFT).update(
        lock_version=F("lock_version") + 1
    )
    current = Version.objects.get(pk=draft.pk)
    if not claimed:
        raise VersionFrozen(current.number, current.status)
    return current


# Which undecided proposals on the same paragraph one taken supersedes: other
# wording and a deletion for wording; everything for a deletion; other moves
# and a deletion for a move. A new paragraph (after it) supersedes nothing.
SUPERSEDES = {
    Comment.Kind.PROPOSAL: (Comment.Kind.PROPOSAL, Comment.Kind.DELETE),
    Comment.Kind.DELETE: (
        Comment.Kind.PROPOSAL,
        Comment.Kind.DELETE,
        Comment.Kind.MOVE,
    ),
    Comment.Kind.MOVE: (Comment.Kind.MOVE, Comment.Kind.DELETE),
    Comment.Kind.INSERT: (),
}


def _supersede_others(taken: Comment, *, now, by=None) -> int:
    """Mark the other undecided proposals on the same paragraph that the one
    taken rules out (SUPERSEDES) superseded by it. Returns how many."""
    others = Comment.objects.filter(
        paragraph_id=taken.paragraph_id,
        kind__in=SUPERSEDES[taken.kind],
        withdrawn_at__isnull=True,
        outcome=Comment.Outcome.PENDING,
    ).exclude(pk=taken.pk)
    count = 0
    for other in others.select_for_update(of=("self",)):
        other.outcome = Comment.Outcome.SUPERSEDED
        other.superseded_by = taken
        other.decided_at = now
        other.decided_by = by
        other._change_reason = "superseded by another proposal"
        other.save()
        count += 1
    return count


def _place(ordered: list[Paragraph], *, by=None, reason: str = "") -> None:
    """Give the draft's paragraphs positions 1, 2 ... in this order (a new one,
    not saved yet, included). The ones that move are first lifted out of the
    way in one UPDATE, so the unique position is never held twice; each then
    saves its new place (in its history)."""
    moving = [p.pk for i, p in enumerate(ordered, start=1) if p.pk and p.position != i]
    if moving:
        Paragraph.objects.filter(pk__in=moving).update(position=F("position") + 10000)
    for i, paragraph in enumerate(ordered, start=1):
        if paragraph.pk is None or paragraph.pk in moving:
            paragraph.position = i
            if by is not None:
                paragraph._history_user = by
            paragraph._change_reason = reason
            paragraph.save()


def _wording(languages: str, text_en: str, text_ru: str) -> dict[str, str]:
    """Return the wording to take, per chosen language; ValidationError
    (languages, empty_en, empty_ru) when a language or its text is missing."""
    if languages not in TAKE_LANGUAGES:
        raise ValidationError(
            _("Choose the language of the text to replace."), code="languages"
        )
    chosen = ("en", "ru") if languages == "both" else (languages,)
    wording = {"en": (text_en or "").strip(), "ru": (text_ru or "").strip()}
    missing = {
        "en": _("Give the English wording to take."),
        "ru": _("Give the Russian wording to take."),
    }
    for code in chosen:
        if not wording[code]:
            raise ValidationError(missing[code], code=f"empty_{code}")
    return {code: wording[code] for code in chosen}


@retry_version_write
@transaction.atomic
def take_proposal(
    comment: Comment,
    *,
    paragraph_id: int,
    languages: str = "",
    text_en: str = "",
    text_ru: str = "",
    target_id: int | None = None,
    in_part: bool = False,
    reply: str = "",
    by=None,
) -> Comment:
    """Return the proposal taken into the draft being prepared.

    Proposed wording: the draft paragraph's text (paragraph_id) is replaced
    in English, Russian or both (languages) by the wording given (the
    proposal's, or the drafters' edit of it). A new paragraph: it is inserted
    after the draft's paragraph_id, of the kind proposed, with the wording
    given. A deletion: the draft's paragraph_id is deleted. A move: the draft's
    paragraph_id goes after its target_id. The draft's paragraphs are
    renumbered; preambular ones stay first (check_amendment). Side effects:
    the draft's paragraphs change (in their history) and the draft's edit
    counter rises, so an editor open on the older text gets a conflict; the
    comment becomes taken (or taken in part) into the draft, linked to the
    paragraph (none for a deletion), with the drafters' optional reply; the
    undecided proposals on the same paragraph it rules out become superseded
    by it (SUPERSEDES). Raises ValidationError (withdrawn, taken,
    not_proposal, no_draft, paragraph, languages, empty_en, empty_ru, target,
    insert_order, move_order) and VersionFrozen.
    """
    comment = _open_for_decision(comment)
    if comment.kind not in Comment.PROPOSAL_KINDS:
        raise ValidationError(
            _("Only proposed wording can be taken into the draft."),
            code="not_proposal",
        )
    declaration = comment.version.declaration
    _refuse_if_adopted(declaration)
    draft = declaration.versions.filter(status=Version.Status.DRAFT).first()
    if draft is None:
        raise ValidationError(
            _("There is no draft being prepared: start a new draft first."),
            code="no_draft",
        )
    paragraphs = number_paragraphs(list(draft.paragraphs.order_by("position")))
    by_pk = {p.pk: p for p in paragraphs}
    paragraph = by_pk.get(paragraph_id)
    if paragraph is None:
        raise ValidationError(
            _("This paragraph is not part of draft version %(number)s.")
            % {"number": draft.number},
            code="paragraph",
        )
    kind = comment.kind
    target = by_pk.get(target_id) if kind == Comment.Kind.MOVE else None
    wording = {}
    if kind in (Comment.Kind.PROPOSAL, Comment.Kind.INSERT):
        wording = _wording(languages, text_en, text_ru)
    if kind != Comment.Kind.PROPOSAL:
        check_amendment(
            paragraphs,
            kind=kind,
            paragraph=paragraph,
            new_kind=comment.new_kind,
            target=target,
        )
    draft = _claim_draft(draft)
    _by(draft, by).save(update_fields=["lock_version"])  # the history record
    reason = f"proposal {comment.pk} taken"
    taken_paragraph = paragraph
    if kind == Comment.Kind.PROPOSAL:
        for code, text in wording.items():
            setattr(paragraph, f"text_{code}", text)
        if by is not None:
            paragraph._history_user = by
        paragraph._change_reason = reason
        paragraph.save()
    else:
        order = list(paragraphs)
        at = order.index(paragraph)
        if kind == Comment.Kind.INSERT:
            taken_paragraph = Paragraph(
                version=draft,
                kind=comment.new_kind,
                text_en=wording.get("en", ""),
                text_ru=wording.get("ru", ""),
            )
            order.insert(at + 1, taken_paragraph)
        elif kind == Comment.Kind.DELETE:
            order.pop(at)
            if by is not None:
                paragraph._history_user = by
            paragraph._change_reason = reason
            paragraph.delete()
            taken_paragraph = None
        else:
            order.pop(at)
            order.insert(order.index(target) + 1, paragraph)
        _place(order, by=by, reason=reason)
    now = timezone.now()
    comment.outcome = (
        Comment.Outcome.TAKEN_IN_PART if in_part else Comment.Outcome.TAKEN
    )
    comment.taken_into = draft
    comment.taken_paragraph = taken_paragraph
    comment.superseded_by = None
    comment.reply = (reply or "").strip()
    comment.decided_at = now
    comment.decided_by = by
    if by is not None:
        comment._history_user = by
    comment._change_reason = "taken into the draft"
    comment.save()
    _supersede_others(comment, now=now, by=by)
    return comment


DECISIONS = (
    Comment.Outcome.TAKEN,
    Comment.Outcome.TAKEN_IN_PART,
    Comment.Outcome.NOT_TAKEN,
)


@transaction.atomic
def decide_comment(
    comment: Comment, *, outcome: str, reply: str = "", by=None
) -> Comment:
    """Return the comment with the drafters' decision, without changing the
    text: taken or taken in part (the point was worked into the draft being
    prepared by hand), or not taken; with an optional reply to the delegation.

    Side effects: updates the comment (in its history). Raises ValidationError
    (withdrawn, taken, outcome, no_draft).
    """
    comment = _open_for_decision(comment)
    if outcome not in DECISIONS:
        raise ValidationError(_("Choose what became of the comment."), code="outcome")
    comment.taken_into = comment.taken_paragraph = comment.superseded_by = None
    if outcome in Comment.TAKEN_OUTCOMES:
        declaration = comment.version.declaration
        _refuse_if_adopted(declaration)
        draft = declaration.versions.filter(status=Version.Status.DRAFT).first()
        if draft is None:
            raise ValidationError(
                _("There is no draft being prepared: start a new draft first."),
                code="no_draft",
            )
        comment.taken_into = draft
    comment.outcome = outcome
    comment.reply = (reply or "").strip()
    comment.decided_at = timezone.now()
    comment.decided_by = by
    if by is not None:
        comment._history_user = by
    comment._change_reason = "decided by the drafters"
    comment.save()
    return comment


# Silence procedure -----------------------------------------------------------

SILENCE_STARTED_EMAIL = "silence_started"
SILENCE_ADOPTED_EMAIL = "silence_adopted"


def _tell_focal_points(version: Version, kind: str) -> None:
    """Queue one outbox email of this kind per focal point the version was
    circulated to (in the delegation's language, sent after commit)."""
    queue_emails(
        version.declaration.meeting_id,
        kind=kind,
        recipients=[
            Recipient(
                object_id=circulation.pk,
                email=circulation.delegation.focal_point_email,
                language=circulation.delegation.language,
            )
            for circulation in version.circulations.select_related("delegation")
            if circulation.delegation.focal_point_email
        ],
    )


def running_silence(version: Version) -> Silence | None:
    return version.silences.filter(status=Silence.Status.RUNNING).first()


@retry_version_write
@transaction.atomic
def start_silence(version: Version, *, until: datetime.datetime, by=None) -> Silence:
    """Return a silence procedure on the circulated version until a moment.

    Focal points may break it with a reasoned objection before then
    (object_to_silence); if none does, the workers' periodic sweep adopts the
    version (conclude_silence). Side effects: a Silence row; one outbox email
    per focal point of the circulation. Raises ValidationError (not_circulated,
    adopted, deadline, running).
    """
    version = (
        Version.objects.select_for_update()
        .select_related("declaration__meeting")
        .get(pk=version.pk)
    )
    _refuse_if_adopted(version.declaration)
    if version.status != Version.Status.CIRCULATED:
        raise ValidationError(
            _(
                "Only the circulated version can be put under silence; version "
                "%(number)s is %(status)s."
            )
            % {"number": version.number, "status": version.get_status_display()},
            code="not_circulated",
        )
    now = timezone.now()
    if until <= now:
        raise ValidationError(
            _("The end of the silence must be in the future."), code="deadline"
        )
    if running_silence(version) is not None:
        raise ValidationError(
            _("This version is already under silence."), code="running"
        )
    silence = Silence(version=version, until=until, started_at=now, started_by=by)
    if by is not None:
        silence._history_user = by
    silence.save()
    _tell_focal_points(version, SILENCE_STARTED_EMAIL)
    return silence


def silence_open(silence: Silence, *, now=None) -> bool:
    """Return whether the silence can still be broken (running, not over)."""
    return (
        silence.status == Silence.Status.RUNNING
        and (now or timezone.now()) < silence.until
    )


def check_silence_open(silence: Silence, *, now=None) -> None:
    """Raise ValidationError unless the silence can still be broken: it is
    running (code not_running) and its deadline has not passed (deadline)."""
    meeting = silence.version.declaration.meeting
    if silence.status != Silence.Status.RUNNING:
        raise ValidationError(
            _("The silence procedure on version %(number)s is over: %(status)s.")
            % {
                "number": silence.version.number,
                "status": silence.get_status_display(),
            },
            code="not_running",
        )
    if not silence_open(silence, now=now):
        raise ValidationError(
            _(
                "The silence on version %(number)s ended on %(deadline)s: an "
                "objection can no longer be made."
            )
            % {
                "number": silence.version.number,
                "deadline": format_deadline(silence.until, meeting),
            },
            code="deadline",
        )


@transaction.atomic
def object_to_silence(
    silence: Silence, *, delegation: Delegation, reason: str, submitted_by: str = ""
) -> Objection:
    """Return a delegation's reasoned objection, which breaks the silence.

    Only before the deadline, only by a delegation the version was circulated
    to, and only with a reason. Side effects: an Objection row; the silence
    becomes broken (the drafters see it with the objection on the version).
    Raises ValidationError (not_running, deadline, not_circulated, empty).
    """
    silence = (
        Silence.objects.select_for_update(of=("self",))
        .select_related("version__declaration__meeting")
        .get(pk=silence.pk)
    )
    check_silence_open(silence)
    if not silence.version.circulations.filter(delegation=delegation).exists():
        raise ValidationError(
            _("This version was not circulated to your delegation."),
            code="not_circulated",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for your objection."), code="empty")
    now = timezone.now()
    objection = Objection.objects.create(
        silence=silence,
        delegation=delegation,
        reason=reason,
        submitted_by=submitted_by,
        created_at=now,
    )
    silence.status = Silence.Status.BROKEN
    silence.ended_at = now
    silence._change_reason = f"broken by {delegation}"
    silence.save(update_fields=["status", "ended_at"])
    return objection


@retry_version_write
@transaction.atomic
def conclude_silence(silence_id: int) -> Adoption | None:
    """Return the adoption of a version whose silence ended with no objection,
    or None (the silence is gone, not running, or not yet over).

    Idempotent: every worker's sweep may queue it; the row lock lets one adopt.
    Side effects: the silence becomes adopted; record_adoption (by silence
    procedure, on the deadline's date on the meeting's clock); one outbox email
    per focal point saying the text is adopted.
    """
    silence = (
        Silence.objects.select_for_update(of=("self",))
        .select_related("version__declaration__meeting")
        .filter(pk=silence_id)
        .first()
    )
    if silence is None or silence.status != Silence.Status.RUNNING:
        return None
    version = silence.version
    if version.status != Version.Status.CIRCULATED or is_adopted(version.declaration):
        # Adopted by acclamation or superseded by a newer version meanwhile:
        # nothing to adopt, and no sweep should try again.
        silence.status = Silence.Status.CLOSED
        silence.ended_at = timezone.now()
        silence._change_reason = f"version {version.status}"
        silence.save(update_fields=["status", "ended_at"])
        return None
    if timezone.now() < silence.until or silence.objections.exists():
        return None
    meeting = version.declaration.meeting
    adoption = record_adoption(
        version,
        adopted_on=timezone.localtime(silence.until, meeting.tzinfo).date(),
        by_acclamation=False,
        by_silence=True,
    )
    silence.status = Silence.Status.ADOPTED
    silence.ended_at = timezone.now()
    silence.failure, silence.failed_at = "", None
    silence._change_reason = "deadline passed with no objection"
    silence.save(update_fields=["status", "ended_at", "failure", "failed_at"])
    _tell_focal_points(version, SILENCE_ADOPTED_EMAIL)
    return adoption


def queue_due_silences() -> list[int]:
    """Return the ids of the running silences past their deadline, each queued
    to conclude (a worker sweep, dialogue/sweeps.py). Side effects: queues
    declaration.tasks.conclude_silence per id."""
    from declaration.tasks import conclude_silence as task

    due = list(
        Silence.objects.filter(
            status=Silence.Status.RUNNING,
            until__lte=timezone.now(),
            # One that gave up waits for a drafter's retry (retry_silence).
            failed_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    for silence_id in due:
        task.enqueue(silence_id=silence_id)
    return due


@transaction.atomic
def record_silence_failure(*, reason: str, final: bool, silence_id: int) -> None:
    """Record why concluding a silence failed (the conclude_silence task's
    failure_recorder). Side effects: sets the silence's failure reason; when
    the task gave up (final), also failed_at, which the drafters see on the
    version with a retry and which keeps the sweep from queueing it again."""
    updates = {"failure": reason}
    if final:
        updates["failed_at"] = timezone.now()
    Silence.objects.filter(pk=silence_id, status=Silence.Status.RUNNING).update(
        **updates
    )


@transaction.atomic
def retry_silence(silence: Silence, *, by=None) -> Silence:
    """Return the silence with its failure cleared, queued to conclude again.

    Side effects: clears failure and failed_at; queues
    declaration.tasks.conclude_silence after commit. Raises ValidationError
    (not_running) when the silence is no longer running.
    """
    from declaration.tasks import conclude_silence as task

    silence = Silence.objects.select_for_update(of=("self",)).get(pk=silence.pk)
    if silence.status != Silence.Status.RUNNING:
        raise ValidationError(
            _("The silence procedure on this version is over: %(status)s.")
            % {"status": silence.get_status_display()},
            code="not_running",
        )
    silence.failure, silence.failed_at = "", None
    if by is not None:
        silence._history_user = by
    silence._change_reason = "conclusion retried"
    silence.save(update_fields=["failure", "failed_at"])
    task.enqueue(silence_id=silence.pk)
    return silence


def _compose_silence_email(circulation_id: int, kind: str) -> Composed:
    circulation = _circulation_to_email(circulation_id)
    delegation = circulation.delegation
    _require_focal_point_email(delegation)
    version = circulation.version
    meeting = version.declaration.meeting
    silence = version.silences.order_by("-started_at").first()
    if silence is None:
        raise NotToBeSent(_("The silence procedure no longer exists."))
    if kind == SILENCE_STARTED_EMAIL and silence.status != Silence.Status.RUNNING:
        raise NotToBeSent(_("The silence procedure is over."))
    link = issue_itinerary_link(delegation)
    lang = delegation.language
    with translation.override(lang):
        context = {
            "name": delegation.focal_point_name,
            "title": version.declaration.title(lang),
            "number": version.number,
            "meeting": meeting,
            "meeting_title": meeting.title(lang),
            "deadline": format_deadline(silence.until, meeting),
            "url": f"{link_url(link)}?lang={lang}#declaration-{version.declaration_id}",
        }
        subject = render_to_string(f"declaration/email/{kind}_subject.txt", context)
        body = render_to_string(f"declaration/email/{kind}_body.txt", context)
    return Composed(
        to=delegation.focal_point_email, subject=" ".join(subject.split()), body=body
    )


def compose_silence_started_email(circulation_id: int) -> Composed:
    """Return the email telling a focal point a version is under silence until
    a deadline, and how to object. Raises NotToBeSent when it is over."""
    return _compose_silence_email(circulation_id, SILENCE_STARTED_EMAIL)


def compose_silence_adopted_email(circulation_id: int) -> Composed:
    """Return the email telling a focal point the version was adopted by
    silence procedure."""
    return _compose_silence_email(circulation_id, SILENCE_ADOPTED_EMAIL)


# The compilation of comments -----------------------------------------------


def _refuse_draft_compilation(version: Version) -> None:
    if version.is_draft:
        raise ValidationError(
            _(
                "Version %(number)s is a draft: comments are made on circulated "
                "versions only."
            )
            % {"number": version.number},
            code="draft",
        )


@transaction.atomic
def request_compilation(version: Version, *, by=None) -> Compilation:
    """Return the version's compilation of comments, queued for a worker to
    render (again): the first time, after a failure, or when the comments
    changed since the files were made.

    Side effects: creates or updates the Compilation row (queued, progress
    0, the error cleared; files already made stay until the new ones replace
    them); queues declaration.tasks.render_compilation after commit. Raises
    ValidationError (draft) for a draft.
    """
    from declaration.tasks import render_compilation as task

    version = Version.objects.get(pk=version.pk)
    _refuse_draft_compilation(version)
    compilation, _created = Compilation.objects.select_for_update().get_or_create(
        version=version
    )
    compilation.status = Compilation.Status.QUEUED
    compilation.progress = 0
    compilation.error = ""
    compilation.queued_at = timezone.now()
    compilation.requested_by = by
    if by is not None:
        compilation._history_user = by
    compilation.save()
    task.enqueue(compilation_id=compilation.pk)
    return compilation


def render_compilation(compilation_id: int) -> str:
    """Render a compilation's three files (EN PDF, RU PDF, XLSX); return what
    happened: gone, up to date, rendered.

    Idempotent: a duplicate task finds the files made from the comments as
    they are and stops. Side effects, each committed at once so the version's
    page shows the progress: the row becomes rendering (attempts + 1); each
    file is written under MEDIA_ROOT (atomically) and counted; then the row
    becomes ready with the fingerprint and count of the comments compiled.
    """
    from declaration import compilation as files
    from declaration.selectors import compilation_fingerprint, compilation_groups

    with transaction.atomic():
        compilation = (
            Compilation.objects.select_for_update(of=("self",))
            .select_related("version__declaration__meeting")
            .filter(pk=compilation_id)
            .first()
        )
        if compilation is None:
            return "gone"
        version = compilation.version
        fingerprint, count = compilation_fingerprint(version)
        if (
            compilation.status == Compilation.Status.READY
            and compilation.fingerprint == fingerprint
        ):
            return "up to date"
        Compilation.objects.filter(pk=compilation.pk).update(
            status=Compilation.Status.RENDERING,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
            progress=0,
        )
    by_lang = {lang: compilation_groups(version, lang) for lang in ("en", "ru")}
    made = {
        "pdf_en": lambda: files.render_pdf(version, by_lang["en"], "en"),
        "pdf_ru": lambda: files.render_pdf(version, by_lang["ru"], "ru"),
        "xlsx": lambda: files.render_xlsx(version, by_lang),
    }
    for done, name in enumerate(Compilation.FILES, start=1):
        relative = files.relative_path(version, name)
        files.write_atomically(relative, made[name]())
        Compilation.objects.filter(pk=compilation.pk).update(
            progress=done, **{name: relative}
        )
    now = timezone.now()
    Compilation.objects.filter(pk=compilation.pk).update(
        status=Compilation.Status.READY,
        error="",
        finished_at=now,
        made_at=now,
        fingerprint=fingerprint,
        comment_count=count,
    )
    return "rendered"


@transaction.atomic
def record_compilation_failure(
    *, reason: str, final: bool, compilation_id: int
) -> None:
    """Record why rendering a compilation failed (the render_compilation
    task's failure_recorder). Side effects: the reason on the row; when the
    task gave up (final), the row becomes failed, which the version's page
    shows with a retry button."""
    updates = {"error": reason}
    if final:
        updates.update(status=Compilation.Status.FAILED, finished_at=timezone.now())
    Compilation.objects.filter(pk=compilation_id).update(**updates)


@transaction.atomic
def share_compilation(compilation: Compilation, *, by=None) -> Compilation:
    """Return the compilation shared with the focal points: from now on each
    focal point's page links to it in its language and shows the other
    delegations' proposals on the version.

    Only once its files are made (code not_made). Sharing again keeps the
    first record of who shared it and when. Side effects: sets shared_at and
    shared_by (in the history).
    """
    compilation = Compilation.objects.select_for_update().get(pk=compilation.pk)
    if not compilation.has_files:
        raise ValidationError(
            _("The compilation has not been rendered yet: render it first."),
            code="not_made",
        )
    if compilation.is_shared:
        return compilation
    compilation.shared_at = timezone.now()
    compilation.shared_by = by
    if by is not None:
        compilation._history_user = by
    compilation._change_reason = "shared with the focal points"
    compilation.save(update_fields=["shared_at", "shared_by"])
    return compilation
