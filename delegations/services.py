"""Writes for delegations, delegates, travel and links.

Every rule lives here once; the admin, the import, the self-service form and the
management commands call these functions.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delegations.models import (
    AccessLink,
    Delegate,
    Delegation,
    FlightLeg,
    HotelStay,
    Passport,
    SelfServiceChange,
)
from delegations.tokens import new_token
from delegations.validators import normalise_phone
from dialogue.countries import country_name
from dialogue.models import Meeting

LINK_VALID_AFTER_MEETING = datetime.timedelta(days=30)
LINK_VALID_AFTER_ISSUE = datetime.timedelta(days=90)
QUOTA_ERROR_MARK = "funded quota exceeded"


class FundedQuotaExceeded(ValidationError):
    """Funding one more delegate would pass the delegation's quota."""


def quota_message(delegation: Delegation, funded_names: list[str]) -> str:
    return _(
        "%(delegation)s already has %(count)s funded delegate(s), its quota "
        "of %(quota)s: %(names)s. Unfund one of them first, or raise the quota."
    ) % {
        "delegation": delegation.name_en,
        "count": len(funded_names),
        "quota": delegation.funded_quota,
        "names": ", ".join(funded_names) or "-",
    }


def funded_names(delegation: Delegation, *, excluding: int | None = None) -> list:
    queryset = delegation.delegates.filter(funded=True).order_by("sort_order", "id")
    if excluding:
        queryset = queryset.exclude(pk=excluding)
    return list(queryset.values_list("name_latin", flat=True))


def explain_quota_error(exc: IntegrityError, delegation: Delegation) -> ValidationError:
    """Return the readable error for the database trigger's refusal, else re-raise."""
    if QUOTA_ERROR_MARK not in str(exc):
        raise exc
    return FundedQuotaExceeded(
        quota_message(delegation, funded_names(delegation)), code="funded_quota"
    )


def default_quota(kind: str) -> int:
    return Delegation.DEFAULT_QUOTA.get(kind, 0)


@transaction.atomic
def create_delegation(
    meeting: Meeting,
    *,
    kind: str,
    country_code: str = "",
    name_en: str = "",
    name_ru: str = "",
    funded_quota: int | None = None,
    **fields,
) -> Delegation:
    """Return a new delegation; State names come from the ISO catalogue if omitted.

    Side effects: inserts one Delegation row.
    """
    country_code = country_code.upper()
    delegation = Delegation(
        meeting=meeting,
        kind=kind,
        country_code=country_code,
        name_en=name_en or (country_name(country_code, "en") if country_code else ""),
        name_ru=name_ru or (country_name(country_code, "ru") if country_code else ""),
        funded_quota=default_quota(kind) if funded_quota is None else funded_quota,
        **fields,
    )
    delegation.full_clean()
    delegation.save()
    return delegation


def _lock_delegation(delegation_id: int) -> Delegation:
    return Delegation.objects.select_for_update().get(pk=delegation_id)


def check_funded_quota(delegate: Delegate) -> None:
    """Raise FundedQuotaExceeded if saving this delegate as funded passes the quota.

    Locks the delegation row, so concurrent callers are checked one at a time.
    """
    if not delegate.funded:
        return
    delegation = _lock_delegation(delegate.delegation_id)
    others = funded_names(delegation, excluding=delegate.pk)
    if len(others) + 1 > delegation.funded_quota:
        raise FundedQuotaExceeded(
            quota_message(delegation, others), code="funded_quota"
        )


@transaction.atomic
def save_delegate(delegate: Delegate, *, check_unique_email: bool = True) -> Delegate:
    """Return the delegate after validating and saving it.

    check_unique_email=False is for callers that have checked a whole batch of
    emails against the meeting at once (the import); the database still refuses a
    duplicate. Side effects: writes the Delegate row (and its history); refuses a
    funded delegate past the quota with FundedQuotaExceeded.
    """
    delegate.phone = normalise_phone(delegate.phone)
    # The meeting is the delegation's (no need to look it up again); set it so
    # that the unique email per meeting is checked here, not left to the database.
    delegate.meeting_id = delegate.delegation.meeting_id
    delegate.full_clean(exclude=["meeting"], validate_constraints=False)
    if check_unique_email:
        delegate.validate_constraints()
    check_funded_quota(delegate)
    try:
        with transaction.atomic():
            delegate.save()
    except IntegrityError as exc:
        raise explain_quota_error(exc, delegate.delegation) from None
    return delegate


