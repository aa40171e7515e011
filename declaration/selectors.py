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
    Compilation,
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


def version_diff(
    old: Version, new: Version, lang: str, *, provisional: bool = True
) -> list[ParagraphDiff]:
    """Return the paragraph-aware diff from old to new in one language. 1 query.

    While new is a draft, its added paragraphs are cited as "new PP" / "new OP"
    and the others keep the numbers they had (provisional_labels); once it is
    circulated it is numbered straight through."""
    by_version = defaultdict(list)
    for paragraph in Paragraph.objects.filter(version__in=[old, new]).order_by(
        "position"
    ):
        by_version[paragraph.version_id].append(paragraph)
    entries = diff_paragraphs(
        as_paras(number_paragraphs(by_version[old.pk]), lang),
        as_paras(number_paragraphs(by_version[new.pk]), lang),
    )
    if provisional and new.is_draft:
        provisional_labels(entries)
    return entries


def provisional_labels(entries: list[ParagraphDiff]) -> list[ParagraphDiff]:
    """Relabel a diff's new side as a draft is cited before circulation: an
    added paragraph is "new PP" / "new OP" (in the active language) and is not
    counted, so the paragraphs after it keep their numbers. No query."""
    from dataclasses import replace

    from declaration.models import new_paragraph_label

    counters = {Paragraph.Kind.PREAMBULAR: 0, Paragraph.Kind.OPERATIVE: 0}
    for entry in entries:
        if entry.new is None:
            continue
        if entry.status == "added":
            label = new_paragraph_label(entry.new.kind)
        else:
            counters[entry.new.kind] = counters.get(entry.new.kind, 0) + 1
            label = model_paragraph_label(entry.new.kind, counters[entry.new.kind])
        entry.new = replace(entry.new, label=label)
    return entries


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


def amendment_summary(comment: Comment, labels: dict[int, str]) -> str:
    """Return what a comment asks for, citing paragraphs by label (paragraph
    id -> PP1/OP2): "new OP after OP4", "delete OP4", "move OP4 after OP6",
    "new wording of OP4", or the label (in the active language). No query."""
    from django.utils.translation import gettext

    from declaration.models import new_paragraph_label

    label = labels.get(comment.paragraph_id, "")
    if comment.kind == Comment.Kind.INSERT:
        return gettext("%(new)s after %(label)s") % {
            "new": new_paragraph_label(comment.new_kind),
            "label": label,
        }
    if comment.kind == Comment.Kind.DELETE:
        return gettext("delete %(label)s") % {"label": label}
    if comment.kind == Comment.Kind.MOVE:
        return gettext("move %(label)s after %(target)s") % {
            "label": label,
            "target": labels.get(comment.target_id, ""),
        }
    if comment.kind == Comment.Kind.PROPOSAL:
        return gettext("new wording of %(label)s") % {"label": label}
    return label


