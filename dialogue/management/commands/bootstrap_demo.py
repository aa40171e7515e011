import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from dialogue.models import Meeting


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
