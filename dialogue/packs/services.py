"""Writes of the packs app: packs queued, rendered, swept; worker heartbeats."""

import datetime
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, Max, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogue.changes import documents_made
from dialogue.leases import lease_until, renewed_lease
from dialogue.models import Meeting
from dialogue.packs.models import TRAVEL_LISTS, Pack, WorkerHeartbeat
from dialogue.routing import alive_window_seconds, direct_routing_enabled, route_to

if TYPE_CHECKING:
    from dialogue.packs.inputs import SharedSnapshot


@transaction.atomic
def record_worker_heartbeat(hostname: str, *, token: str = "") -> WorkerHeartbeat:
    """Return the heartbeat row of a worker, updated to now.

    Side effects: creates or updates one WorkerHeartbeat row.
    """
    heartbeat, _created = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"seen_at": timezone.now(), "token": token}
    )
    return heartbeat


def record_worker_alive(node: str) -> None:
    """Note that this worker node is alive (its sweeper's beat, every few
    seconds). Only seen_at: the health check's token is left as it is."""
    updated = WorkerHeartbeat.objects.filter(hostname=node).update(
        seen_at=timezone.now()
    )
    if not updated:
        WorkerHeartbeat.objects.get_or_create(
            hostname=node, defaults={"seen_at": timezone.now()}
        )


# Packs ---------------------------------------------------------------------------

logger = logging.getLogger("dialogue.packs")

EDITIONS = ("en", "ru", "bilingual")
# A pack still "rendering" this long after its start has lost its worker: the hard
# time limit would have ended the task by then.
STALE_GRACE = datetime.timedelta(seconds=10)
# A queued pack whose message was lost (a purged broker) is queued again after this.
QUEUED_STALE = datetime.timedelta(minutes=30)


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + STALE_GRACE


