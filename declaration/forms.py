"""Forms: the focal points' comment form, and the drafters' admin forms."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from declaration.models import Comment, Paragraph, Version
from declaration.services import (
    ParagraphText,
    add_comment,
    check_comment,
    check_comment_text,
    check_open_for_comments,
    edit_comment,
    extend_comment_deadline,
)
from delegations.models import Delegation, Language
from dialogue.forms import add_service_error
from dialogue.timefmt import meeting_zone_name

BASE_SALT = "declaration.draft-base"


# Focal points ------------------------------------------------------------


class FocusFirstMixin:
    def focus_first(self) -> None:
        """Put the focus, when the page opens, on the first field with an error,
        else (a paragraph chosen, a refusal of the whole form) on the text."""
        if self.is_bound and self.errors:
            name = next((n for n in self.fields if n in self.errors), "text")
        elif not self.is_bound and self.initial.get("paragraph"):
            name = "text"
        else:
            return
        self.fields[name].widget.attrs["autofocus"] = True


class CommentForm(FocusFirstMixin, forms.Form):
    """A comment on, or proposed wording for, one paragraph of a circulated text."""

    paragraph = forms.TypedChoiceField(label=_("Paragraph"), coerce=int)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Comment.Kind.choices,
        initial=Comment.Kind.COMMENT,
        widget=forms.RadioSelect,
    )
    new_kind = forms.ChoiceField(
        label=_("The new paragraph is"),
        choices=Paragraph.Kind.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Only for a new paragraph: it goes after the paragraph chosen."),
    )
    target = forms.TypedChoiceField(
        label=_("Move it after"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only for a move: the paragraph it should follow."),
    )
    language = forms.ChoiceField(label=_("Language of your text"), choices=Language)
    text = forms.CharField(
        label=_("Your comment, proposed wording or new paragraph"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        required=False,
        help_text=_("For a deletion or a move, your reason (optional)."),
    )

    def __init__(
        self,
        *args,
        version: Version,
        paragraphs,
        lang: str,
        action: str,
        meeting,
        **kwargs,
    ):
        self.version = version
        self.meeting = meeting
        self.paragraphs = paragraphs
        kwargs.setdefault("initial", {}).setdefault("language", lang)
        super().__init__(*args, **kwargs)
        field = self.fields["paragraph"]
        field.choices = [("", _("Choose a paragraph"))] + [
            (p.pk, f"{p.label}: {Truncator(p.text(lang)).words(10)}")
            for p in paragraphs
        ]
        field.error_messages["invalid_choice"] = _(
            "This paragraph is not part of version %(number)s. Choose one of the "
            "paragraphs of the text shown."
        ) % {"number": version.number}
        field.error_messages["required"] = _("Choose the paragraph you comment on.")
        target = self.fields["target"]
        target.choices = [("", _("Choose a paragraph"))] + field.choices[1:]
        target.error_messages["invalid_choice"] = _(
            "Move it after one of the paragraphs of version %(number)s."
        ) % {"number": version.number}
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = f"comment-form-{version.pk}"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "paragraph",
            "kind",
            "new_kind",
            "target",
            "language",
            "text",
            Submit("send", _("Send to the drafters")),
        )

    def clean(self):
        data = super().clean()
        try:
            check_open_for_comments(self.version)
        except ValidationError as error:
            self.refuse_whole(error)
        fields = ("paragraph", "kind", "language")
        if all(data.get(name) for name in fields) and not self.errors:
            try:
                check_comment(
                    self.version,
                    self.paragraphs,
                    paragraph_id=data["paragraph"],
                    kind=data["kind"],
                    language=data["language"],
                    text=data.get("text", ""),
                    new_kind=data.get("new_kind") or "",
                    target_id=data.get("target"),
                )
            except ValidationError as error:
                add_service_error(self, error, fields=COMMENT_ERROR_FIELDS)
        return data

    def save(self, *, delegation: Delegation, submitted_by: str) -> Comment | None:
        """Return the comment sent through add_comment, or None when the service
        refused it: its reason is then on the field it is about (or the form)."""
        try:
            return add_comment(
                self.version,
                delegation=delegation,
                paragraph_id=self.cleaned_data["paragraph"],
                kind=self.cleaned_data["kind"],
                language=self.cleaned_data["language"],
                text=self.cleaned_data["text"],
                new_kind=self.cleaned_data.get("new_kind") or "",
                target_id=self.cleaned_data.get("target"),
                submitted_by=submitted_by,
            )
        except ValidationError as error:
            if error.code in ("not_circulated", "deadline"):
                self.refuse_whole(error)
            else:
                add_service_error(self, error, fields=COMMENT_ERROR_FIELDS)
            return None

    def refuse_whole(self, error: ValidationError) -> None:
        """Show a refusal of any comment on the version, then what the page does
        with the text (the rule and its message are the service's)."""
        self.add_error(None, error)
        if error.code == "deadline":
            self.add_error(
                None,
                _(
                    "It is kept below, so that you can send it to the "
                    "secretariat by email."
                ),
            )
        else:
            self.add_error(None, _("It is kept below."))


# Where add_comment's refusals show, by their code.
COMMENT_ERROR_FIELDS = {
    "paragraph": "paragraph",
    "empty": "text",
    "new_kind": "new_kind",
    "insert_order": "new_kind",
    "target": "target",
    "move_order": "target",
}


class CommentEditForm(FocusFirstMixin, forms.Form):
    """A focal point's change to one of their delegation's comments."""

    kind = CommentForm.base_fields["kind"]
    language = CommentForm.base_fields["language"]
    text = CommentForm.base_fields["text"]

    def __init__(self, *args, comment: Comment, lang: str, action: str, **kwargs):
        self.comment = comment
        kwargs.setdefault(
            "initial",
            {"kind": comment.kind, "language": comment.language, "text": comment.text},
        )
        super().__init__(*args, **kwargs)
        plain = (Comment.Kind.COMMENT, Comment.Kind.PROPOSAL)
        kinds = plain if comment.kind in plain else (comment.kind,)
        self.fields["kind"] = forms.ChoiceField(
            label=_("Kind"),
            choices=[(k, Comment.Kind(k).label) for k in kinds],
            widget=forms.RadioSelect,
        )
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.form_id = f"comment-edit-{comment.pk}"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "kind", "language", "text", Submit("save", _("Save the change"))
        )

    def clean(self):
        data = super().clean()
        try:
            check_open_for_comments(self.comment.version)
        except ValidationError as error:
            self.add_error(None, error)
        if data.get("kind"):
            try:
                check_comment_text(data["kind"], data.get("text", ""))
            except ValidationError as error:
                self.add_error("text", error)
        return data

    def save(self, *, delegation: Delegation, submitted_by: str) -> Comment | None:
        """Return the comment changed through edit_comment, or None with the
        service's refusal on the form."""
        try:
            return edit_comment(
                self.comment,
                delegation=delegation,
                kind=self.cleaned_data["kind"],
                language=self.cleaned_data["language"],
                text=self.cleaned_data["text"],
                submitted_by=submitted_by,
            )
        except ValidationError as error:
            add_service_error(self, error, fields={"empty": "text", "kind": "kind"})
            return None


