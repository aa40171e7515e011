"""Reads for declarations, each with a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from declaration.diff import (
    UNCHANGED,
    Para,
    ParagraphDiff,
    ProposalColumn,
    compare_proposals,
    diff_paragraphs,
    match_paragraphs,
)
from declaration.models import (
    Circulation,
    Comment,
    Declaration,
    Objection,
    Paragraph,
    Silence,
    Version,
    number_paragraphs,
)
from declaration.models import paragraph_label as model_paragraph_label
from delegations.models import AccessLink
from dialogue.i18n import localized


def version_paragraphs(version: Version) -> list[Paragraph]:
    """Return the version's paragraphs in order, numbered. One query."""
    return number_paragraphs(list(version.paragraphs.order_by("position")))


def as_paras(paragraphs: list[Paragraph], lang: str) -> list[Para]:
    """Return numbered paragraphs as the diff sees them, in one language."""
    return [Para(p.label, p.kind, getattr(p, f"text_{lang}")) for p in paragraphs]


def as_paras_from_texts(texts, lang: str) -> list[Para]:
    """Return ParagraphText items (not saved) as the diff sees them."""
    numbered = number_paragraphs(
        [Paragraph(kind=t.kind, text_en=t.text_en, text_ru=t.text_ru) for t in texts]
    )
    return as_paras(numbered, lang)


def version_diff(old: Version, new: Version, lang: str) -> list[ParagraphDiff]:
    """Return the paragraph-aware diff from old to new in one language. 1 query."""
    by_version = defaultdict(list)
    for paragraph in Paragraph.objects.filter(version__in=[old, new]).order_by(
        "position"
    ):
        by_version[paragraph.version_id].append(paragraph)
    return diff_paragraphs(
        as_paras(number_paragraphs(by_version[old.pk]), lang),
        as_paras(number_paragraphs(by_version[new.pk]), lang),
    )


def both_languages(paragraphs: list[Paragraph]) -> list[Para]:
    """Return paragraphs as the matcher sees them with both languages at once,
    so that a paragraph changed in one language still finds its counterpart."""
    return [Para("", p.kind, f"{p.text_en}\n{p.text_ru}") for p in paragraphs]


def counterparts(old: list[Paragraph], new: list[Paragraph]) -> dict[int, Paragraph]:
    """Return, for each old paragraph's id, the new paragraph that continues it
    (the diff's matching over both languages). No query."""
    matches = match_paragraphs(both_languages(old), both_languages(new))
    return {old[i].pk: new[j] for i, j in matches.items()}


@dataclass(frozen=True)
class Lag:
    """A paragraph changed in one language since the previous version while
    its other language stayed as it was."""

    paragraph: Paragraph  # in the newer version, numbered
    changed: str  # "en" or "ru"

    @property
    def unchanged(self) -> str:
        return "ru" if self.changed == "en" else "en"


def translation_lags(old: list[Paragraph], new: list[Paragraph]) -> list[Lag]:
    """Return the new paragraphs whose English changed from their counterpart
    in old while their Russian did not, or the other way round (whitespace
    aside). Added paragraphs have no counterpart: no lag. No query."""
    from declaration.diff import normalise

    lags = []
    found = counterparts(old, new)
    by_new = {paragraph.pk: old_pk for old_pk, paragraph in found.items()}
    old_by_pk = {p.pk: p for p in old}
    for paragraph in new:
        before = old_by_pk.get(by_new.get(paragraph.pk))
        if before is None:
            continue
        changed = [
            code
            for code in ("en", "ru")
            if normalise(getattr(before, f"text_{code}"))
            != normalise(getattr(paragraph, f"text_{code}"))
        ]
        if len(changed) == 1:
            lags.append(Lag(paragraph, changed[0]))
    return lags


def version_lags(version: Version) -> list[Lag]:
    """Return the translation lags of a version against the version circulated
    before it (none for a first version). Three queries at most."""
    previous = previous_circulated(version)
    if previous is None:
        return []
    return translation_lags(version_paragraphs(previous), version_paragraphs(version))


def lag_labels(lags: list[Lag]) -> dict[str, str]:
    """Return paragraph label -> the language that changed alone."""
    return {lag.paragraph.label: lag.changed for lag in lags}