def is_stale(pack: Pack, *, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    if pack.status == Pack.Status.RENDERING:
        if pack.lease_expires_at is not None:
            return pack.lease_expires_at < now
        return pack.started_at is None or pack.started_at < now - stale_after()
    if pack.status == Pack.Status.QUEUED:
        return pack.queued_at is None or pack.queued_at < now - QUEUED_STALE
    return False


def file_exists(pack: Pack) -> bool:
    from dialogue.packs.files import absolute

    return bool(pack.file) and absolute(pack.file).is_file()


def _enqueue(pack_ids: list[int], *, sticky: bool = True) -> None:
    """Queue the packs' render tasks once the transaction commits.

    Briefing packs of one meeting and edition go in batches (render_pack_batch:
    the meeting's shared content is read once per batch, and a worker takes
    one message per batch). A travel list goes alone to the worker node that
    rendered it last, while that node is alive (dialogue.routing): it keeps
    the list's laid-out parts, so a flight edit lays out one part there
    instead of the whole list elsewhere.
    """
    from dialogue.packs.tasks import render_pack as render_pack_task
    from dialogue.packs.tasks import render_pack_batch as render_pack_batch_task

    nodes = _sticky_nodes(pack_ids) if sticky else {}
    for batch in pack_batches(pack_ids):
        if len(batch) > 1:
            render_pack_batch_task.enqueue(pack_ids=batch)
            continue
        node = nodes.get(batch[0])
        render_pack_task.enqueue(
            pack_id=batch[0], route=route_to(node) if node else None
        )


# A batch holds at most this many packs (some seconds of work), and the batches
# get smaller towards the end of a set, so the workers finish it together.
PACK_BATCH_MAX = 8
PACK_BATCH_SPREAD = 8


def pack_batches(pack_ids: list[int]) -> list[list[int]]:
    """Return the packs in render batches, in the order given.

    A batch is briefing packs of one meeting and edition (they share their
    shared content and its layout); every other pack is a batch of its own.
    Each group of briefing packs is cut into batches of up to PACK_BATCH_MAX,
    a size that falls with what is left of the group (guided scheduling), and
    the groups' batches take turns, so the last tasks of a set are single
    packs of either edition.
    """
    kinds = {
        pk: (kind, meeting_id, language)
        for pk, kind, meeting_id, language in Pack.objects.filter(
            pk__in=pack_ids
        ).values_list("pk", "kind", "meeting_id", "language")
    }
    groups: dict[tuple, list[int]] = {}
    for pk in pack_ids:
        if pk not in kinds:
            continue
        kind, meeting_id, language = kinds[pk]
        key = (meeting_id, language) if kind == Pack.Kind.BRIEFING else ("one", pk)
        groups.setdefault(key, []).append(pk)
    cut = []
    for ids in groups.values():
        batches, start = [], 0
        while start < len(ids):
            left = len(ids) - start
            size = max(1, min(PACK_BATCH_MAX, -(-left // PACK_BATCH_SPREAD)))
            batches.append(ids[start : start + size])
            start += size
        cut.append(batches)
    ordered = []
    for turn in range(max(map(len, cut), default=0)):
        ordered += [batches[turn] for batches in cut if turn < len(batches)]
    return ordered


def _sticky_nodes(pack_ids: list[int]) -> dict[int, str]:
    """Return {pack id: node} for the travel lists whose last node is alive."""
    if not pack_ids or not direct_routing_enabled():
        return {}
    last = dict(
        Pack.objects.filter(pk__in=pack_ids, kind__in=TRAVEL_LISTS)
        .exclude(worker="")
        .values_list("pk", "worker")
    )
    if not last:
        return {}
    since = timezone.now() - datetime.timedelta(seconds=alive_window_seconds())
    alive = set(
        WorkerHeartbeat.objects.filter(
            hostname__in=set(last.values()), seen_at__gte=since
        ).values_list("hostname", flat=True)
    )
    return {pk: node for pk, node in last.items() if node in alive}


@dataclass
class QueueResult:
    queued: list[int] = field(default_factory=list)
    skipped: int = 0
    in_progress: int = 0


@transaction.atomic
def queue_packs(
    meeting: Meeting,
    *,
    delegation_ids: list[int] | None = None,
    languages: tuple[str, ...] = EDITIONS,
    force: bool = False,
    create: bool = True,
) -> QueueResult:
    """Return which packs of the meeting were queued and how many were skipped.

    A pack whose fingerprint equals the one of its file on disk is skipped
    (unless force); one already queued or rendering by a live worker is left
    alone. Side effects: creates missing Pack rows, marks the others queued and
    queues their render tasks after commit (in batches, _enqueue); requeues stale
    packs first.
    With create=False only existing packs are considered.
    """
    from dialogue.packs.inputs import meeting_briefing_fingerprints

    sweep_stale_packs()
    wanted = meeting_briefing_fingerprints(
        meeting, delegation_ids=delegation_ids, languages=languages
    )
    existing = {
        (p.delegation_id, p.language): p
        # Ordered by id: the default order joins the (nullable) delegation,
        # and PostgreSQL locks no row on the nullable side of an outer join.
        for p in Pack.objects.select_for_update()
        .filter(meeting=meeting, kind=Pack.Kind.BRIEFING)
        .order_by("pk")
    }
    result = QueueResult()
    now = timezone.now()
    for (delegation_id, language), fingerprint in wanted.items():
        pack = existing.get((delegation_id, language))
        if pack is None and not create:
            continue
        if pack is None:
            pack = Pack.objects.create(
                meeting=meeting,
                delegation_id=delegation_id,
                language=language,
                status=Pack.Status.QUEUED,
                queued_at=now,
            )
            result.queued.append(pack.pk)
            continue
        if pack.status in (Pack.Status.QUEUED, Pack.Status.RENDERING) and not is_stale(
            pack, now=now
        ):
            result.in_progress += 1
            continue
        if (
            not force
            and pack.status == Pack.Status.READY
            and pack.fingerprint == fingerprint
            and file_exists(pack)
        ):
            result.skipped += 1
            continue
        _mark_queued(pack, now)
        result.queued.append(pack.pk)
    _enqueue(result.queued)
    return result


def _mark_queued(pack: Pack, now: datetime.datetime) -> None:
    Pack.objects.filter(pk=pack.pk).update(
        status=Pack.Status.QUEUED, queued_at=now, error=""
    )
    pack_state_shown(pack.meeting_id, pack.delegation_id)


def pack_state_shown(meeting_id: int, delegation_id: int | None) -> None:
    """Say that a pack's state changed: the link pages kept rendered show it
    (delegations.page_cache), and an update() sends no signal. Every status
    change of a pack goes through here."""
    documents_made(
        meeting_id, delegation_ids=None if delegation_id is None else [delegation_id]
    )


@transaction.atomic
def requeue_packs(packs, *, force: bool = True) -> list[int]:
    """Return the ids of the given packs queued again (retry, or render now).

    Side effects: marks each pack queued (keeping its file, which stays served
    until the new one replaces it) and queues their render tasks after commit
    (_enqueue).
    Packs rendering on a live worker are left alone.
    """
    now = timezone.now()
    queued = []
    for pack in (
        Pack.objects.select_for_update()
        .filter(pk__in=[p.pk for p in packs])
        .order_by("pk")  # no outer join to lock (see queue_packs)
    ):
        if pack.status == Pack.Status.RENDERING and not is_stale(pack, now=now):
            continue
        if force and pack.fingerprint:
            # Forget the fingerprint so the task renders even if nothing changed.
            Pack.objects.filter(pk=pack.pk).update(fingerprint="")
        _mark_queued(pack, now)
        queued.append(pack.pk)
    _enqueue(queued)
    return queued


@transaction.atomic
def sweep_stale_packs() -> list[int]:
    """Return the ids of packs requeued because their worker is gone.

    A pack "rendering" for longer than the hard time limit plus a grace period
    lost its worker (SIGKILL, out of memory, a lost host); one "queued" for
    half an hour lost its message. Each is queued again once; the conditional
    update makes concurrent sweeps (one per worker) requeue it only once.
    Side effects: updates those packs to queued and queues their tasks.
    """
    now = timezone.now()
    lapsed = Q(status=Pack.Status.RENDERING) & (
        Q(lease_expires_at__lt=now)
        | Q(lease_expires_at__isnull=True, started_at__lt=now - stale_after())
    )
    lost = Q(status=Pack.Status.QUEUED, queued_at__lt=now - QUEUED_STALE)
    if direct_routing_enabled():
        # A travel list sent to its node's own queue waits there if that node
        # died; once the node has missed its beats, any node takes it.
        window = datetime.timedelta(seconds=alive_window_seconds())
        dead = WorkerHeartbeat.objects.filter(seen_at__lt=now - window).values(
            "hostname"
        )
        lost |= Q(
            status=Pack.Status.QUEUED,
            kind__in=TRAVEL_LISTS,
            queued_at__lt=now - window,
            worker__in=dead,
        )
    candidates = Pack.objects.filter(lapsed | lost).values_list(
        "pk",
        "status",
        "started_at",
        "queued_at",
        "attempts",
        "meeting_id",
        "delegation_id",
    )
    requeued = []
    for pk, status, started_at, queued_at, attempts, meeting, delegation in candidates:
        still = Pack.objects.filter(
            pk=pk, status=status, started_at=started_at, queued_at=queued_at
        )
        if status == Pack.Status.RENDERING and attempts >= settings.PACK_MAX_ATTEMPTS:
            # A pack that stops its worker every time (too big for the hard
            # limit, or killing it) must not be rendered for ever.
            if still.update(
                status=Pack.Status.FAILED,
                finished_at=now,
                lease_expires_at=None,
                error=_(
                    "Rendering stopped %(count)s times (the worker died or "
                    "reached the hard time limit)."
                )
                % {"count": attempts},
            ):
                pack_state_shown(meeting, delegation)
            continue
        if still.update(
            status=Pack.Status.QUEUED, queued_at=now, lease_expires_at=None
        ):
            requeued.append(pk)
            pack_state_shown(meeting, delegation)
    if requeued:
        logger.warning("Requeued %s stale pack(s): %s", len(requeued), requeued)
    _enqueue(requeued, sticky=False)  # their node may be the one that died
    return requeued


def render_pack(
    pack_id: int, *, worker: str = "", snapshot: "SharedSnapshot | None" = None
) -> str:
    """Return what happened to one pack: rendered, skipped, busy, gone or failed.

    Idempotent: a pack whose file already matches its inputs is skipped, and a
    pack another live worker is rendering is left to it. The new file replaces
    the old only when complete. Side effects: updates the Pack row (status,
    attempts, timings, fingerprint, error) and writes its file under MEDIA_ROOT.
    Not atomic on purpose: the "rendering" status must be visible while the
    worker lays the pack out. snapshot: the shared content of a batch
    (render_pack_batch).
    """
    from dialogue.packs.files import pack_relative_path, write_atomically
    from dialogue.packs.inputs import pack_inputs

    pack = (
        Pack.objects.select_related("meeting", "delegation", "delegate")
        .filter(pk=pack_id)
        .first()
    )
    if pack is None:
        return "gone"
    if pack.status == Pack.Status.RENDERING and not is_stale(pack):
        return "busy"
    generation = pack.generation  # read before the inputs: see settle_stale_mark
    inputs = pack_inputs(pack, snapshot=snapshot)
    if (
        pack.status in (Pack.Status.READY, Pack.Status.QUEUED)
        and pack.fingerprint == inputs.fingerprint
        and file_exists(pack)
    ):
        Pack.objects.filter(pk=pack.pk).update(status=Pack.Status.READY, error="")
        settle_stale_mark(pack, generation)
        pack_state_shown(pack.meeting_id, pack.delegation_id)
        return "skipped"
    started = timezone.now()
    claimed = Pack.objects.filter(
        pk=pack.pk, status=pack.status, started_at=pack.started_at
    ).update(
        status=Pack.Status.RENDERING,
        started_at=started,
        lease_expires_at=lease_until(started),
        finished_at=None,
        attempts=F("attempts") + 1,
        worker=worker[:200],
        error="",
    )
    if not claimed:
        return "busy"
    clock = time.monotonic()
    ours = Pack.objects.filter(
        pk=pack.pk, status=Pack.Status.RENDERING, started_at=started
    )
    try:
        with renewed_lease(ours):
            data, pages = inputs.render()
            relative = pack_relative_path(pack)
            write_atomically(relative, data)
    except BaseException as exc:  # includes the soft time limit
        reason = f"{exc.__class__.__name__}: {exc}"[:2000]
        logger.exception("Pack %s failed", pack.pk)
        ours.update(
            status=Pack.Status.FAILED,
            error=reason,
            finished_at=timezone.now(),
            lease_expires_at=None,
            render_seconds=time.monotonic() - clock,
        )
        pack_state_shown(pack.meeting_id, pack.delegation_id)
        if isinstance(exc, Exception):
            return "failed"
        raise
    # Only if the claim is still ours: a render whose lease lapsed was taken
    # over, and the newer render's outcome wins.
    ours.update(
        status=Pack.Status.READY,
        lease_expires_at=None,
        fingerprint=inputs.fingerprint,
        file=relative,
        pages=pages,
        size=len(data),
        error="",
        finished_at=timezone.now(),
        render_seconds=time.monotonic() - clock,
    )
    settle_stale_mark(pack, generation)
    pack_state_shown(pack.meeting_id, pack.delegation_id)
    return "rendered"


@transaction.atomic
def record_pack_failure(*, reason: str, final: bool, pack_id: int) -> None:
    """Mark a pack failed when its task gave up before it could say so itself
    (e.g. the database stayed unreachable). Side effects: updates the Pack row."""
    if final:
        failed = Pack.objects.filter(pk=pack_id).exclude(status=Pack.Status.READY)
        pack = failed.values("meeting_id", "delegation_id").first()
        if failed.update(
            status=Pack.Status.FAILED, error=reason, finished_at=timezone.now()
        ):
            pack_state_shown(pack["meeting_id"], pack["delegation_id"])


@transaction.atomic
def queue_visa_letter(delegate, *, force: bool = False, enqueue: bool = True) -> Pack:
    """Return the delegate's visa letter pack, queued for rendering.

    Only for a funded delegate with passport details (ValidationError
    otherwise). Side effects: creates or updates the Pack row and queues its
    task after commit (unless its file is already up to date); with
    enqueue=False the pack is marked queued and the caller renders it
    (queue_visa_letters).
    """
    from django.core.exceptions import ValidationError

    from delegations.selectors import has_passport
    from dialogue.packs.inputs import pack_inputs

    if not delegate.funded:
        raise ValidationError(
            _("%(name)s is not funded: visa letters are for funded delegates.")
            % {"name": delegate.name_latin}
        )
    if not has_passport(delegate):
        raise ValidationError(
            _("%(name)s has no passport details.") % {"name": delegate.name_latin}
        )
    pack, _created = Pack.objects.select_for_update().get_or_create(
        kind=Pack.Kind.VISA_LETTER,
        delegate=delegate,
        defaults={
            "meeting_id": delegate.delegation.meeting_id,
            "delegation_id": delegate.delegation_id,
            "language": Pack.Language.BILINGUAL,
            "queued_at": timezone.now(),
        },
    )
    if pack.status == Pack.Status.RENDERING and not is_stale(pack):
        return pack
    fresh = (
        not force
        and pack.status == Pack.Status.READY
        and pack.fingerprint == pack_inputs(pack).fingerprint
        and file_exists(pack)
    )
    if not fresh:
        _mark_queued(pack, timezone.now())
        if enqueue:
            _enqueue([pack.pk])
    pack.refresh_from_db()
    return pack


@dataclass
class VisaLetterBatch:
    queued: list[int] = field(default_factory=list)  # pack ids, one task
    up_to_date: int = 0
    refused: list[str] = field(default_factory=list)  # why a delegate has none


@transaction.atomic
def queue_visa_letters(
    meeting: Meeting, *, delegation_id: int | None = None, force: bool = False
) -> VisaLetterBatch:
    """Queue the visa letters of a meeting's funded delegates as one task.

    Every funded delegate with passport details (of one delegation, or of the
    whole meeting) gets a letter; the others are named in `refused`. Side
    effects: creates or updates the letters' Pack rows and queues one
    render_pack_batch task after commit, which renders them one after the
    other (its progress: visa_letter_progress).
    """
    from django.core.exceptions import ValidationError

    from delegations.selectors import funded_delegates

    delegates = funded_delegates(meeting)
    if delegation_id is not None:
        delegates = delegates.filter(delegation_id=delegation_id)
    batch = VisaLetterBatch()
    for delegate in delegates:
        try:
            pack = queue_visa_letter(delegate, force=force, enqueue=False)
        except ValidationError as exc:
            batch.refused += exc.messages
            continue
        if pack.status == Pack.Status.QUEUED:
            batch.queued.append(pack.pk)
        else:
            batch.up_to_date += 1
    if batch.queued:
        from dialogue.packs.tasks import render_pack_batch as render_pack_batch_task

        render_pack_batch_task.enqueue(pack_ids=batch.queued)
    return batch


def batch_seconds() -> float:
    """Return how long a batch renders before it hands the rest on: a quarter
    of the task's soft time limit, so the pack it starts last has the time a
    pack alone would have."""
    return settings.CELERY_TASK_SOFT_TIME_LIMIT / 4


def render_pack_batch(pack_ids: list[int], *, worker: str = "") -> list[str]:
    """Render the packs one after the other; return what happened to each.

    Each pack keeps its own claim, lease and state (render_pack), so a
    redelivered batch skips the packs already ready. The briefing packs share
    one read of their meeting (SharedSnapshot). A batch still running after
    batch_seconds() queues the packs it has not started as a new batch
    ("handed on"). Side effects: those of render_pack.
    """
    from dialogue.packs.inputs import SharedSnapshot
    from dialogue.packs.tasks import render_pack_batch as render_pack_batch_task

    snapshot = SharedSnapshot(pack_ids)
    started = time.monotonic()
    outcomes: list[str] = []
    for index, pack_id in enumerate(pack_ids):
        if outcomes and time.monotonic() - started > batch_seconds():
            rest = pack_ids[index:]
            render_pack_batch_task.enqueue(pack_ids=rest)
            return outcomes + ["handed on"] * len(rest)
        outcomes.append(render_pack(pack_id, worker=worker, snapshot=snapshot))
    return outcomes


def record_batch_failure(*, reason: str, final: bool, pack_ids) -> None:
    """Record a failed batch on each of its packs that is not ready."""
    for pack_id in pack_ids:
        record_pack_failure(reason=reason, final=final, pack_id=pack_id)


# Packs follow their inputs ------------------------------------------------------


def live_delay() -> float:
    """Return the seconds a re-render waits for edits to stop (PACK_LIVE_DELAY)."""
    return float(getattr(settings, "PACK_LIVE_DELAY", 2.0))


def _schedule(meeting_id: int, *, countdown: float | None = None) -> None:
    from dialogue.packs.tasks import render_stale_packs as render_stale_packs_task

    render_stale_packs_task.enqueue(
        meeting_id=meeting_id,
        countdown=live_delay() if countdown is None else countdown,
    )


def mark_packs_stale(
    meeting_id: int, *, delegation_ids: list[int] | None = None
) -> int:
    """Return how many packs were marked stale after an input change.

    Subscribed to dialogue.changes.inputs_changed (PacksConfig.ready): every
    pack of the meeting, or of these delegations only (every edition and their
    visa letters). Runs in the caller's transaction. Side effects: sets
    stale_since (kept when already set), changed_at and generation + 1 on those
    packs; when the meeting had no stale pack yet, queues one render_stale_packs
    task after commit, PACK_LIVE_DELAY seconds later (the task waits for the
    edits to stop, so a burst of edits gives one render per pack).
    """
    now = timezone.now()
    packs = Pack.objects.filter(meeting_id=meeting_id)
    if delegation_ids is not None:
        # The meeting's travel lists hold every delegation's lines.
        packs = packs.filter(
            Q(delegation_id__in=delegation_ids) | Q(delegation__isnull=True)
        )
    scheduled = Pack.objects.filter(
        meeting_id=meeting_id, stale_since__isnull=False
    ).exists()
    marked = packs.update(
        stale_since=Coalesce("stale_since", Value(now, output_field=DateTimeField())),
        changed_at=now,
        generation=F("generation") + 1,
    )
    if marked and not scheduled:
        _schedule(meeting_id)
    return marked


def settle_stale_mark(pack: Pack, generation: int) -> None:
    """Clear a pack's stale mark after a render or a fingerprint check that read
    its inputs at this generation; if a change came in since, queue another
    round. Side effects: updates the Pack row, or queues render_stale_packs."""
    current = Pack.objects.filter(pk=pack.pk, stale_since__isnull=False)
    if current.exclude(generation=generation).exists():
        _schedule(pack.meeting_id)
        return
    current.filter(generation=generation).update(stale_since=None)


def render_stale_packs(meeting_id: int, *, eager: bool = False) -> str:
    """Return what the coalesced re-render of a meeting's stale packs did:
    fresh (nothing stale), waiting (edits still arriving), queued, or gone.

    Waits until the last change is PACK_LIVE_DELAY seconds old (queues itself
    again for the rest; an eager run sleeps instead). Then the stale briefing
    packs go through queue_packs (an unchanged fingerprint skips the render)
    and stale visa letters through queue_visa_letter, stale travel lists
    through queue_list_packs, stale badge sheets through requeue_badge_sheets;
    a pack whose file turns
    out to match its inputs is no longer stale. Side effects: those of
    queue_packs and queue_visa_letter; clears stale marks.
    """
    stale = Pack.objects.filter(meeting_id=meeting_id, stale_since__isnull=False)
    last = stale.aggregate(last=Max("changed_at"))["last"]
    if last is None:
        return "fresh"
    wait = (last - timezone.now()).total_seconds() + live_delay()
    if wait > 0:
        if not eager:
            _schedule(meeting_id, countdown=wait)
            return "waiting"
        time.sleep(wait)
        return render_stale_packs(meeting_id, eager=eager)
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return "gone"
    rows = list(stale.values_list("pk", "generation", "kind", "delegation_id"))
    letters = [pk for pk, _g, kind, _d in rows if kind == Pack.Kind.VISA_LETTER]
    sheets = [pk for pk, _g, kind, _d in rows if kind == Pack.Kind.BADGES]
    lists = [pk for pk, _g, kind, _d in rows if kind in TRAVEL_LISTS]
    briefing = sorted({d for _p, _g, kind, d in rows if kind == Pack.Kind.BRIEFING})
    queued = set(
        queue_packs(meeting, delegation_ids=briefing, create=False).queued
        if briefing
        else []
    )
    queued |= _queue_stale_letters(letters)
    queued |= set(queue_list_packs(Pack.objects.filter(pk__in=lists), check=False))
    queued |= set(requeue_badge_sheets(sheets))
    for pk, generation, _kind, _delegation in rows:
        if pk not in queued:
            Pack.objects.filter(
                pk=pk, generation=generation, status=Pack.Status.READY
            ).update(stale_since=None)
    return "queued"


def _queue_stale_letters(pack_ids: list[int]) -> set[int]:
    from django.core.exceptions import ValidationError

    from delegations.selectors import delegate_with_delegation

    queued = set()
    for pack in Pack.objects.filter(pk__in=pack_ids):
        delegate = delegate_with_delegation(pack.delegate_id)
        if delegate is None:
            continue
        try:
            letter = queue_visa_letter(delegate)
        except ValidationError:  # no longer funded, or no passport: left as is
            continue
        if letter.status == Pack.Status.QUEUED:
            queued.add(letter.pk)
    return queued


def schedule_forgotten_stale_packs() -> list[int]:
    """Return the meetings whose stale packs were left waiting, queued again.

    A worker sweep: a re-render whose message was lost (a purged broker) would
    leave ready packs stale for ever. Side effects: queues render_stale_packs.
    """
    quiet = timezone.now() - datetime.timedelta(seconds=live_delay() + 30)
    meetings = sorted(
        set(
            Pack.objects.filter(
                stale_since__isnull=False,
                changed_at__lt=quiet,
                status=Pack.Status.READY,
            ).values_list("meeting_id", flat=True)
        )
    )
    for meeting_id in meetings:
        _schedule(meeting_id, countdown=0)
    return meetings


# Travel lists: the manifest, the rooming list, the transfer manifest ----------

LIST_LANGUAGES = ("en", "ru")
LIST_FORMATS = ("pdf", "xlsx")


@transaction.atomic
def queue_list_packs(packs, *, force: bool = False, check: bool = True) -> list[int]:
    """Return the ids of the travel-list packs queued for rendering.

    With check, a pack whose file matches its inputs is left ready (unless
    force); the content of a list is read once for both its formats. Without
    (the coalesced re-render after a change), each is queued at once and its
    worker's render_pack makes that check, in parallel: a list whose
    fingerprint did not change is then skipped there. A pack a live worker
    renders is left to it. Side effects: marks the others queued and queues
    one render_pack task each after commit.
    """
    from dialogue.packs.fingerprint import fingerprint
    from dialogue.packs.lists import list_content

    now = timezone.now()
    queued = []
    contents: dict[tuple, dict] = {}
    for pack in (
        Pack.objects.select_for_update()
        .filter(pk__in=[p.pk for p in packs], kind__in=TRAVEL_LISTS)
        .select_related("meeting")
        .order_by("kind", "delegation_id", "language", "file_format", "pk")
    ):
        if pack.status in (Pack.Status.QUEUED, Pack.Status.RENDERING) and not is_stale(
            pack, now=now
        ):
            continue
        if check and not force and pack.status == Pack.Status.READY:
            key = (pack.kind, pack.delegation_id, pack.language)
            if key not in contents:
                contents[key] = list_content(pack)
            wanted = fingerprint("travel_list", pack.file_format, contents[key])
            if pack.fingerprint == wanted and file_exists(pack):
                continue
        if force and pack.fingerprint:
            Pack.objects.filter(pk=pack.pk).update(fingerprint="")
        _mark_queued(pack, now)
        queued.append(pack.pk)
    # The manifest first: it is what the host's protocol waits for.
    manifests = _manifests(queued)
    queued.sort(key=lambda pk: pk not in manifests)
    _enqueue(queued)
    return queued


def _manifests(pack_ids: list[int]) -> set[int]:
    return set(
        Pack.objects.filter(pk__in=pack_ids, kind=Pack.Kind.MANIFEST).values_list(
            "pk", flat=True
        )
    )


def add_focal_manifests(
    meeting_id: int, *, delegation_ids: list[int] | None = None
) -> list[int]:
    """Return the ids of the focal points' manifests made for these delegations.

    Subscribed to dialogue.changes.focal_link_issued: once the meeting's lists
    are prepared, a focal point whose link is issued later gets its
    delegation's manifest too, without "Prepare the lists" again.
    One query when the meeting has no lists; runs in the caller's transaction.
    Side effects: creates the missing Pack rows (queued) and queues their
    renders after commit.
    """
    from delegations.selectors import delegations_with_focal_link

    meeting_lists = Pack.objects.filter(
        meeting_id=meeting_id, kind=Pack.Kind.MANIFEST, delegation__isnull=True
    )
    if not meeting_lists.exists():
        return []
    meeting = Meeting.objects.get(pk=meeting_id)
    wanted = set(delegations_with_focal_link(meeting))
    if delegation_ids is not None:
        wanted &= set(delegation_ids)
    have = set(
        Pack.objects.filter(
            meeting_id=meeting_id, kind=Pack.Kind.MANIFEST, delegation_id__in=wanted
        ).values_list("delegation_id", "language")
    )
    now = timezone.now()
    made = [
        Pack.objects.create(
            meeting_id=meeting_id,
            kind=Pack.Kind.MANIFEST,
            delegation_id=delegation_id,
            language=language,
            file_format=Pack.Format.PDF,
            status=Pack.Status.QUEUED,
            queued_at=now,
        ).pk
        for delegation_id in sorted(wanted)
        for language in LIST_LANGUAGES
        if (delegation_id, language) not in have
    ]
    _enqueue(made)
    return made


@transaction.atomic
def queue_travel_lists(meeting: Meeting, *, force: bool = False) -> list[int]:
    """Return the ids of the meeting's travel lists queued for rendering.

    Every list in EN and RU, as PDF and XLSX, and the manifest of each
    delegation whose focal point has a link (PDF, EN and RU: their link page
    offers it). From then on the lists follow their inputs (mark_packs_stale).
    Side effects: creates the missing Pack rows (queued), then queue_list_packs.
    """
    from delegations.selectors import delegations_with_focal_link

    wanted = [
        (kind, None, language, file_format)
        for kind in TRAVEL_LISTS
        for language in LIST_LANGUAGES
        for file_format in LIST_FORMATS
    ] + [
        (Pack.Kind.MANIFEST, delegation_id, language, Pack.Format.PDF)
        for delegation_id in delegations_with_focal_link(meeting)
        for language in LIST_LANGUAGES
    ]
    existing = {
        (p.kind, p.delegation_id, p.language, p.file_format): p
        for p in Pack.objects.select_for_update()
        .filter(meeting=meeting, kind__in=TRAVEL_LISTS)
        .order_by("pk")
    }
    now = timezone.now()
    fresh, others = [], []
    for key in wanted:
        pack = existing.get(key)
        if pack is not None:
            others.append(pack)
            continue
        kind, delegation_id, language, file_format = key
        fresh.append(
            Pack.objects.create(
                meeting=meeting,
                kind=kind,
                delegation_id=delegation_id,
                language=language,
                file_format=file_format,
                status=Pack.Status.QUEUED,
                queued_at=now,
            ).pk
        )
    _enqueue(fresh)
    return fresh + queue_list_packs(others, force=force)


# Badge sheets: the badges of a delegation, or of the whole meeting ------------


def _badge_fingerprint(pack: Pack) -> str:
    from dialogue.packs.inputs import pack_inputs

    return pack_inputs(pack).fingerprint


@transaction.atomic
def queue_badge_sheets(
    meeting: Meeting,
    *,
    delegation_ids: list[int] | None = None,
    whole_meeting: bool = False,
    force: bool = False,
) -> QueueResult:
    """Return which badge sheets were queued, skipped (up to date) or left to
    the worker rendering them.

    One sheet per delegation in delegation_ids (each with the delegation's
    active badges) and, with whole_meeting, one of every badge of the meeting.
    From then on the sheets follow their inputs: issuing or revoking a badge
    or a new photo marks them stale (dialogue.changes). Side effects: creates
    the missing Pack rows, marks the others queued and queues one render_pack
    task each after commit.
    """
    wanted = [(delegation_id, None) for delegation_id in delegation_ids or []]
    if whole_meeting:
        wanted.append((None, None))
    existing = {
        p.delegation_id: p
        for p in Pack.objects.select_for_update()
        .filter(meeting=meeting, kind=Pack.Kind.BADGES)
        .order_by("pk")  # no outer join to lock (see queue_packs)
    }
    result = QueueResult()
    now = timezone.now()
    for delegation_id, _unused in wanted:
        pack = existing.get(delegation_id)
        if pack is None:
            pack = Pack.objects.create(
                meeting=meeting,
                delegation_id=delegation_id,
                kind=Pack.Kind.BADGES,
                language=Pack.Language.BILINGUAL,
                file_format=Pack.Format.PDF,
                status=Pack.Status.QUEUED,
                queued_at=now,
            )
            result.queued.append(pack.pk)
            continue
        if pack.status in (Pack.Status.QUEUED, Pack.Status.RENDERING) and not is_stale(
            pack, now=now
        ):
            result.in_progress += 1
            continue
        if (
            not force
            and pack.status == Pack.Status.READY
            and pack.fingerprint == _badge_fingerprint(pack)
            and file_exists(pack)
        ):
            result.skipped += 1
            continue
        if force and pack.fingerprint:
            Pack.objects.filter(pk=pack.pk).update(fingerprint="")
        _mark_queued(pack, now)
        result.queued.append(pack.pk)
    _enqueue(result.queued)
    return result


def requeue_badge_sheets(pack_ids: list[int]) -> list[int]:
    """Return the stale badge sheets queued again (the coalesced re-render);
    each worker's render_pack skips a sheet whose fingerprint did not change.
    Side effects: marks them queued and queues their tasks after commit."""
    now = timezone.now()
    queued = []
    for pack in Pack.objects.filter(pk__in=pack_ids, kind=Pack.Kind.BADGES).order_by(
        "pk"
    ):
        if pack.status in (Pack.Status.QUEUED, Pack.Status.RENDERING) and not is_stale(
            pack, now=now
        ):
            continue
        _mark_queued(pack, now)
        queued.append(pack.pk)
    _enqueue(queued)
    return queued
