from django.core.management.base import BaseCommand, CommandError

from delegations.models import Delegate, Delegation
from delegations.services import issue_itinerary_link, link_url
from dialogue.models import Meeting


class Command(BaseCommand):
    help = (
        "Print one line per delegate (or per delegation with --focal-points): "
        "the email, a tab, then the full link. Issues missing links; --reissue "
        "replaces every link (the old ones stop working)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--meeting", help="meeting slug (default: the latest)")
        parser.add_argument("--focal-points", action="store_true")
        parser.add_argument("--reissue", action="store_true")

    def handle(self, *args, meeting=None, focal_points=False, reissue=False, **opts):
        meetings = Meeting.objects.all()
        chosen = meetings.filter(slug=meeting).first() if meeting else meetings.first()
        if chosen is None:
            raise CommandError(
                f"--meeting: no meeting with slug {meeting!r}"
                if meeting
                else "no meeting in the database"
            )
        if focal_points:
            targets = Delegation.objects.filter(meeting=chosen).order_by(
                "sort_order", "name_en"
            )
            email_of = lambda d: d.focal_point_email  # noqa: E731
        else:
            targets = Delegate.objects.filter(meeting=chosen).select_related(
                "delegation"
            )
            email_of = lambda d: d.email  # noqa: E731
        for target in targets:
            link = issue_itinerary_link(target, reissue=reissue)
            self.stdout.write(f"{email_of(target)}\t{link_url(link)}")
