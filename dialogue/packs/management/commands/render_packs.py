"""Queue the briefing packs whose inputs changed; optionally wait for them.

    python manage.py render_packs [--meeting SLUG] [--language en ...] [--force]
                                  [--wait [--timeout 600]]

Prints how many packs were queued and skipped (unchanged), and with --wait how
many were rendered and failed. Stale packs (a worker died mid-render) are
requeued first.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from dialogue.fonts import warm_fonts
from dialogue.models import Meeting
from dialogue.packs.models import Pack
from dialogue.packs.services import EDITIONS, queue_packs


class Command(BaseCommand):
    help = "Queue the changed briefing packs (EN, RU, bilingual), in batches."

    def add_arguments(self, parser):
        parser.add_argument("--meeting", help="slug or id (default: every meeting)")
        parser.add_argument(
            "--language", action="append", choices=EDITIONS, help="repeatable"
        )
        parser.add_argument(
            "--force", action="store_true", help="render even unchanged packs"
        )
        parser.add_argument(
            "--wait", action="store_true", help="wait until the queued packs finish"
        )
        parser.add_argument("--timeout", type=float, default=600.0)

    def handle(self, *args, meeting=None, language=None, force=False, **options):
        meetings = Meeting.objects.all()
        if meeting:
            lookup = {"pk": meeting} if meeting.isdigit() else {"slug": meeting}
            meetings = meetings.filter(**lookup)
            if not meetings:
                raise CommandError(f"--meeting: no meeting {meeting!r}")
        started = time.monotonic()
        warm_fonts()  # shared with workers on this host through var/font-cache
        queued, skipped, busy = [], 0, 0
        for item in meetings:
            result = queue_packs(
                item, languages=tuple(language or EDITIONS), force=force
            )
            queued += result.queued
            skipped += result.skipped
            busy += result.in_progress
        self.stdout.write(
            f"queued {len(queued)}, skipped {skipped} (unchanged), in progress {busy}"
        )
        if options["wait"] and queued:
            self.wait(queued, options["timeout"], started)

    def wait(self, pack_ids, timeout, started):
        deadline = time.monotonic() + timeout
        packs = Pack.objects.filter(pk__in=pack_ids)
        while time.monotonic() < deadline:
            open_ = packs.filter(status__in=[Pack.Status.QUEUED, Pack.Status.RENDERING])
            if not open_.exists():
                break
            time.sleep(0.2)
        else:
            raise CommandError(
                f"--wait: {packs.exclude(status__in=['ready', 'failed']).count()} "
                f"pack(s) not finished after {timeout:.0f} s; is a worker running?"
            )
        ready = packs.filter(status=Pack.Status.READY).count()
        failed = packs.filter(status=Pack.Status.FAILED)
        self.stdout.write(
            f"rendered {ready}, failed {failed.count()} "
            f"in {time.monotonic() - started:.1f} s"
        )
        for pack in failed:
            self.stderr.write(f"failed: {pack}: {pack.error.splitlines()[0][:200]}")