def translation_checks(version: Version) -> dict[int, object]:
    """Return paragraph id -> the recorded TranslationCheck. One query."""
    from declaration.models import TranslationCheck

    return {
        check.paragraph_id: check
        for check in TranslationCheck.objects.filter(version=version).select_related(
            "confirmed_by"
        )
    }


def draft_of(declaration_id: int) -> Version | None:
    """Return the draft being prepared for the declaration, or None. 1 query."""
    return Version.objects.filter(
        declaration_id=declaration_id, status=Version.Status.DRAFT
    ).first()


def previous_circulated(version: Version) -> Version | None:
    """Return the circulated (now superseded) version before this one."""
    return (
        Version.objects.filter(
            declaration_id=version.declaration_id,
            number__lt=version.number,
        )
        .exclude(status=Version.Status.DRAFT)
        .order_by("-number")
        .first()
    )


@dataclass
class ParagraphComments:
    paragraph: Paragraph
    comments: list[Comment] = field(default_factory=list)

    @property
    def proposals(self) -> list[Comment]:
        return [c for c in self.comments if c.kind == Comment.Kind.PROPOSAL]

    @property
    def conflict(self) -> list[ProposalColumn]:
        """Return the proposals side by side when two or more delegations
        proposed wording for this paragraph, else []. No query."""
        proposals = self.proposals
        if len({c.delegation_id for c in proposals}) < 2:
            return []
        by_pk = {c.pk: c for c in proposals}
        columns = compare_proposals(
            {"en": self.paragraph.text_en, "ru": self.paragraph.text_ru},
            [(c.pk, c.language, c.text) for c in proposals],
        )
        for column in columns:
            column.comment = by_pk[column.key]
            column.against_others = [
                (by_pk[key], entry) for key, entry in column.against_others
            ]
        return columns


def comments_by_paragraph(version: Version) -> list[ParagraphComments]:
    """Return every paragraph of the version with its comments (not those
    withdrawn by their delegation). Two queries."""
    groups = {p.pk: ParagraphComments(p) for p in version_paragraphs(version)}
    for comment in (
        Comment.objects.filter(version=version, withdrawn_at__isnull=True)
        .select_related("delegation", "taken_into", "superseded_by__delegation")
        .order_by("created_at", "id")
    ):
        groups[comment.paragraph_id].comments.append(comment)
    return list(groups.values())


# The drafters' comments page shows whole paragraphs, as many as make about
# this many comments: 2,000 comments on one page took seconds to render.
COMMENTS_PER_PAGE = 100


@dataclass
class CommentsPage:
    """One page of a version's comments: whole paragraphs, in order."""

    groups: list[ParagraphComments]
    number: int
    pages: list[tuple[str, str]]  # (first label, last label) of every page
    total: int  # comments on the version (not withdrawn), on every page
    delegations: list[str]  # who commented, on every page, in order

    @property
    def count(self) -> int:
        return len(self.pages)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def page_paragraphs(
    paragraphs: list[Paragraph], counts: dict[int, int], per_page: int
) -> list[list[Paragraph]]:
    """Return the paragraphs cut into pages of whole paragraphs, a page ending
    once it holds per_page comments or more. No query."""
    pages, page, held = [], [], 0
    for paragraph in paragraphs:
        page.append(paragraph)
        held += counts.get(paragraph.pk, 0)
        if held >= per_page:
            pages.append(page)
            page, held = [], 0
    if page or not pages:
        pages.append(page)
    return pages


def comments_page(
    version: Version,
    *,
    page: int | None = None,
    paragraph_id: int | None = None,
    per_page: int = COMMENTS_PER_PAGE,
) -> CommentsPage:
    """Return the page of the version's comments (not those withdrawn) asked
    for by number, or the page holding a paragraph; the first page if neither
    is one. Four queries, however many comments."""
    from delegations.models import Delegation

    live = Comment.objects.filter(version=version, withdrawn_at__isnull=True)
    counts = dict(
        live.order_by()
        .values("paragraph_id")
        .annotate(n=Count("pk"))
        .values_list("paragraph_id", "n")
    )
    pages = page_paragraphs(version_paragraphs(version), counts, per_page)
    number = page if page and 1 <= page <= len(pages) else 1
    if paragraph_id is not None:
        number = next(
            (
                i
                for i, shown in enumerate(pages, 1)
                if any(p.pk == paragraph_id for p in shown)
            ),
            number,
        )
    groups = {p.pk: ParagraphComments(p) for p in pages[number - 1]}
    for comment in (
        live.filter(paragraph_id__in=list(groups))
        .select_related("delegation", "taken_into", "superseded_by__delegation")
        .order_by("created_at", "id")
    ):
        groups[comment.paragraph_id].comments.append(comment)
    commenters = Delegation.objects.filter(
        pk__in=live.order_by().values("delegation_id")
    )
    return CommentsPage(
        groups=list(groups.values()),
        number=number,
        pages=[(shown[0].label, shown[-1].label) for shown in pages if shown],
        total=sum(counts.values()),
        delegations=sorted(str(d) for d in commenters),
    )


