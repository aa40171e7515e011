"""Delegates: found by id, else by email within the meeting; saved by
save_delegate, which checks the funded quota under a row lock."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
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
from delegations.services import FundedQuotaExceeded, save_delegate

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

    @classmethod
    def get_display_name(cls):
        return _("Delegates")

    def get_instance(self, instance_loader, row):
        meeting = self.row_meeting(row)
        email = text(row.get("email"))
        if email:
            self.once_in_file(
                (meeting.pk, email.casefold()),
                "email",
                _("this email is already on row %(row)s of this file."),
            )
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
                        % {"meeting": meeting.slug, "id": delegate_id}
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
                raise ValidationError(
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
        return existing

    def do_instance_save(self, instance, is_create):
        try:
            if instance.delegation_id:
                instance.meeting = instance.delegation.meeting  # cached, no query
            # The file's emails were checked against the meeting in one pass; a
            # row found by id may change its email, so that one is checked here.
            save_delegate(
                instance,
                check_unique_email=getattr(instance, "check_email_on_save", False),
            )
        except FundedQuotaExceeded as exc:
            raise ValidationError({"funded": exc.messages}) from None
        except ValidationError as exc:
            raise self.by_column(exc) from None
        except IntegrityError as exc:
            # A concurrent save took the email between our check and the insert.
            if "email" not in str(exc):
                raise
            raise ValidationError(
                {"email": _("Another delegate of this meeting has this email.")}
            ) from None
