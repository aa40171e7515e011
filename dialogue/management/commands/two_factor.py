"""Enrol or reset a staff member's second factor; list who has none.

    manage.py two_factor enroll USERNAME     # a new account
    manage.py two_factor reset USERNAME      # a lost phone: old codes stop working
    manage.py two_factor status              # staff who cannot log in yet

Prints the otpauth:// address (paste it into, or make a QR code of it for, an
authenticator app), the key in base32, and ten single-use recovery codes. They
are shown once: keep them somewhere safe.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dialogue.two_factor import (
    AlreadyEnrolled,
    enroll_staff_device,
    staff_without_device,
)


class Command(BaseCommand):
    help = "Enrol or reset a staff member's authenticator app and recovery codes."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["enroll", "reset", "status"])
        parser.add_argument("username", nargs="?")

    def handle(self, *args, action, username, **options):
        user_model = get_user_model()
        if action == "status":
            missing = staff_without_device(user_model)
            for name in missing:
                self.stdout.write(f"no second factor: {name}")
            if not missing:
                self.stdout.write("every active staff account has a second factor")
            return
        if not username:
            raise CommandError(f"{action}: give the username")
        user = user_model.objects.filter(
            **{user_model.USERNAME_FIELD: username}
        ).first()
        if user is None:
            raise CommandError(f"{action}: no account {username!r}")
        if not user.is_staff:
            raise CommandError(f"{action}: {username!r} is not a staff account")
        try:
            enrollment = enroll_staff_device(user, reset=action == "reset")
        except AlreadyEnrolled:
            raise CommandError(
                f"enroll: {username!r} already has a second factor; "
                f"use `two_factor reset {username}` if the phone is lost"
            ) from None
        self.stdout.write(f"otpauth: {enrollment.config_url}")
        self.stdout.write(f"key: {enrollment.secret}")
        self.stdout.write("recovery codes (each works once):")
        for code in enrollment.recovery_codes:
            self.stdout.write(f"  {code}")