@transaction.atomic
def mark_funded(delegate: Delegate, *, funded: bool = True) -> Delegate:
    """Return the delegate with its funded flag set, within the quota.

    Side effects: updates Delegate.funded; raises FundedQuotaExceeded at the quota.
    """
    delegate.funded = funded
    check_funded_quota(delegate)
    try:
        with transaction.atomic():
            delegate.save(update_fields=["funded"])
    except IntegrityError as exc:
        raise explain_quota_error(exc, delegate.delegation) from None
    return delegate


def validate_hotel_stay(stay: HotelStay) -> None:
    """Raise ValidationError if the stay overlaps another stay of the delegate."""
    if not (stay.delegate_id and stay.check_in and stay.check_out):
        return
    overlapping = (
        HotelStay.objects.filter(
            delegate_id=stay.delegate_id,
            check_in__lt=stay.check_out,
            check_out__gt=stay.check_in,
        )
        .exclude(pk=stay.pk)
        .first()
    )
    if overlapping:
        raise ValidationError(
            _("This stay overlaps the stay at %(hotel)s from %(start)s to %(end)s.")
            % {
                "hotel": overlapping.hotel_en,
                "start": overlapping.check_in,
                "end": overlapping.check_out,
            },
            code="overlap",
        )


@transaction.atomic
def save_flight_leg(leg: FlightLeg) -> FlightLeg:
    """Return the flight leg after validating and saving it (times in UTC).

    Side effects: writes the FlightLeg row (and its history); raises
    ValidationError for a bad airport, currency, or an arrival before departure.
    """
    leg.from_airport = leg.from_airport.upper()
    leg.to_airport = leg.to_airport.upper()
    leg.currency = leg.currency.upper()
    leg.full_clean()
    leg.save()
    return leg


# Links -------------------------------------------------------------------


def link_expiry(meeting: Meeting) -> datetime.datetime:
    """Return when a link issued now expires: 30 days after the meeting, but
    never sooner than 90 days after issue (a link reissued late still works)."""
    end = datetime.datetime.combine(meeting.end_date, datetime.time(23, 59))
    after_meeting = timezone.make_aware(end, meeting.tzinfo) + LINK_VALID_AFTER_MEETING
    return max(after_meeting, timezone.now() + LINK_VALID_AFTER_ISSUE)


def link_url(link: AccessLink) -> str:
    """Return the link's full URL. Raises ValueError when the token cannot be
    unsealed (LINK_TOKEN_KEYS lost the key it was sealed with)."""
    if link.token is None:
        raise ValueError(
            f"{link}: its token cannot be unsealed with LINK_TOKEN_KEYS or "
            "SECRET_KEY; reissue the link"
        )
    return f"{settings.SITE_URL}/l/{link.token}/"


@transaction.atomic
def issue_itinerary_link(
    target: Delegate | Delegation, *, reissue: bool = False
) -> AccessLink:
    """Return the active link of a delegate (or focal-point link of a delegation).

    With reissue, the active link is revoked and a new one made. Side effects:
    inserts an AccessLink, and with reissue revokes the old one.
    """
    is_delegate = isinstance(target, Delegate)
    lookup = {"delegate": target} if is_delegate else {"delegation": target}
    meeting = target.delegation.meeting if is_delegate else target.meeting
    active = (
        AccessLink.objects.select_for_update()
        .filter(revoked_at__isnull=True, **lookup)
        .first()
    )
    if active and not reissue and active.expires_at > timezone.now():
        return active
    if active:
        active.revoked_at = timezone.now()
        active.save(update_fields=["revoked_at"])
    return AccessLink.objects.create(
        kind=AccessLink.Kind.DELEGATE if is_delegate else AccessLink.Kind.FOCAL_POINT,
        token=new_token(),
        expires_at=link_expiry(meeting),
        **lookup,
    )