def comments_by_paragraph(version: Version) -> list[ParagraphComments]:
    """Return every paragraph of the version with its comments (not those
    withdrawn by their delegation), each with its summary (amendment_summary).
    Two queries."""
    groups = {p.pk: ParagraphComments(p) for p in version_paragraphs(version)}
    labels = {pk: group.paragraph.label for pk, group in groups.items()}
    for comment in (
        Comment.objects.filter(version=version, withdrawn_at__isnull=True)
        .select_related("delegation", "taken_into", "superseded_by__delegation")
        .order_by("created_at", "id")
    ):
        comment.summary = amendment_summary(comment, labels)
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
    paragraphs = version_paragraphs(version)
    labels = {p.pk: p.label for p in paragraphs}  # a move's target may be elsewhere
    pages = page_paragraphs(paragraphs, counts, per_page)
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
        comment.summary = amendment_summary(comment, labels)
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
    # Once the drafters shared the compilation of comments on the version: it,
    # and the other delegations' proposals (for a focal point).
    compilation: object = None
    others_proposals: list[Comment] = field(default_factory=list)

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
    comments, and the latest silence procedure on each version; once the
    drafters shared the compilation of comments on a version, the other
    delegations' proposals on it too. A delegate sees adopted texts only.
    Four queries at most, five once a compilation is shared.
    """
    is_focal = link.kind == AccessLink.Kind.FOCAL_POINT
    delegation = link.delegation if is_focal else link.delegate.delegation
    versions = (
        Version.objects.filter(declaration__meeting_id=delegation.meeting_id)
        .exclude(status=Version.Status.DRAFT)
        .select_related("declaration", "adoption", "compilation")
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
        label_texts = {pk: p.label for pk, p in labels.items()}
        for comment in (
            Comment.objects.filter(version_id__in=list(lists), delegation=delegation)
            .select_related("taken_into", "delegation")
            .order_by("created_at", "id")
        ):
            comment.paragraph_label = labels[comment.paragraph_id].label
            comment.summary = amendment_summary(comment, label_texts)
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
        shared = {
            item.version.pk: item
            for item in items
            if shared_compilation(item.version) is not None
        }
        for item in shared.values():
            item.compilation = shared_compilation(item.version)
        if shared:
            for comment in (
                Comment.objects.filter(
                    version_id__in=list(shared),
                    kind__in=Comment.PROPOSAL_KINDS,
                    withdrawn_at__isnull=True,
                )
                .exclude(delegation=delegation)
                .select_related("delegation", "taken_into", "superseded_by__delegation")
                .order_by("paragraph__position", "created_at", "id")
            ):
                comment.summary = amendment_summary(comment, label_texts)
                shared[comment.version_id].others_proposals.append(comment)
    return items


def shared_compilation(version: Version):
    """Return the version's compilation if the drafters shared it, else None
    (no query when the version came with select_related("compilation"))."""
    try:
        compilation = version.compilation
    except Compilation.DoesNotExist:
        return None
    return compilation if compilation.is_shared else None


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


# The compilation of comments -------------------------------------------------


def compilation_fingerprint(version: Version) -> tuple[str, int]:
    """Return (fingerprint, count) of the comments a compilation of the version
    shows (not the withdrawn ones): it changes with any comment sent, edited,
    withdrawn or decided on. One query."""
    import hashlib
    import json

    rows = list(
        Comment.objects.filter(version=version, withdrawn_at__isnull=True)
        .order_by("pk")
        .values_list(
            "pk",
            "number",
            "kind",
            "new_kind",
            "target_id",
            "language",
            "text",
            "outcome",
            "taken_into_id",
            "superseded_by_id",
            "reply",
        )
    )
    digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode())
    return digest.hexdigest(), len(rows)


def comment_status(comment: Comment) -> str:
    """Return what became of a comment, as the compilation says it (in the
    active language): undecided, taken into version 2, taken in part into
    version 2, not taken, superseded by KZ-2."""
    from django.utils.translation import gettext

    outcome = comment.outcome
    if outcome == Comment.Outcome.TAKEN:
        return gettext("taken into version %(number)s") % {
            "number": comment.taken_into.number
        }
    if outcome == Comment.Outcome.TAKEN_IN_PART:
        return gettext("taken in part into version %(number)s") % {
            "number": comment.taken_into.number
        }
    if outcome == Comment.Outcome.NOT_TAKEN:
        return gettext("not taken")
    if outcome == Comment.Outcome.SUPERSEDED:
        return gettext("superseded by %(reference)s") % {
            "reference": comment.superseded_by.reference
        }
    return gettext("undecided")


@dataclass
class CompilationRow:
    """One comment of the compilation, as the files print it."""

    reference: str
    delegation: str
    kind: str
    summary: str
    language: str
    text: str
    status: str
    outcome: str
    reply: str


@dataclass
class CompilationGroup:
    """One paragraph of the compilation: its label, text and comments."""

    label: str
    number: int | None
    kind: str
    text: str
    rows: list[CompilationRow]


def compilation_groups(version: Version, lang: str) -> list[CompilationGroup]:
    """Return the version's paragraphs, each with its text in lang and every
    delegation's comment on it (not the withdrawn ones) with its status, in the
    order they came in; labels and statuses in lang. Two queries."""
    from django.utils import translation

    with translation.override(lang):
        groups = comments_by_paragraph(version)
        return [
            CompilationGroup(
                label=group.paragraph.label,
                number=group.paragraph.number,
                kind=group.paragraph.kind,
                text=group.paragraph.text(lang),
                rows=[
                    CompilationRow(
                        reference=comment.reference,
                        delegation=comment.delegation.name(lang),
                        kind=str(comment.get_kind_display()),
                        summary=comment.summary,
                        language=comment.language,
                        text=comment.text,
                        status=comment_status(comment),
                        outcome=comment.outcome,
                        reply=comment.reply,
                    )
                    for comment in group.comments
                ],
            )
            for group in groups
        ]


def compilation_state(version: Version, compilation, *, can_share: bool) -> dict:
    """Return what the version's admin page shows of its compilation: state
    and progress, the reason of a failure, the files made and whether they
    are out of date (the comments changed since: their fingerprint differs),
    who shared it and when, and the URLs of the buttons. One query (the
    fingerprint) when files were made."""
    from django.urls import reverse

    def url(name: str, *args) -> str:
        return reverse(
            f"admin:declaration_version_compilation_{name}", args=[version.pk, *args]
        )

    state = {
        "compilation": compilation,
        "render_url": url("render"),
        "share_url": url("share"),
        "can_share": can_share,
        "meeting": version.declaration.meeting,
        "files": [],
        "stale": False,
        "current_count": None,
    }
    if compilation is None:
        return state
    if compilation.has_files:
        from django.utils.translation import gettext

        fingerprint, count = compilation_fingerprint(version)
        state["stale"] = fingerprint != compilation.fingerprint
        state["current_count"] = count
        labels = {
            "pdf_en": gettext("PDF (English)"),
            "pdf_ru": gettext("PDF (Russian)"),
            "xlsx": gettext("XLSX (both languages)"),
        }
        state["files"] = [
            (labels[name], url("file", name))
            for name in Compilation.FILES
            if getattr(compilation, name)
        ]
    return state