# Drafters (admin) -------------------------------------------------------


class ParagraphForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=Paragraph.Kind.choices,
        initial=Paragraph.Kind.OPERATIVE,
    )
    text_en = forms.CharField(
        label=_("English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 48, "lang": "en"}),
    )
    text_ru = forms.CharField(
        label=_("Russian"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 48, "lang": "ru"}),
    )

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("text_en") or data.get("text_ru"))


class BaseParagraphFormSet(forms.BaseFormSet):
    """Rows sorted by their order number; blank rows are dropped."""

    def paragraph_texts(self) -> list[ParagraphText]:
        """Return the rows as paragraphs: sorted by order number (ties keep the
        rows' order, rows without a number go last), deleted and blank rows out."""
        rows = []
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.is_blank:
                continue
            order = data.get("ORDER")
            rows.append(((order is None, order or 0, index), form))
        return [
            ParagraphText(
                form.cleaned_data["kind"],
                form.cleaned_data.get("text_en", ""),
                form.cleaned_data.get("text_ru", ""),
            )
            for _key, form in sorted(rows, key=lambda row: row[0])
        ]

    def clean(self):
        if any(self.errors):
            return
        from declaration.services import check_paragraph_order

        check_paragraph_order(self.paragraph_texts())


ParagraphFormSet = forms.formset_factory(
    ParagraphForm,
    formset=BaseParagraphFormSet,
    extra=2,
    can_order=True,
    can_delete=True,
    max_num=300,
)


