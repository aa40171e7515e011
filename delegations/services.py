"""Writes for delegations, delegates, travel and links.

Every rule lives here once; the admin, the import, the self-service form and the
management commands call these functions.
"""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from delegations.models import (
    AccessLink,
    Accreditation,
    Delegate,
    Delegation,
    FlightLeg,
    GroundTransfer,
    HotelStay,
    Passport,
    SelfServiceChange,
)
from delegations.tokens import new_token
from delegations.validators import airports, normalise_phone
from dialogue.changes import focal_link_issued, inputs_changed
from dialogue.conflicts import retry_on_write_conflict
from dialogue.countries import country_name
from dialogue.models import Meeting

LINK_VALID_AFTER_MEETING = datetime.timedelta(days=30)
LINK_VALID_AFTER_ISSUE = datetime.timedelta(days=90)
QUOTA_ERROR_MARK = "funded quota exceeded"
# The check on the delegation row (migrations/0007), as SQLite names it.
QUOTA_CONSTRAINT = "delegation_funded_within_quota"
# Names of the database's own refusals (delegations/models.py, migrations/0006),
# found in the IntegrityError's text on SQLite and PostgreSQL alike.
EMAIL_CONSTRAINT = "delegate_unique_email_per_meeting"
HOTEL_OVERLAP_CONSTRAINT = "hotelstay_no_overlap"


class FundedQuotaExceeded(ValidationError):
    """Funding one more delegate would pass the delegation's quota."""


class FundedQuotaConflict(FundedQuotaExceeded):
    """Another transaction changed the delegation's funding at the same moment."""


def explain_quota_conflict(delegation_id: int) -> FundedQuotaConflict:
    """Return the error for a write the database could not serialize.

    A FundedQuotaExceeded, so that every caller showing the quota's message
    shows this one too.
    """
    delegation = Delegation.objects.get(pk=delegation_id)
    return FundedQuotaConflict(
        _(
            "%(delegation)s was changed by someone else at the same moment, so "
            "nothing was saved. Its quota is %(quota)s; funded: %(names)s. "
            "Try again."
        )
        % {
            "delegation": delegation.localised_name,
            "quota": delegation.funded_quota,
            "names": ", ".join(funded_names(delegation)) or "-",
        },
        code="concurrent_change",
    )


# Outside a transaction these services start again (dialogue.conflicts).
retry_delegate_write = retry_on_write_conflict(
    explain=lambda delegate, *args, **kwargs: explain_quota_conflict(
        delegate.delegation_id
    )
)


