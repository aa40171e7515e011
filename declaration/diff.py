"""A paragraph-aware diff of two versions of a text, in one language.

1. Paragraphs are matched: first whole paragraphs with the same text (difflib's
   SequenceMatcher over the normalised paragraphs, then identical paragraphs that
   changed place), then the remaining removed and added paragraphs by word
   similarity (best pairs first, ratio >= SIMILAR).
2. Matched pairs that keep their relative order (the longest increasing run of
   new positions, taken in old order) are unchanged or changed; the others moved.
3. Unmatched old paragraphs are removed, unmatched new ones added.
4. Inside a changed or moved paragraph, words are compared and shown as
   insertions and deletions.

The result lists the new text in order, each removed paragraph placed after the
paragraph it used to follow. Texts are plain; html() escapes every piece before
wrapping it in <ins> or <del>.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SIMILAR = 0.5
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

UNCHANGED = "unchanged"
CHANGED = "changed"
MOVED = "moved"
ADDED = "added"
REMOVED = "removed"


@dataclass(frozen=True)
class Para:
    """A paragraph as the diff sees it: its reference label, kind and text."""

    label: str
    kind: str
    text: str


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass
class ParagraphDiff:
    status: str
    old: Para | None
    new: Para | None
    segments: list[Segment] = field(default_factory=list)
    # The language that changed while the other did not ("en", "ru"), or "".
    lag: str = ""

    @property
    def kind_changed(self) -> bool:
        return bool(self.old and self.new and self.old.kind != self.new.kind)

    @property
    def text_changed(self) -> bool:
        return any(segment.op != "equal" for segment in self.segments)

    def html(self) -> SafeString:
        """Return the paragraph as HTML: escaped text, changes in <ins>/<del>."""
        parts = []
        for segment in self.segments:
            text = escape(segment.text)
            if segment.op == "insert":
                parts.append(f"<ins>{text}</ins>")
            elif segment.op == "delete":
                parts.append(f"<del>{text}</del>")
            else:
                parts.append(text)
        return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above

    def as_tuple(self) -> tuple:
        """Return a plain structure (for tests and logs)."""
        return (
            self.status,
            self.old.label if self.old else None,
            self.new.label if self.new else None,
            [(s.op, s.text) for s in self.segments],
        )


def normalise(text: str) -> str:
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def words(text: str) -> list[str]:
    return [token for token in tokens(text) if not token.isspace()]


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, words(a), words(b), autojunk=False).ratio()


def diff_words(old: str, new: str) -> list[Segment]:
    """Return the segments that turn old into new, word by word."""
    a, b = tokens(normalise(old)), tokens(normalise(new))
    segments: list[Segment] = []

    def add(op: str, pieces: list[str]) -> None:
        text = "".join(pieces)
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))

    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return segments


def _longest_increasing(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Return the longest run of pairs whose new index grows with the old index."""
    pairs = sorted(pairs)
    best: list[int] = [1] * len(pairs)
    previous: list[int] = [-1] * len(pairs)
    for k in range(len(pairs)):
        for m in range(k):
            if pairs[m][1] < pairs[k][1] and best[m] + 1 > best[k]:
                best[k], previous[k] = best[m] + 1, m
    if not pairs:
        return set()
    k = max(range(len(pairs)), key=lambda n: (best[n], -n))
    kept = set()
    while k != -1:
        kept.add(pairs[k])
        k = previous[k]
    return kept