def sign_base(texts: list[ParagraphText]) -> str:
    """Return the text a drafter starts from, signed, for the form to carry."""
    return signing.dumps(
        [[t.kind, t.text_en, t.text_ru] for t in texts], salt=BASE_SALT, compress=True
    )


def unsign_base(value: str) -> list[ParagraphText] | None:
    try:
        rows = signing.loads(value, salt=BASE_SALT)
    except signing.BadSignature:
        return None
    return [ParagraphText(*row) for row in rows]


class DraftForm(forms.Form):
    """The hidden part of the draft editor: which edit the drafter started from."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    base = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, version: Version, **kwargs):
        self.version = version
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.version.is_frozen:
            raise ValidationError(
                _(
                    "Version %(number)s is %(status)s: its text can no longer "
                    "change. Start a new draft from it."
                )
                % {
                    "number": self.version.number,
                    "status": self.version.get_status_display(),
                },
                code="frozen",
            )
        return data

    def restart_from(self, version: Version, texts: list[ParagraphText]) -> None:
        """After a conflict: the next save starts from the text saved meanwhile."""
        self.data = self.data.copy()
        self.data["lock_version"] = str(version.lock_version)
        self.data["base"] = sign_base(texts)


def lag_choice_label(lag) -> str:
    """Return the confirmation a drafter ticks for one translation lag."""
    if lag.changed == "en":
        text = _("%(label)s: the English changed; the Russian needs no change.")
    else:
        text = _("%(label)s: the Russian changed; the English needs no change.")
    return text % {"label": lag.paragraph.label}


class CirculateForm(forms.Form):
    deadline_date = forms.DateField(
        label=_("comments until (date)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    deadline_time = forms.TimeField(
        label=_("time"),
        initial=datetime.time(18, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    confirmed = forms.TypedMultipleChoiceField(
        label=_("changed in one language only"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick each paragraph whose other language needs no change. "
            "Circulation waits until each is ticked or translated."
        ),
    )

    def __init__(self, *args, meeting, lags=(), **kwargs):
        self.meeting = meeting
        super().__init__(*args, **kwargs)
        self.fields["deadline_time"].help_text = _(
            "In the meeting's time zone, %(zone)s."
        ) % {"zone": meeting_zone_name(meeting)}
        if lags:
            self.fields["confirmed"].choices = [
                (lag.paragraph.pk, lag_choice_label(lag)) for lag in lags
            ]
        else:
            del self.fields["confirmed"]

    def clean(self):
        data = super().clean()
        day, time = data.get("deadline_date"), data.get("deadline_time")
        if day and time:
            data["deadline"] = datetime.datetime.combine(
                day, time, tzinfo=self.meeting.tzinfo
            )
            if data["deadline"] <= timezone.now():
                self.add_error(
                    "deadline_date",
                    _("The deadline for comments must be in the future."),
                )
        return data


class ExtendDeadlineForm(CirculateForm):
    """The drafters' new, later deadline; extend_comment_deadline decides."""

    def __init__(self, *args, version: Version, **kwargs):
        super().__init__(*args, meeting=version.declaration.meeting, **kwargs)
        self.version = version
        self.fields["deadline_date"].label = _("comments until (new date)")
        current = timezone.localtime(version.comment_deadline, self.meeting.tzinfo)
        self.fields["deadline_date"].initial = current.date() + datetime.timedelta(
            days=7
        )
        self.fields["deadline_time"].initial = current.time().replace(
            second=0, microsecond=0
        )

    def save(self, *, by) -> Version | None:
        """Return the version with the new deadline, or None with the service's
        refusal on the date field."""
        try:
            return extend_comment_deadline(
                self.version, self.cleaned_data["deadline"], by=by
            )
        except ValidationError as error:
            if error.code in ("not_later", "deadline"):
                self.add_error("deadline_date", error)
            else:
                self.add_error(None, error)
            return None


