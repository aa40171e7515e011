import datetime
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from dialogue.models import Meeting
from dialogue.timefmt import format_datetime

# The fixture's meeting (fixtures/ashgabat_2017.json).
DEMO_MEETING = "ashgabat-2017"


class Command(BaseCommand):
    help = (
        "Load the 2017 Ashgabat fixture unless a meeting exists, and make sure an "
        "admin account exists. Safe to run again: existing data is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if Meeting.objects.exists():
            self.stdout.write("Meeting data present: kept as it is.")
        else:
            call_command("loaddata", "ashgabat_2017", verbosity=0)
            self.stdout.write("Loaded the 2017 Ashgabat Dialogue (ashgabat_2017).")

        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = user_model.objects.create_superuser(
                username=username, email="admin@localhost", password=password
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Admin account created. Username: {username}  Password: {password}"
                )
            )
        else:
            self.stdout.write(
                f"Admin account {username!r} exists (its password was printed when "
                f"it was created; reset it with: manage.py changepassword {username})."
            )
        for name in ("Secretariat", "Drafters"):
            group = Group.objects.filter(name=name).first()
            if group is not None:
                user.groups.add(group)
        self.open_version_for_comments(user)

    def open_version_for_comments(self, user):
        """Circulate the 2017 declaration's draft version 2, once, with a deadline
        two weeks ahead, so a newcomer can comment (the fixture stays as it was
        in 2017, when version 1's deadline passed). Through the circulation
        service: each focal point's email goes to the outbox, and a worker
        sends it (to the console in the demo)."""
        from declaration.models import Version
        from declaration.services import circulate_version

        draft = (
            Version.objects.filter(
                declaration__meeting__slug=DEMO_MEETING,
                number=2,
                status=Version.Status.DRAFT,
            )
            .select_related("declaration__meeting")
            .first()
        )
        if draft is None:
            self.stdout.write("Declaration: no draft version 2 to circulate; kept.")
            return
        meeting = draft.declaration.meeting
        in_two_weeks = timezone.localtime(
            timezone.now() + datetime.timedelta(days=14), meeting.tzinfo
        )
        deadline = in_two_weeks.replace(hour=18, minute=0, second=0, microsecond=0)
        circulate_version(draft, deadline=deadline, by=user)
        self.stdout.write(
            f"Circulated version 2 of the declaration for comments until "
            f"{format_datetime(deadline, meeting)}; the focal points' emails are "
            "in the outbox."
        )