def taken_into_paragraphs(version: Version) -> dict[int, list[Comment]]:
    """Return, per paragraph id of the version, the comments taken into it
    (the other end of Comment.taken_paragraph). One query."""
    taken = defaultdict(list)
    for comment in (
        Comment.objects.filter(taken_paragraph__version=version)
        .select_related("delegation", "version")
        .order_by("version__number", "created_at", "id")
    ):
        taken[comment.taken_paragraph_id].append(comment)
    return taken


@dataclass
class CirculationStatus:
    rows: list[Circulation]

    @property
    def not_opened(self) -> list[Circulation]:
        return [row for row in self.rows if row.first_opened_at is None]

    @property
    def not_sent(self) -> list[Circulation]:
        return [row for row in self.rows if row.sent_at is None]

    @property
    def failed(self) -> list[Circulation]:
        return [
            row
            for row in self.rows
            if row.sent_at is None
            and row.outbox_email is not None
            and row.outbox_email.status in ("failed", "cancelled")
        ]


def circulation_status(version: Version) -> CirculationStatus:
    """Return per delegation when the version was sent and first opened, each
    row with its outbox email (`outbox_email`, or None). Two queries."""
    from declaration.services import CIRCULATION_EMAIL
    from dialogue.outbox.selectors import emails_about

    rows = list(
        Circulation.objects.filter(version=version)
        .select_related("delegation")
        .order_by("delegation__sort_order", "delegation__name_en")
    )
    emails = emails_about(CIRCULATION_EMAIL, [row.pk for row in rows])
    for row in rows:
        row.outbox_email = emails.get(row.pk)
    return CirculationStatus(rows)


def versions_with_counts(declaration_id: int):
    """Return the declaration's versions with their comment counts. One query."""
    return (
        Version.objects.filter(declaration_id=declaration_id)
        .annotate(
            comment_count=Count(
                "comments",
                filter=Q(comments__withdrawn_at__isnull=True),
                distinct=True,
            ),
            opened_count=Count(
                "circulations",
                filter=Q(circulations__first_opened_at__isnull=False),
                distinct=True,
            ),
            circulated_count=Count("circulations", distinct=True),
        )
        .order_by("-number")
    )


@dataclass
class LinkDeclaration:
    """What a link page shows of one declaration."""

    declaration: object
    version: Version
    paragraphs: list[Paragraph]
    previous: Version | None = None
    previous_paragraphs: list[Paragraph] = field(default_factory=list)
    own_comments: list[Comment] = field(default_factory=list)
    # What became of the comments on the version circulated before.
    previous_comments: list[Comment] = field(default_factory=list)
    # The latest silence procedure on the version (with own_reason, the
    # delegation's objection if it made one), or None.
    silence: object = None

    @property
    def adoption(self):
        return getattr(self.version, "adoption", None)

    def title(self, lang: str) -> str:
        return localized(self.declaration, "title", lang)

    def diff(self, lang: str) -> list[ParagraphDiff]:
        if self.previous is None:
            return []
        return diff_paragraphs(
            as_paras(self.previous_paragraphs, lang), as_paras(self.paragraphs, lang)
        )


