"""Reads of packs for pages, the admin and the download views."""

from django.db.models import Count

from dialogue.models import Meeting, Pack


def downloadable_pack(delegation, language: str) -> Pack | None:
    """Return the delegation's briefing pack in a language if it has a file.

    A pack being re-rendered still has its previous, complete file. One query.
    """
    return (
        Pack.objects.filter(
            delegation=delegation, kind=Pack.Kind.BRIEFING, language=language
        )
        .exclude(file="")
        .first()
    )


def delegation_packs(delegation) -> list[Pack]:
    """Return the delegation's briefing packs that have a file, EN, RU, bilingual.

    One query.
    """
    order = {code: index for index, code in enumerate(Pack.Language.values)}
    packs = Pack.objects.filter(delegation=delegation, kind=Pack.Kind.BRIEFING).exclude(
        file=""
    )
    return sorted(packs, key=lambda p: order[p.language])


def pack_progress(meeting: Meeting | None = None) -> dict:
    """Return the packs per status and the share ready, for the admin. One query."""
    packs = Pack.objects.all()
    if meeting is not None:
        packs = packs.filter(meeting=meeting)
    counts = dict.fromkeys(Pack.Status.values, 0)
    for row in packs.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    total = sum(counts.values())
    return {
        "counts": [
            (status, label, counts[status]) for status, label in Pack.Status.choices
        ],
        "total": total,
        "ready": counts[Pack.Status.READY],
        "percent": round(100 * counts[Pack.Status.READY] / total) if total else 0,
    }