def quota_message(delegation: Delegation, funded_names: list[str]) -> str:
    return ngettext(
        "%(delegation)s already has %(count)s funded delegate, its quota "
        "of %(quota)s: %(names)s. Unfund them first, or raise the quota.",
        "%(delegation)s already has %(count)s funded delegates, its quota "
        "of %(quota)s: %(names)s. Unfund one of them first, or raise the quota.",
        len(funded_names),
    ) % {
        "delegation": delegation.localised_name,
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
    if QUOTA_ERROR_MARK not in str(exc) and QUOTA_CONSTRAINT not in str(exc):
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


def _stored_others(queryset, listed):
    """Return the stored rows except those a caller saves or deletes now."""
    return list(queryset.exclude(pk__in=[item.pk for item in listed if item.pk]))


def check_funded_quota(
    delegate: Delegate,
    *,
    alongside: Sequence[Delegate] = (),
    removed: Sequence[Delegate] = (),
    delegation: Delegation | None = None,
    stored_funded: Sequence[Delegate] | None = None,
) -> None:
    """Raise FundedQuotaExceeded if saving this delegate as funded passes the quota.

    alongside are the other delegates saved together with it (the rows of a
    delegation's list), counted as they will be saved; removed are deleted in
    the same save and count for nothing. delegation is the delegation as it
    will be saved (a form that also changes the quota); by default it is read
    from the database. Locks the delegation row, so concurrent callers are
    checked one at a time (the database trigger refuses whatever gets past).

    stored_funded are the delegation's funded delegates as the caller read them
    under that lock, earlier in its transaction (FundedLedger: an import checks
    thousands of rows against a few delegations); then nothing is read here.
    """
    if not delegate.funded:
        return
    listed = [delegate, *alongside, *removed]
    if stored_funded is not None:
        # Nothing to read, so no savepoint either (thousands of rows).
        listed_pks = {item.pk for item in listed if item.pk}
        stored = [d for d in stored_funded if d.pk not in listed_pks]
        _refuse_past_quota(
            delegate, alongside, delegation or delegate.delegation, stored
        )
        return
    with transaction.atomic():
        if delegation is None:
            delegation = _lock_delegation(delegate.delegation_id)
        elif delegation.pk:
            _lock_delegation(delegation.pk)
        stored = (
            _stored_others(delegation.delegates.filter(funded=True), listed)
            if delegation.pk
            else []
        )
        _refuse_past_quota(delegate, alongside, delegation, stored)


def _refuse_past_quota(delegate, alongside, delegation, stored) -> None:
    """The rule of check_funded_quota, given the stored funded others."""
    others = stored + [d for d in alongside if d.funded and d is not delegate]
    if len(others) + 1 > delegation.funded_quota:
        others.sort(key=lambda d: (d.sort_order, d.pk is None, d.pk or 0))
        raise FundedQuotaExceeded(
            quota_message(delegation, [d.name_latin for d in others]),
            code="funded_quota",
        )


def email_clash_message(other: Delegate) -> str:
    return _("%(name)s (%(delegation)s) already has this email at this meeting.") % {
        "name": other.name_latin,
        "delegation": other.delegation.localised_name,
    }


def check_unique_email(
    delegate: Delegate,
    *,
    alongside: Sequence[Delegate] = (),
    removed: Sequence[Delegate] = (),
) -> None:
    """Raise ValidationError at the email if another delegate of the meeting has it.

    Emails differing only in case are the same email. The stored delegates are
    compared through the database's LOWER(), as its unique index
    delegate_unique_email_per_meeting does, so what passes here is what the
    index accepts; alongside (delegates saved in the same list) are compared
    among themselves in Python, which folds at least as much as any database.
    """
    if not delegate.email:
        return
    listed = [delegate, *alongside, *removed]
    stored = (
        Delegate.objects.alias(email_key=Lower("email"))
        .filter(
            meeting_id=delegate.delegation.meeting_id,
            email_key=Lower(Value(delegate.email)),
        )
        .exclude(pk__in=[item.pk for item in listed if item.pk])
        .select_related("delegation")
        .first()
    )
    other = stored or next(
        (
            d
            for d in alongside
            if d is not delegate and d.email.lower() == delegate.email.lower()
        ),
        None,
    )
    if other is not None:
        raise ValidationError(
            {"email": ValidationError(email_clash_message(other), code="unique_email")}
        )


def validate_delegate(
    delegate: Delegate,
    *,
    check_email: bool = True,
    ledger: "FundedLedger | None" = None,
) -> None:
    """Raise ValidationError (by field) unless the delegate may be saved as it is.

    Normalises the phone and sets the meeting from the delegation on the way.
    Raises FundedQuotaExceeded past the quota (after the other checks passed).

    With a ledger (a caller validating many delegates in one transaction, the
    import) the delegation is the one the caller read from the database, so it
    is not looked up again, and the quota is checked against the ledger's
    funded places, read once per delegation under its lock.
    """
    delegate.phone = normalise_phone(delegate.phone)
    # The meeting is the delegation's (no need to look it up again).
    delegate.meeting_id = delegate.delegation.meeting_id
    # The unique email is checked by check_unique_email, which names the other
    # delegate; validate_constraints would only say that one exists.
    exclude = ["meeting", "delegation"] if ledger is not None else ["meeting"]
    delegate.full_clean(exclude=exclude, validate_constraints=False)
    if check_email:
        check_unique_email(delegate)
    if ledger is not None:
        ledger.check(delegate)
    else:
        check_funded_quota(delegate)


class FundedLedger:
    """The funded places of delegations, for one transaction that checks and
    then writes many delegates at once (the import's bulk mode).

    A delegation is locked and its funded delegates read the first time a
    funded delegate of it is checked (one query each, whatever the number of
    rows); the delegates accepted since (accept) count as they will be saved,
    as check_funded_quota's alongside. The rule itself stays in
    check_funded_quota; the database trigger still backs it.
    """

    def __init__(self) -> None:
        self._locked: dict[int, Delegation] = {}
        self._stored: dict[int, list[Delegate]] = {}
        self._accepted: dict[int, list[Delegate]] = {}

    def _read(self, delegation_id: int) -> None:
        if delegation_id not in self._locked:
            # Its quota as it is now, under the lock, then its funded delegates.
            self._locked[delegation_id] = _lock_delegation(delegation_id)
            self._stored[delegation_id] = list(
                Delegate.objects.filter(delegation_id=delegation_id, funded=True)
            )

    def check(self, delegate: Delegate, *, alongside: Sequence[Delegate] = ()) -> None:
        """Raise FundedQuotaExceeded as check_funded_quota would, with the
        delegates accepted so far (and alongside) saved with this one."""
        if not delegate.funded or not delegate.delegation_id:
            return
        self._read(delegate.delegation_id)
        accepted = self._accepted.get(delegate.delegation_id, [])
        check_funded_quota(
            delegate,
            alongside=[*accepted, *alongside],
            delegation=self._locked[delegate.delegation_id],
            stored_funded=self._stored[delegate.delegation_id],
        )

    def accept(self, delegate: Delegate) -> None:
        """Count the delegate as it will be saved in the checks that follow.

        Only the funded, and the stored ones (which may give up a funded place
        they hold), can change a count: a new unfunded delegate is not kept.
        """
        if delegate.delegation_id and (delegate.funded or delegate.pk is not None):
            self._accepted.setdefault(delegate.delegation_id, []).append(delegate)


def documents_changed(
    delegation_id: int | None, *, whole_meeting: bool = False
) -> None:
    """Tell the documents made from a delegation (its packs), or from its whole
    meeting, that an input changed (dialogue.changes; packs re-render them)."""
    meeting_id = (
        Delegation.objects.filter(pk=delegation_id)
        .values_list("meeting_id", flat=True)
        .first()
    )
    inputs_changed(
        meeting_id, delegation_ids=None if whole_meeting else [delegation_id]
    )


def _save_delegate_row(delegate: Delegate, **kwargs) -> None:
    try:
        with transaction.atomic():
            delegate.save(**kwargs)
            # Names and positions are in every pack's list of participants.
            documents_changed(delegate.delegation_id, whole_meeting=True)
    except IntegrityError as exc:
        if EMAIL_CONSTRAINT in str(exc):
            # A concurrent writer took the email after check_unique_email ran.
            raise ValidationError(
                {
                    "email": ValidationError(
                        _("Another delegate of this meeting has this email."),
                        code="unique_email",
                    )
                }
            ) from None
        raise explain_quota_error(exc, delegate.delegation) from None


@retry_delegate_write
@transaction.atomic
def save_delegate(delegate: Delegate, *, check_unique_email: bool = True) -> Delegate:
    """Return the delegate after validating and saving it.

    check_unique_email=False is for callers that have checked a whole batch of
    emails against the meeting at once (the import); the database still refuses a
    duplicate. Side effects: writes the Delegate row (and its history); refuses a
    funded delegate past the quota with FundedQuotaExceeded, and an email another
    delegate of the meeting has (in any case) with a ValidationError at "email".
    """
    validate_delegate(delegate, check_email=check_unique_email)
    _save_delegate_row(delegate)
    return delegate


class BulkRefusal(Exception):
    """The database refused delegates that had passed the checks (a concurrent
    writer took an email or a funded place since): refusals holds each refused
    delegate with its ValidationError, by field."""

    def __init__(self, refusals: list[tuple[Delegate, ValidationError]]):
        super().__init__(f"{len(refusals)} delegate(s) refused")
        self.refusals = refusals


# The columns an update writes: all but the id and the accreditation, which
# only the accreditation services move.
BULK_UPDATE_FIELDS = [
    field
    for field in Delegate._meta.concrete_fields
    if not field.primary_key and field.name != "accreditation"
]
UPDATE_BATCH = 500


def _update_rows(delegates: Sequence[Delegate]) -> None:
    """UPDATE the delegates' rows, a batch per statement, from a VALUES list.

    Django's bulk_update builds a CASE per column per row in Python (about 5 ms
    a row); this is the same write, read by PostgreSQL and SQLite alike.
    """
    from django.db import connection

    quote = connection.ops.quote_name
    table = quote(Delegate._meta.db_table)
    names = [quote("id"), *(quote(f.column) for f in BULK_UPDATE_FIELDS)]
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    row_sql = "(" + ", ".join(["%s"] * len(names)) + ")"
    for start in range(0, len(delegates), UPDATE_BATCH):
        batch = delegates[start : start + UPDATE_BATCH]
        params = []
        for delegate in batch:
            params.append(delegate.pk)
            for field in BULK_UPDATE_FIELDS:
                params.append(
                    field.get_db_prep_save(
                        getattr(delegate, field.attname), connection=connection
                    )
                )
        # Only quoted names of the model's own columns are formatted in; every
        # value is a parameter.
        values = ", ".join([row_sql] * len(batch))
        sql = (
            f"WITH v({', '.join(names)}) AS (VALUES {values}) "  # noqa: S608
            f"UPDATE {table} SET {assignments} FROM v "
            f"WHERE {table}.{quote('id')} = v.{quote('id')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@transaction.atomic
def write_validated_delegates(
    new: Sequence[Delegate], changed: Sequence[Delegate] = ()
) -> None:
    """Write delegates that passed validate_delegate (with a FundedLedger), in
    a few statements: an INSERT for the new ones and an UPDATE for the changed,
    each with its history rows (the history user is each delegate's
    _history_user, as in a save); then tell the documents once per meeting.

    Side effects: writes the Delegate rows and their histories. If the database
    refuses the batch, the delegates are saved one by one, each in its own
    savepoint, so that each refusal names its delegate, and BulkRefusal is
    raised with them (the caller's transaction is to be rolled back).
    """
    from simple_history.utils import bulk_create_with_history

    new, changed = list(new), list(changed)
    if not new and not changed:
        return
    try:
        with transaction.atomic():
            if new:
                bulk_create_with_history(new, Delegate)
            if changed:
                _update_rows(changed)
                Delegate.history.bulk_history_create(changed, update=True)
    except IntegrityError:
        for delegate in new:  # the rolled back INSERT may have numbered some
            delegate.pk = None
            delegate._state.adding = True
        refusals = []
        for delegate in [*new, *changed]:
            try:
                _save_delegate_row(delegate)
            except ValidationError as exc:
                refusals.append((delegate, exc))
        if refusals:
            raise BulkRefusal(refusals) from None
        return  # saved one by one after all (and told the documents)
    # Names and positions are in every pack's list of participants.
    for meeting_id in sorted({d.meeting_id for d in [*new, *changed]}):
        inputs_changed(meeting_id)


@retry_on_write_conflict(
    explain=lambda delegation, *args, **kwargs: explain_quota_conflict(delegation.pk)
)
@transaction.atomic
def save_delegates(
    delegation: Delegation,
    delegates: Sequence[Delegate],
    *,
    removed: Sequence[Delegate] = (),
) -> list[Delegate]:
    """Return a delegation's list of delegates, saved together (the admin inline).

    Side effects: deletes the removed delegates, then saves the others through
    save_delegate, the unfunded first, so that a place or an address that one
    row gives up can be taken by another; any refusal (ValidationError,
    FundedQuotaExceeded) rolls back the whole list.
    """
    _lock_delegation(delegation.pk)
    for delegate in removed:
        _delete_delegate(delegate)
    if removed:
        documents_changed(delegation.pk, whole_meeting=True)
    for delegate in delegates:
        delegate.delegation = delegation
    _save_in_passes(sorted(delegates, key=lambda d: d.funded), save_delegate)
    return list(delegates)


def _save_in_passes(items: Sequence, save) -> None:
    """Save each item; one refused only because of another item's stored row
    (a place, an address or dates it gives up) is tried again after the others.

    Each save is its own savepoint, so a refused attempt leaves nothing. When a
    pass saves nothing, the first refusal stands (a true clash, or a swap that
    no order can make).
    """
    pending = list(items)
    while pending:
        refused = []
        for item in pending:
            try:
                with transaction.atomic():
                    save(item)
            except ValidationError as error:
                refused.append((item, error))
        if len(refused) == len(pending):
            raise refused[0][1]
        pending = [item for item, _error in refused]


@retry_delegate_write
@transaction.atomic
def mark_funded(delegate: Delegate, *, funded: bool = True) -> Delegate:
    """Return the delegate with its funded flag set, within the quota.

    Side effects: updates Delegate.funded; raises FundedQuotaExceeded at the quota.
    """
    delegate.funded = funded
    check_funded_quota(delegate)
    _save_delegate_row(delegate, update_fields=["funded"])
    return delegate


def validate_hotel_stay(
    stay: HotelStay,
    *,
    alongside: Sequence[HotelStay] = (),
    removed: Sequence[HotelStay] = (),
) -> None:
    """Raise ValidationError at check-in if the stay overlaps another stay of the
    delegate, naming that stay's hotel and dates.

    alongside are the delegate's other stays saved together with it (the rows
    of the admin inline), compared as they will be saved; removed are deleted in
    the same save. A stay may start on the day the previous one ends.
    """
    if not (stay.check_in and stay.check_out):
        return  # the field errors say what is missing
    stored = (
        _stored_others(
            HotelStay.objects.filter(delegate_id=stay.delegate_id),
            [stay, *alongside, *removed],
        )
        if stay.delegate_id
        else []  # a delegate being added has only the stays given with it
    )
    candidates = stored + [other for other in alongside if other is not stay]
    overlapping = sorted(
        (
            other
            for other in candidates
            if other.check_in
            and other.check_out
            and other.check_in < stay.check_out
            and other.check_out > stay.check_in
        ),
        key=lambda other: other.check_in,
    )
    if overlapping:
        raise ValidationError({"check_in": _overlap_error(overlapping[0])})


def _overlap_error(other: HotelStay) -> ValidationError:
    return ValidationError(
        _("This stay overlaps the stay at %(hotel)s from %(start)s to %(end)s.")
        % {"hotel": other.hotel_en, "start": other.check_in, "end": other.check_out},
        code="overlap",
    )


@transaction.atomic
def save_hotel_stay(stay: HotelStay) -> HotelStay:
    """Return the hotel stay after validating and saving it.

    Side effects: writes the HotelStay row (and its history). Raises
    ValidationError (by field) for a check-out not after check-in, or a stay
    that overlaps another stay of the delegate (naming it); the database
    refuses an overlap too (delegations/migrations/0006), so a concurrent
    writer gets the same refusal.
    """
    stay.full_clean()
    validate_hotel_stay(stay)
    try:
        with transaction.atomic():
            stay.save()
            documents_changed(stay.delegate.delegation_id)
    except IntegrityError as exc:
        if HOTEL_OVERLAP_CONSTRAINT not in str(exc):
            raise
        stored = (
            HotelStay.objects.filter(
                delegate_id=stay.delegate_id,
                check_in__lt=stay.check_out,
                check_out__gt=stay.check_in,
            )
            .exclude(pk=stay.pk)
            .first()
        )
        if stored is None:  # it went again meanwhile: say what the database said
            raise
        raise ValidationError({"check_in": _overlap_error(stored)}) from None
    return stay


@transaction.atomic
def save_hotel_stays(
    delegate: Delegate,
    stays: Sequence[HotelStay],
    *,
    removed: Sequence[HotelStay] = (),
) -> list[HotelStay]:
    """Return a delegate's hotel stays saved together (the admin inline).

    Side effects: deletes the removed stays, then saves each of the others
    through save_hotel_stay, earliest first, a stay that takes dates another
    one leaves after that one; any refusal rolls back the list.
    """
    for stay in removed:
        stay.delete()
    if removed:
        documents_changed(delegate.delegation_id)
    for stay in stays:
        stay.delegate = delegate
    _save_in_passes(sorted(stays, key=lambda item: item.check_in), save_hotel_stay)
    return list(stays)


# A flight this far from the meeting is a mistyped year, not a journey to it.
FLIGHT_WINDOW = datetime.timedelta(days=366)


def check_flight_times(leg: FlightLeg) -> None:
    """Raise ValidationError when the leg's UTC times cannot be a flight to the
    meeting: arriving before it departs once both local times are in UTC, or
    departing more than a year away from the meeting's dates.

    The database holds the first (flight_arrives_after_departure); this says
    it with the times, keyed by the model field (arrives_at, departs_at).
    """
    if not (leg.departs_at and leg.arrives_at):
        return
    errors = {}
    if leg.arrives_at <= leg.departs_at:
        errors["arrives_at"] = _(
            "The flight arrives before it departs once both local times "
            "are converted to UTC (%(dep)s → %(arr)s UTC)."
        ) % {
            "dep": leg.departs_at.strftime("%Y-%m-%d %H:%M"),
            "arr": leg.arrives_at.strftime("%Y-%m-%d %H:%M"),
        }
    try:
        delegate = leg.delegate  # unsaved while its admin add page is checked
    except FlightLeg.delegate.RelatedObjectDoesNotExist:
        delegate = None
    if delegate is not None and delegate.meeting_id:
        meeting = delegate.meeting
        first = datetime.datetime.combine(meeting.start_date, datetime.time.min)
        last = datetime.datetime.combine(meeting.end_date, datetime.time.max)
        departs = leg.departs_at.astimezone(meeting.tzinfo).replace(tzinfo=None)
        if not first - FLIGHT_WINDOW <= departs <= last + FLIGHT_WINDOW:
            shown = leg.departs_at
            if leg.from_airport.upper() in airports():
                shown = shown.astimezone(leg.departure_zone)  # the ticket's date
            errors["departs_at"] = _(
                "The flight departs on %(date)s, more than a year from the "
                "meeting (%(start)s to %(end)s): check the year."
            ) % {
                "date": shown.strftime("%Y-%m-%d"),
                "start": meeting.start_date.isoformat(),
                "end": meeting.end_date.isoformat(),
            }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_flight_leg(leg: FlightLeg) -> FlightLeg:
    """Return the flight leg after validating and saving it (times in UTC).

    Side effects: writes the FlightLeg row (and its history); raises
    ValidationError for a bad airport, currency, an arrival before departure
    or a date far from the meeting (check_flight_times).
    """
    leg.from_airport = leg.from_airport.upper()
    leg.to_airport = leg.to_airport.upper()
    leg.currency = leg.currency.upper()
    check_flight_times(leg)
    leg.full_clean()
    _record_first_schedule(leg)
    leg.save()
    documents_changed(leg.delegate.delegation_id)
    return leg


def _record_first_schedule(leg: FlightLeg) -> None:
    """Give a stored leg with no history (loaded by loaddata or SQL, not these
    services) a first history row of its stored values before it changes, so
    the manifest can say "Changed: was ..." for the first edit too."""
    if leg.pk is None or FlightLeg.history.filter(id=leg.pk).exists():
        return
    stored = FlightLeg.objects.filter(pk=leg.pk).first()
    if stored is not None:
        FlightLeg.history.bulk_history_create([stored])


@transaction.atomic
def save_flight_legs(
    delegate: Delegate,
    legs: Sequence[FlightLeg],
    *,
    removed: Sequence[FlightLeg] = (),
) -> list[FlightLeg]:
    """Return a delegate's flight legs saved together (the admin inline).

    Side effects: deletes the removed legs, then saves each of the others
    through save_flight_leg; any refusal rolls back the list.
    """
    for leg in removed:
        leg.delete()
    if removed:
        documents_changed(delegate.delegation_id)
    for leg in legs:
        leg.delegate = delegate
        save_flight_leg(leg)
    return list(legs)


@transaction.atomic
def save_ground_transfers(
    delegate: Delegate,
    transfers: Sequence[GroundTransfer],
    *,
    removed: Sequence[GroundTransfer] = (),
) -> list[GroundTransfer]:
    """Return a delegate's ground transfers saved together (the admin inline).

    Side effects: deletes the removed transfers, saves the others (and their
    history) and tells the delegation's packs and the meeting's travel lists
    (dialogue.changes). Refuses a transfer meeting another delegate's flight.
    """
    for transfer in removed:
        transfer.delete()
    for transfer in transfers:
        transfer.delegate = delegate
        transfer.full_clean()
        if transfer.flight is not None and transfer.flight.delegate_id != delegate.pk:
            raise ValidationError(
                {"flight": _("A transfer meets one of the delegate's own flights.")}
            )
        transfer.save()
    if removed or transfers:
        documents_changed(delegate.delegation_id)
    return list(transfers)


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
    link = AccessLink.objects.create(
        kind=AccessLink.Kind.DELEGATE if is_delegate else AccessLink.Kind.FOCAL_POINT,
        token=new_token(),
        expires_at=link_expiry(meeting),
        **lookup,
    )
    if not is_delegate:
        # Its link page offers documents made for it (its own manifest).
        focal_link_issued(meeting.pk, target.pk)
    return link


@transaction.atomic
def revoke_link(link: AccessLink) -> AccessLink:
    """Return the link, revoked from now on. Side effects: sets revoked_at."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def record_link_opened(link: AccessLink) -> bool:
    """Return whether the link's last opening was written now.

    The time is kept to within settings.LINK_OPENED_EVERY seconds: a link
    read with an opening as recent costs no query, and the UPDATE is
    conditional, so two workers opening it at once write it once. The first
    opening is always written (the board counts links opened). Side effects:
    sets last_opened_at (one UPDATE, no row lock) on the row and on `link`.
    """
    now = timezone.now()
    since = now - datetime.timedelta(seconds=settings.LINK_OPENED_EVERY)
    if link.last_opened_at is not None and link.last_opened_at >= since:
        return False
    written = (
        AccessLink.objects.filter(pk=link.pk)
        .filter(Q(last_opened_at__isnull=True) | Q(last_opened_at__lt=since))
        .update(last_opened_at=now)
    )
    if written:
        link.last_opened_at = now
    return bool(written)


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


_ACCREDITATION_ORDER = list(Accreditation.values)


@transaction.atomic
def advance_accreditation(delegate: Delegate, status: str) -> Delegate:
    """Move a delegate's accreditation forward to `status`, never back.

    Accreditation runs nominated, accredited, badge printed, checked in; a
    second scan or a badge printed again leaves a later status as it is.
    """
    # Compared with the row as it is now, under its lock: a check-in that
    # committed since the caller read the delegate is not undone.
    current = (
        Delegate.objects.select_for_update()
        .filter(pk=delegate.pk)
        .values_list("accreditation", flat=True)
        .first()
    )
    if current is None:
        return delegate
    delegate.accreditation = current
    if _ACCREDITATION_ORDER.index(status) > _ACCREDITATION_ORDER.index(current):
        delegate.accreditation = status
        # A plain save (kept in the history): no pack prints accreditation,
        # so a check-in marks nothing stale.
        delegate.save(update_fields=["accreditation"])
    return delegate


@transaction.atomic
def remove_delegate(delegate: Delegate) -> None:
    """Take a delegate off their delegation (a withdrawal or a replacement).

    Side effects: deletes the Delegate row (its history keeps a deletion
    record; its links go with it, so their pages answer 404 at once) and frees
    its funded seat through the count trigger; marks the meeting's documents
    stale.
    """
    _lock_delegation(delegate.delegation_id)
    delegation_id = delegate.delegation_id
    _delete_delegate(delegate)
    documents_changed(delegation_id, whole_meeting=True)


def _delete_delegate(delegate: Delegate) -> None:
    """Delete the row, after telling the apps that hold something of the
    delegate's (accreditation revokes their badge) through dialogue.changes."""
    from dialogue.changes import delegate_leaving

    delegate_leaving(delegate.pk)
    delegate.delete()
