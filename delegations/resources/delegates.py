"""Delegates: found by id, else by email within the meeting; each row checked
by validate_delegate (the funded quota through a FundedLedger: each delegation
locked and read once per file), then written a batch at a time by
write_validated_delegates (bulk INSERT/UPDATE with history rows)."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from import_export import fields

from delegations.models import Delegate, Language
from delegations.resources.base import MeetingScopedResource
from delegations.resources.cells import (
    ChoiceWidget,
    DelegationWidget,
    PhoneWidget,
    TextWidget,
    YesNoWidget,
    text,
)
from delegations.services import (
    BulkRefusal,
    FundedLedger,
    FundedQuotaExceeded,
    validate_delegate,
    write_validated_delegates,
)

# The columns a secretariat fills in (exports add "id" and "meeting" before them).
DELEGATE_COLUMNS = (
    "delegation",
    "name_latin",
    "name_cyrillic",
    "position_en",
    "position_ru",
    "role",
    "email",
    "phone",
    "preferred_language",
    "funded",
    "dietary_needs",
    "accessibility_needs",
)


class DelegateResource(MeetingScopedResource):
    """Delegates; an existing one is found by id, else by email in the meeting."""

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    meeting = fields.Field(
        attribute="meeting__slug", column_name="meeting", readonly=True
    )
    delegation = fields.Field(
        attribute="delegation", column_name="delegation", widget=DelegationWidget()
    )
    name_latin = fields.Field("name_latin", "name_latin", TextWidget())
    name_cyrillic = fields.Field("name_cyrillic", "name_cyrillic", TextWidget())
    position_en = fields.Field("position_en", "position_en", TextWidget())
    position_ru = fields.Field("position_ru", "position_ru", TextWidget())
    role = fields.Field(
        "role", "role", ChoiceWidget(Delegate.Role), saves_null_values=False
    )
    email = fields.Field("email", "email", TextWidget())
    phone = fields.Field("phone", "phone", PhoneWidget())
    preferred_language = fields.Field(
        "preferred_language",
        "preferred_language",
        ChoiceWidget(Language),
        saves_null_values=False,
    )
    funded = fields.Field("funded", "funded", YesNoWidget())
    dietary_needs = fields.Field("dietary_needs", "dietary_needs", TextWidget())
    accessibility_needs = fields.Field(
        "accessibility_needs", "accessibility_needs", TextWidget()
    )

    required_columns = (
        "delegation",
        "name_latin",
        "name_cyrillic",
        "position_en",
        "position_ru",
        "role",
        "email",
    )
    constraint_columns = {"delegate_unique_email_per_meeting": "email"}
    column_labels = {
        "id": _l("ID"),
        "meeting": _l("Meeting"),
        "delegation": _l("Delegation"),
        "name_latin": _l("Name (Latin script)"),
        "name_cyrillic": _l("Name (Cyrillic script)"),
        "position_en": _l("Position (English)"),
        "position_ru": _l("Position (Russian)"),
        "role": _l("Role"),
        "email": _l("Email"),
        "phone": _l("Phone"),
        "preferred_language": _l("Preferred language"),
        "funded": _l("Funded"),
        "dietary_needs": _l("Dietary needs"),
        "accessibility_needs": _l("Accessibility needs"),
    }

    class Meta:
        model = Delegate
        fields = ("id", "meeting", *DELEGATE_COLUMNS)
        export_order = fields
        import_id_fields = ["id"]
        use_transactions = True
        clean_model_instances = False  # save_delegate validates
        report_skipped = False
        # No before/after diff per row: the preview shows the file's own cells,
        # and a deep copy plus an HTML diff of every row is work for nothing.
        skip_diff = True
        # Rows are checked one by one and written a batch at a time
        # (check_instance, write_pending): no query per row.
        use_bulk = True
        batch_size = 1000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept: dict = {}
        # Per delegation, the file's refused rows that claim a funded place.
        self._refused_funded: dict[int, list[Delegate]] = {}
        self.ledger = FundedLedger()
        self._pending: dict[int, tuple] = {}  # id(instance) -> (row number, row)

    @classmethod
    def get_display_name(cls):
        return _("Delegates")

    def get_instance(self, instance_loader, row):
        meeting = self.row_meeting(row)
        email = text(row.get("email"))
        if email:
            try:
                self.once_in_file(
                    (meeting.pk, email.casefold()),
                    "email",
                    _("this email is already on row %(row)s of this file."),
                )
            except ValidationError as exc:
                # Refused, but the row's cells are still read: every refusal
                # of the row is reported at once (import_instance).
                self.keep_refusal(exc)
        delegate_id = text(row.get("id"))
        if delegate_id:
            delegate = (
                Delegate.objects.filter(pk=delegate_id, meeting=meeting).first()
                if delegate_id.isdigit()
                else None
            )
            if delegate is None:
                raise ValidationError(
                    {
                        "id": _("%(meeting)s has no delegate with id %(id)s.")
                        % {"meeting": meeting, "id": delegate_id}
                    }
                )
            # Its email may change to one another delegate has: check on save.
            delegate.check_email_on_save = True
            return delegate
        existing = self.delegates(meeting).get(email.casefold()) if email else None
        if existing is not None:
            wanted = self.delegations(meeting).get(
                text(row.get("delegation")).casefold()
            )
            if wanted is not None and wanted.pk != existing.delegation_id:
                # A new instance, refused with this reason and any other.
                return self.keep_refusal(
                    ValidationError(
                        {
                            "email": _(
                                "another delegate of this meeting has this email: "
                                "%(name)s of %(delegation)s. An import does not move "
                                "a delegate to another delegation."
                            )
                            % {
                                "name": existing.name_latin,
                                "delegation": existing.delegation.localised_name,
                            }
                        }
                    )
                )
        return existing

    # Every refusal of a row at once, and the quota over the whole file.

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self._kept = {}

    def keep_refusal(self, exc: ValidationError) -> None:
        """Note a refusal of the row being read; import_instance adds the rest."""
        for key, messages in exc.message_dict.items():
            self._kept.setdefault(key, []).extend(messages)

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = {key: list(msgs) for key, msgs in exc.message_dict.items()}
        for key, messages in getattr(self, "_kept", {}).items():
            errors.setdefault(key, []).extend(messages)
        if errors:
            self.more_refusals(instance, errors)
            raise ValidationError(errors)

    def more_refusals(self, instance: Delegate, errors: dict) -> None:
        """Add to a refused row's errors what saving it would also refuse: the
        other cells' rules, then the funded quota (as save_delegate would)."""
        checked = {"meeting", "delegation", *errors}
        try:
            instance.clean_fields(exclude=list(checked))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                column = self.column_of(key, messages[0]) or NON_FIELD_ERRORS
                errors.setdefault(column, []).extend(messages)
        if "funded" not in errors:
            self.claim_funded_place(instance, errors)

    def claim_funded_place(self, instance: Delegate, errors: dict) -> None:
        """Check a refused row's funded place against the quota, counting the
        file's earlier refused rows that hold one (the stored delegates and the
        rows saved so far are in the database): the quota's refusal shows in
        the same pass as the row's other errors, not after they are fixed."""
        if not instance.funded or not instance.delegation_id:
            return
        held = self._refused_funded.setdefault(instance.delegation_id, [])
        try:
            self.ledger.check(instance, alongside=held)
        except FundedQuotaExceeded as exc:
            errors.setdefault("funded", []).extend(exc.messages)
        else:
            held.append(instance)

    # Bulk mode: each row is checked by the services' rules as it is read (the
    # quota against a FundedLedger, read once per delegation under its lock),
    # and the rows that pass are written a batch at a time.

    def save_instance(self, instance, is_create, row, **kwargs):
        self.check_instance(instance)
        self._pending[id(instance)] = (kwargs.get("row_number", 0), row)
        super().save_instance(instance, is_create, row, **kwargs)

    def check_instance(self, instance: Delegate) -> None:
        """Raise ValidationError (by column) unless the row may be saved: what
        save_delegate checks, with the quota counting the file's rows."""
        try:
            if instance.delegation_id:
                instance.meeting = instance.delegation.meeting  # cached, no query
            held = self._refused_funded.get(instance.delegation_id)
            if instance.funded and held:
                self.ledger.check(instance, alongside=held)
            # The file's emails were checked against the meeting in one pass; a
            # row found by id may change its email, so that one is checked here.
            validate_delegate(
                instance,
                check_email=getattr(instance, "check_email_on_save", False),
                ledger=self.ledger,
            )
        except FundedQuotaExceeded as exc:
            raise ValidationError({"funded": exc.messages}) from None
        except ValidationError as exc:
            errors = self.by_column(exc).message_dict
            if "funded" not in errors:
                self.claim_funded_place(instance, errors)
            raise ValidationError(errors) from None
        self.ledger.accept(instance)

    def bulk_create(self, using_transactions, dry_run, raise_errors, **kwargs):
        self.write_pending(kwargs.get("result"))

    def bulk_update(self, using_transactions, dry_run, raise_errors, **kwargs):
        self.write_pending(kwargs.get("result"))

    def write_pending(self, result) -> None:
        """Write the rows checked since the last batch; the database's refusal
        of one (a concurrent writer took its email or funded place) refuses
        that row, and with it the file."""
        new, changed = list(self.create_instances), list(self.update_instances)
        self.create_instances.clear()
        self.update_instances.clear()
        try:
            write_validated_delegates(new, changed)
        except BulkRefusal as exc:
            for delegate, error in exc.refusals:
                number, row = self._pending[id(delegate)]
                result.append_invalid_row(number, row, self.by_column(error))
        finally:
            for delegate in (*new, *changed):
                self._pending.pop(id(delegate), None)
