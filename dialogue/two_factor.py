"""Staff second factor: enrol an authenticator app, recovery codes, reset."""

from base64 import b32encode
from dataclasses import dataclass

from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


@dataclass(frozen=True)
class Enrollment:
    config_url: str  # otpauth://... for the authenticator app (or its QR code)
    secret: str  # the same key in base32, for typing into an app by hand
    recovery_codes: list[str]


class AlreadyEnrolled(Exception):
    """The account has a device; reset it on purpose (a lost phone)."""


def has_device(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


@transaction.atomic
def enroll_staff_device(user, *, reset: bool = False) -> Enrollment:
    """Return a new authenticator key and recovery codes for a staff account.

    Side effects: with reset, deletes the account's devices first (a lost
    phone: the old codes stop working at once); creates one confirmed TOTP
    device and one set of single-use recovery codes. Raises AlreadyEnrolled
    when the account has a device and reset is off.
    """
    if has_device(user):
        if not reset:
            raise AlreadyEnrolled(user.get_username())
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    totp = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    recovery = StaticDevice.objects.create(
        user=user, name="recovery codes", confirmed=True
    )
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        StaticToken(device=recovery, token=code) for code in codes
    )
    return Enrollment(
        config_url=totp.config_url,
        secret=b32encode(totp.bin_key).decode(),
        recovery_codes=codes,
    )


def staff_without_device(user_model) -> list[str]:
    """Return the usernames of active staff who cannot log in yet."""
    with_device = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True)
    )
    return sorted(
        user.get_username()
        for user in user_model.objects.filter(is_staff=True, is_active=True)
        if user.pk not in with_device
    )