class SilenceForm(CirculateForm):
    """Until when a version is under silence; start_silence decides."""

    def __init__(self, *args, version: Version, **kwargs):
        super().__init__(*args, meeting=version.declaration.meeting, **kwargs)
        self.version = version
        self.fields["deadline_date"].label = _("silence until (date)")

    def save(self, *, by):
        """Return the silence started, or None with the service's refusal."""
        from declaration.services import start_silence

        try:
            return start_silence(
                self.version, until=self.cleaned_data["deadline"], by=by
            )
        except ValidationError as error:
            if error.code == "deadline":
                self.add_error("deadline_date", error)
            else:
                self.add_error(None, error)
            return None


class AdoptionForm(forms.Form):
    adopted_on = forms.DateField(
        label=_("adopted on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    by_acclamation = forms.BooleanField(
        label=_("adopted by acclamation"), required=False
    )
    delegations = forms.ModelMultipleChoiceField(
        label=_("or adopted by these delegations"),
        queryset=Delegation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegations"].queryset = Delegation.objects.filter(
            meeting=meeting
        ).order_by("sort_order", "name_en")

    def clean(self):
        data = super().clean()
        acclamation = data.get("by_acclamation")
        chosen = data.get("delegations")
        if "delegations" in data and bool(acclamation) == bool(chosen):
            raise ValidationError(
                _("Tick “adopted by acclamation” or choose the delegations, not both.")
            )
        return data


class DiffForm(forms.Form):
    old = forms.ModelChoiceField(
        label=_("from version"), queryset=Version.objects.none()
    )
    new = forms.ModelChoiceField(label=_("to version"), queryset=Version.objects.none())
    lang = forms.ChoiceField(label=_("language"), choices=Language, initial="en")

    def __init__(self, *args, declaration_id, **kwargs):
        super().__init__(*args, **kwargs)
        versions = Version.objects.filter(declaration_id=declaration_id).order_by(
            "-number"
        )
        for name in ("old", "new"):
            self.fields[name].queryset = versions
            self.fields[name].label_from_instance = lambda v: str(
                _("version %(number)s (%(status)s)")
                % {"number": v.number, "status": v.get_status_display()}
            )


class DecideCommentForm(forms.Form):
    """The drafters' one action on a comment: take its wording into the draft
    being prepared (in English, Russian or both), or record what became of it."""

    outcome = forms.ChoiceField(
        label=_("what becomes of it"),
        choices=[
            (Comment.Outcome.TAKEN, _("taken")),
            (Comment.Outcome.TAKEN_IN_PART, _("taken in part")),
            (Comment.Outcome.NOT_TAKEN, _("not taken")),
        ],
        widget=forms.RadioSelect,
    )
    paragraph = forms.TypedChoiceField(
        label=_("paragraph of the draft"), coerce=int, required=False
    )
    target = forms.TypedChoiceField(
        label=_("move it after"), coerce=int, required=False, empty_value=None
    )
    languages = forms.ChoiceField(
        label=_("replace the text in"),
        choices=[("en", _("English")), ("ru", _("Russian")), ("both", _("both"))],
        required=False,
    )
    text_en = forms.CharField(
        label=_("English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60, "lang": "en"}),
    )
    text_ru = forms.CharField(
        label=_("Russian"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60, "lang": "ru"}),
    )
    reply = forms.CharField(
        label=_("reply to the delegation (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    # The fields each kind of proposal is taken with.
    KIND_FIELDS = {
        Comment.Kind.PROPOSAL: ("paragraph", "languages", "text_en", "text_ru"),
        Comment.Kind.INSERT: ("paragraph", "languages", "text_en", "text_ru"),
        Comment.Kind.DELETE: ("paragraph",),
        Comment.Kind.MOVE: ("paragraph", "target"),
    }
    PARAGRAPH_LABELS = {
        Comment.Kind.INSERT: _("insert the new paragraph after"),
        Comment.Kind.DELETE: _("paragraph of the draft to delete"),
        Comment.Kind.MOVE: _("paragraph of the draft to move"),
    }

    def __init__(
        self,
        *args,
        comment: Comment,
        draft,
        draft_paragraphs,
        current=None,
        current_target=None,
        **kwargs,
    ):
        self.comment = comment
        self.draft = draft
        self.is_proposal = comment.kind in Comment.PROPOSAL_KINDS
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("outcome", Comment.Outcome.TAKEN)
        initial.setdefault("languages", comment.language)
        if current is not None:
            initial.setdefault("paragraph", current.pk)
            if comment.kind != Comment.Kind.INSERT:
                initial.setdefault("text_en", current.text_en)
                initial.setdefault("text_ru", current.text_ru)
        if current_target is not None:
            initial.setdefault("target", current_target.pk)
        if comment.kind in (Comment.Kind.PROPOSAL, Comment.Kind.INSERT):
            initial[f"text_{comment.language}"] = comment.text
        super().__init__(*args, **kwargs)
        choices = [
            (p.pk, f"{p.label}: {Truncator(p.text_en).words(10)}")
            for p in draft_paragraphs
        ]
        self.fields["paragraph"].choices = choices
        self.fields["target"].choices = [("", "-")] + choices
        if comment.kind in self.PARAGRAPH_LABELS:
            self.fields["paragraph"].label = self.PARAGRAPH_LABELS[comment.kind]
        if comment.kind == Comment.Kind.INSERT:
            self.fields["languages"].label = _("the new paragraph's text in")
        kept = self.KIND_FIELDS.get(comment.kind, ())
        for name in ("paragraph", "target", "languages", "text_en", "text_ru"):
            if name not in kept:
                del self.fields[name]

    def save(self, *, by) -> Comment | None:
        """Return the comment decided through take_proposal (a proposal taken
        or taken in part) or decide_comment, or None with the service's
        refusal on the form."""
        from declaration.services import decide_comment, take_proposal

        data = self.cleaned_data
        try:
            if self.is_proposal and data["outcome"] in Comment.TAKEN_OUTCOMES:
                return take_proposal(
                    self.comment,
                    paragraph_id=data.get("paragraph"),
                    languages=data.get("languages") or self.comment.language,
                    text_en=data.get("text_en", ""),
                    text_ru=data.get("text_ru", ""),
                    target_id=data.get("target"),
                    in_part=data["outcome"] == Comment.Outcome.TAKEN_IN_PART,
                    reply=data.get("reply", ""),
                    by=by,
                )
            return decide_comment(
                self.comment,
                outcome=data["outcome"],
                reply=data.get("reply", ""),
                by=by,
            )
        except ValidationError as error:
            add_service_error(
                self,
                error,
                fields={
                    "paragraph": "paragraph",
                    "languages": "languages",
                    "empty_en": "text_en",
                    "empty_ru": "text_ru",
                    "outcome": "outcome",
                    "target": "target",
                    "move_order": "target",
                    "insert_order": "paragraph",
                },
            )
            return None