def _match(old: list[Para], new: list[Para]) -> dict[int, int]:
    """Return old index -> new index for the paragraphs that correspond."""
    old_keys = [normalise(p.text) for p in old]
    new_keys = [normalise(p.text) for p in new]
    matches: dict[int, int] = {}
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                matches[i1 + offset] = j1 + offset

    def free_old():
        return [i for i in range(len(old)) if i not in matches]

    def free_new():
        taken = set(matches.values())
        return [j for j in range(len(new)) if j not in taken]

    # Identical paragraphs that changed place.
    for i in free_old():
        for j in free_new():
            if old_keys[i] == new_keys[j] and old_keys[i]:
                matches[i] = j
                break

    # Similar paragraphs: the best pairs first.
    candidates = []
    for i in free_old():
        for j in free_new():
            a, b = old_keys[i], new_keys[j]
            quick = SequenceMatcher(None, words(a), words(b), autojunk=False)
            if quick.real_quick_ratio() < SIMILAR or quick.quick_ratio() < SIMILAR:
                continue
            ratio = quick.ratio()
            if ratio >= SIMILAR:
                candidates.append((-ratio, abs(i - j), i, j))
    used_new: set[int] = set()
    for _ratio, _distance, i, j in sorted(candidates):
        if i not in matches and j not in used_new:
            matches[i] = j
            used_new.add(j)
    return matches


def match_paragraphs(old: list[Para], new: list[Para]) -> dict[int, int]:
    """Return old index -> new index for the paragraphs that correspond (the
    matching the diff uses: same text first, then similar wording)."""
    return _match(old, new)


def diff_paragraphs(old: list[Para], new: list[Para]) -> list[ParagraphDiff]:
    """Return the paragraph-by-paragraph difference from old to new."""
    matches = _match(old, new)
    in_place = _longest_increasing(list(matches.items()))
    by_new = {j: i for i, j in matches.items()}

    # Where each removed paragraph goes: after the new position of the nearest
    # earlier old paragraph that stayed in place (-1: before everything).
    removed_after: dict[int, list[int]] = {}
    for i in range(len(old)):
        if i in matches:
            continue
        anchor = -1
        for k in range(i - 1, -1, -1):
            if k in matches and (k, matches[k]) in in_place:
                anchor = matches[k]
                break
        removed_after.setdefault(anchor, []).append(i)

    def removed(i: int) -> ParagraphDiff:
        return ParagraphDiff(REMOVED, old[i], None, [Segment("delete", old[i].text)])

    result = [removed(i) for i in removed_after.get(-1, [])]
    for j, paragraph in enumerate(new):
        if j not in by_new:
            result.append(
                ParagraphDiff(
                    ADDED, None, paragraph, [Segment("insert", paragraph.text)]
                )
            )
        else:
            i = by_new[j]
            segments = diff_words(old[i].text, paragraph.text)
            entry = ParagraphDiff(UNCHANGED, old[i], paragraph, segments)
            if (i, j) not in in_place:
                entry.status = MOVED
            elif entry.text_changed or entry.kind_changed:
                entry.status = CHANGED
            result.append(entry)
        result.extend(removed(i) for i in removed_after.get(j, []))
    return result


def summary(diffs: list[ParagraphDiff]) -> dict[str, int]:
    """Return how many paragraphs are in each status."""
    counts = dict.fromkeys((CHANGED, MOVED, ADDED, REMOVED, UNCHANGED), 0)
    for entry in diffs:
        counts[entry.status] += 1
    return counts


@dataclass
class ProposalColumn:
    """One proposal of a conflict: its wording against the current text and
    against each other proposal (None where the other is in another language)."""

    key: object
    language: str
    text: str
    against_current: ParagraphDiff
    against_others: list[tuple[object, ParagraphDiff | None]]
    comment: object = None  # the Comment, set by the selector


def _words_entry(old: str, new: str) -> ParagraphDiff:
    return ParagraphDiff(CHANGED, None, None, diff_words(old, new))


def compare_proposals(
    current: dict[str, str], proposals: list[tuple[object, str, str]]
) -> list[ProposalColumn]:
    """Return each proposal (key, language, text) side by side: a word diff from
    the current text in its language (current: language -> text) and from each
    other proposal in the same language."""
    columns = []
    for key, language, text in proposals:
        others = [
            (
                other_key,
                _words_entry(other_text, text) if other_lang == language else None,
            )
            for other_key, other_lang, other_text in proposals
            if other_key != key
        ]
        columns.append(
            ProposalColumn(
                key,
                language,
                text,
                _words_entry(current.get(language, ""), text),
                others,
            )
        )
    return columns