def declarations_for_link(link: AccessLink) -> list[LinkDeclaration]:
    """Return the declarations a link may see, latest non-draft version first.

    A focal point sees the latest circulated (or adopted) version of each
    declaration, the one circulated before it, and its delegation's own
    comments, and the latest silence procedure on each version; a delegate
    sees adopted texts only. Four queries at most.
    """
    is_focal = link.kind == AccessLink.Kind.FOCAL_POINT
    delegation = link.delegation if is_focal else link.delegate.delegation
    versions = (
        Version.objects.filter(declaration__meeting_id=delegation.meeting_id)
        .exclude(status=Version.Status.DRAFT)
        .select_related("declaration", "adoption")
        .order_by("declaration_id", "-number")
    )
    shown: dict[int, LinkDeclaration] = {}
    previous: dict[int, Version] = {}
    for version in versions:
        key = version.declaration_id
        if key not in shown:
            if not is_focal and version.status != Version.Status.ADOPTED:
                shown[key] = None
                continue
            shown[key] = LinkDeclaration(version.declaration, version, [])
        elif key not in previous and shown[key] is not None:
            previous[key] = version
    items = [item for item in shown.values() if item is not None]
    if not items:
        return []
    wanted = [item.version.pk for item in items]
    if is_focal:
        wanted += [v.pk for v in previous.values()]
    by_version = defaultdict(list)
    for paragraph in Paragraph.objects.filter(version_id__in=wanted).order_by(
        "position"
    ):
        by_version[paragraph.version_id].append(paragraph)
    for item in items:
        item.paragraphs = number_paragraphs(by_version[item.version.pk])
        if is_focal and item.declaration.pk in previous:
            item.previous = previous[item.declaration.pk]
            item.previous_paragraphs = number_paragraphs(by_version[item.previous.pk])
    if is_focal:
        labels = {
            p.pk: p
            for item in items
            for p in (*item.paragraphs, *item.previous_paragraphs)
        }
        lists = {item.version.pk: item.own_comments for item in items}
        lists.update(
            {
                item.previous.pk: item.previous_comments
                for item in items
                if item.previous
            }
        )
        for comment in (
            Comment.objects.filter(version_id__in=list(lists), delegation=delegation)
            .select_related("taken_into")
            .order_by("created_at", "id")
        ):
            comment.paragraph_label = labels[comment.paragraph_id].label
            lists[comment.version_id].append(comment)
        by_version = {item.version.pk: item for item in items}
        for silence in (
            Silence.objects.filter(version_id__in=list(by_version))
            .annotate(
                own_reason=Subquery(
                    Objection.objects.filter(
                        silence_id=OuterRef("pk"), delegation=delegation
                    ).values("reason")[:1]
                )
            )
            .order_by("started_at")
        ):
            by_version[silence.version_id].silence = silence  # the latest wins
    return items


def circulation_recipients_preview(meeting) -> list:
    """Return the delegations a circulation would email, in order. One query."""
    from declaration.services import circulation_recipients

    return list(circulation_recipients(meeting.pk).order_by("sort_order", "name_en"))


# Reads for the packs (dialogue/packs reads declarations only through these).


def latest_circulated(meeting) -> tuple[Declaration, Version] | None:
    """Return the meeting's first declaration and its latest version past draft
    (circulated, superseded or adopted), or None while there is none. 2 queries."""
    declaration = Declaration.objects.filter(meeting=meeting).order_by("pk").first()
    if declaration is None:
        return None
    latest = (
        Version.objects.filter(declaration=declaration)
        .exclude(status=Version.Status.DRAFT)
        .order_by("-number")
        .first()
    )
    return (declaration, latest) if latest is not None else None


def paragraph_label(kind: str, ordinal: int) -> str:
    """Return PP1 / OP1 (in the active language) for a paragraph."""
    return model_paragraph_label(kind, ordinal)


def changed_paragraphs(old: list[Para], new: list[Para]) -> list[ParagraphDiff]:
    """Return the entries of the paragraph-aware diff that are not unchanged."""
    return [entry for entry in diff_paragraphs(old, new) if entry.status != UNCHANGED]


def with_paragraph_ordinal(comments: QuerySet) -> QuerySet:
    """Return comments annotated with paragraph_ordinal, the paragraph's place
    among its version's paragraphs of its kind (OP2 is the second operative),
    so a list labels paragraphs as every other page does. Same query."""

    same_kind_before = (
        Paragraph.objects.filter(
            version_id=OuterRef("paragraph__version_id"),
            kind=OuterRef("paragraph__kind"),
            position__lte=OuterRef("paragraph__position"),
        )
        .order_by()
        .values("version_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return comments.annotate(paragraph_ordinal=Subquery(same_kind_before))
