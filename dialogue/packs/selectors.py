"""Reads of packs for pages, the admin and the download views."""

from django.db.models import Count, Q

from dialogue.models import Meeting
from dialogue.packs.models import TRAVEL_LISTS, Pack


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


def pack_progress(meeting: Meeting | None = None, *, kind: str | None = None) -> dict:
    """Return the packs per status and the share ready, for the admin. One query.

    With a kind, only packs of that kind (the visa letters' progress).
    """
    packs = Pack.objects.all()
    if meeting is not None:
        packs = packs.filter(meeting=meeting)
    if kind is not None:
        packs = packs.filter(kind=kind)
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
        # Inputs changed since their file was made: a re-render is on its way.
        "stale": packs.filter(stale_since__isnull=False).count(),
        "percent": round(100 * counts[Pack.Status.READY] / total) if total else 0,
    }


def pack_counts(meeting: Meeting) -> dict:
    """Return the meeting's briefing packs ready, stale, failed and in all. One query.

    Stale: an input changed since the file was made (dialogue.changes), or a
    file is on disk while a re-render is queued or running: the file shows an
    older state of its inputs than the database.
    """
    pending = Q(status__in=[Pack.Status.QUEUED, Pack.Status.RENDERING])
    return Pack.objects.filter(meeting=meeting, kind=Pack.Kind.BRIEFING).aggregate(
        total=Count("id"),
        ready=Count("id", filter=Q(status=Pack.Status.READY)),
        stale=Count(
            "id", filter=(pending & ~Q(file="")) | Q(stale_since__isnull=False)
        ),
        failed=Count("id", filter=Q(status=Pack.Status.FAILED)),
    )


def stale_packs(packs):
    """Return the packs of a queryset whose file is older than a queued re-render."""
    pending = Q(status__in=[Pack.Status.QUEUED, Pack.Status.RENDERING])
    return packs.filter((pending & ~Q(file="")) | Q(stale_since__isnull=False))


def pack_list_url() -> str:
    """Return the admin's list of packs, wherever the app that holds them is."""
    from django.urls import reverse

    return reverse(f"admin:{Pack._meta.app_label}_{Pack._meta.model_name}_changelist")


def delegation_manifests(delegation) -> list[Pack]:
    """Return the delegation's own manifests that have a file, EN then RU (PDF).

    One query.
    """
    return list(
        Pack.objects.filter(
            delegation=delegation, kind=Pack.Kind.MANIFEST, file_format="pdf"
        )
        .select_related("meeting")
        .exclude(file="")
        .order_by("language")
    )


def downloadable_manifest(delegation, language: str) -> Pack | None:
    """Return the delegation's manifest PDF in a language if it has a file."""
    return (
        Pack.objects.filter(
            delegation=delegation,
            kind=Pack.Kind.MANIFEST,
            language=language,
            file_format="pdf",
        )
        .exclude(file="")
        .first()
    )


def travel_list_table(meeting: Meeting) -> dict:
    """Return the meeting's travel lists for the admin: one row per list with
    its packs by (language, format), and the delegations' own manifests
    counted per status. One query."""
    packs = list(
        Pack.objects.filter(meeting=meeting, kind__in=TRAVEL_LISTS)
        .select_related("delegation", "meeting")
        .order_by("kind", "language", "file_format")
    )
    rows = []
    for kind in TRAVEL_LISTS:
        cells = {
            (p.language, p.file_format): p
            for p in packs
            if p.kind == kind and p.delegation_id is None
        }
        rows.append(
            {
                "kind": kind,
                "label": Pack.Kind(kind).label,
                "cells": [
                    cells.get((language, file_format))
                    for language in ("en", "ru")
                    for file_format in ("pdf", "xlsx")
                ],
            }
        )
    own = [p for p in packs if p.delegation_id is not None]
    counts = dict.fromkeys(Pack.Status.values, 0)
    for pack in own:
        counts[pack.status] += 1
    return {
        "rows": rows,
        "columns": [
            (language, file_format)
            for language in ("en", "ru")
            for file_format in ("pdf", "xlsx")
        ],
        "own": own,
        "own_counts": [(s, label, counts[s]) for s, label in Pack.Status.choices],
        "any": bool(packs),
    }


def badge_sheet_table(meeting: Meeting) -> dict:
    """Return the meeting's badge sheets for the admin: the whole meeting's and
    one row per delegation with active badges (its sheet, or None yet).
    Two queries."""
    from accreditation.selectors.badges import badge_counts

    counts = badge_counts(meeting.pk)
    sheets = {
        p.delegation_id: p
        for p in Pack.objects.filter(meeting=meeting, kind=Pack.Kind.BADGES)
    }
    delegations = meeting.delegations.filter(
        pk__in=set(counts) | {pk for pk in sheets if pk}
    )
    return {
        "meeting_sheet": sheets.get(None),
        "total": sum(counts.values()),
        "rows": [
            {
                "delegation": delegation,
                "badges": counts.get(delegation.pk, 0),
                "sheet": sheets.get(delegation.pk),
            }
            for delegation in delegations
        ],
    }