@transaction.atomic
def revoke_link(link: AccessLink) -> AccessLink:
    """Return the link, revoked from now on. Side effects: sets revoked_at."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def record_link_opened(link: AccessLink) -> None:
    """Note when a link was last opened (one UPDATE, no row lock)."""
    AccessLink.objects.filter(pk=link.pk).update(last_opened_at=timezone.now())


# Self-service ------------------------------------------------------------

SELF_SERVICE_FIELDS = ("phone", "dietary_needs", "accessibility_needs")
SELF_SERVICE_LANGUAGE = "preferred_language"
PASSPORT_FIELDS = ("number", "nationality", "date_of_birth", "issued_on", "expires_on")


def _shown(field: str, value) -> str:
    if value in (None, ""):
        return ""
    text = str(value)
    if field == "passport.number":
        return "•" * max(len(text) - 3, 0) + text[-3:]
    return text[:300]


@transaction.atomic
def update_own_details(
    delegate: Delegate, *, data: dict, changed_by: str
) -> list[SelfServiceChange]:
    """Return the changes recorded after a delegate or focal point edited details.

    data holds the self-service fields and, optionally, passport fields prefixed
    "passport_". Side effects: updates Delegate and Passport rows and records one
    SelfServiceChange per changed field (passport numbers masked).
    """
    delegate = Delegate.objects.select_for_update().get(pk=delegate.pk)
    changes = []
    for field in (*SELF_SERVICE_FIELDS, SELF_SERVICE_LANGUAGE):
        if field not in data:
            continue
        new = data[field] or ""
        if field == "phone":
            new = normalise_phone(new)
        old = getattr(delegate, field)
        if new != old:
            setattr(delegate, field, new)
            changes.append((field, old, new))
    if changes:
        delegate.full_clean(exclude=["meeting"])
        delegate.save()

    passport_data = {
        name: data[f"passport_{name}"]
        for name in PASSPORT_FIELDS
        if f"passport_{name}" in data
    }
    if passport_data.get("number"):
        passport = Passport.objects.filter(delegate=delegate).first() or Passport(
            delegate=delegate
        )
        for name, new in passport_data.items():
            old = getattr(passport, name) if passport.pk else None
            if new != old:
                setattr(passport, name, new)
                changes.append((f"passport.{name}", old, new))
        passport.full_clean()
        passport.save()

    return [
        SelfServiceChange.objects.create(
            delegate=delegate,
            changed_by=changed_by,
            field=field,
            old_value=_shown(field, old),
            new_value=_shown(field, new),
        )
        for field, old, new in changes
    ]


def link_recipient(link: AccessLink) -> tuple[str, str, str]:
    """Return (email, name, language) of the person a link is for."""
    if link.kind == AccessLink.Kind.DELEGATE:
        delegate = link.delegate
        return (
            delegate.email,
            delegate.name(delegate.preferred_language),
            (delegate.preferred_language),
        )
    delegation = link.delegation
    return (
        delegation.focal_point_email,
        delegation.focal_point_name,
        delegation.language,
    )


LINK_EMAIL = "access_link"


def _link_meeting_id(link: AccessLink) -> int:
    owner = link.delegate.delegation if link.delegate_id else link.delegation
    return owner.meeting_id


@transaction.atomic
def send_itinerary_link(link: AccessLink) -> bool:
    """Return True if the link was queued to be emailed to its person.

    Side effects: one outbox email, sent by a worker after commit in the
    person's language; the link's sent_at is set when it has gone out. Returns
    False, queuing nothing, when the person has no email address.
    """
    from dialogue.outbox.services import Recipient, queue_email

    email, _name, lang = link_recipient(link)
    if not email:
        return False
    queue_email(
        _link_meeting_id(link),
        kind=LINK_EMAIL,
        recipient=Recipient(object_id=link.pk, email=email, language=lang),
    )
    return True


def compose_link_email(link_id: int):
    """Return the email that gives a person their link, as it should go out now.

    Raises NotToBeSent when the link was revoked, expired or deleted, or the
    person has no email address any more.
    """
    from django.template.loader import render_to_string
    from django.utils import translation

    from dialogue.outbox.kinds import Composed, NotToBeSent

    link = (
        AccessLink.objects.select_related(
            "delegate__delegation__meeting", "delegation__meeting"
        )
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise NotToBeSent(_("The link no longer exists."))
    if link.revoked_at is not None or link.expires_at <= timezone.now():
        raise NotToBeSent(_("The link was revoked or has expired."))
    email, name, lang = link_recipient(link)
    if not email:
        raise NotToBeSent(_("The person has no email address."))
    meeting = (
        link.delegate.delegation if link.delegate_id else link.delegation
    ).meeting
    with translation.override(lang):
        context = {
            "name": name,
            "url": link_url(link),
            "meeting": meeting,
            "lang": lang,
        }
        subject = render_to_string("delegations/email/link_subject.txt", context)
        body = render_to_string("delegations/email/link_body.txt", context)
    return Composed(to=email, subject=" ".join(subject.split()), body=body)


def record_link_sent(link_id: int, sent_at: datetime.datetime) -> None:
    """Record that a link went out (called by the outbox, in its transaction)."""
    AccessLink.objects.filter(pk=link_id).update(sent_at=sent_at)
