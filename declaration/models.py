"""The declaration of a meeting: versions, circulation, comments and adoption.

A version's text is an ordered list of paragraphs, each with its English and
Russian wording. Only a draft can change. A circulated, superseded or adopted
version is frozen at three levels: the admin shows it read-only, the forms and
services refuse it, and the ORM refuses it (Model.save()/delete(), QuerySet
update()/delete(), cascades through a pre_delete receiver). The database backs
this with triggers (declaration/migrations/0002_frozen_versions.py), so a raw
UPDATE is refused too.

Numbering follows United Nations practice: preambular paragraphs are not
numbered in the text; operative paragraphs are numbered 1., 2., ... Negotiators
refer to them as PP1, PP2 ... and OP1, OP2 ... (labels shown to drafters and in
the comment form).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from delegations.models import Delegation, Language
from dialogue.i18n import localized
from dialogue.models import Meeting


class VersionFrozen(Exception):
    """A circulated, superseded or adopted version (or its text) was to change."""

    def __init__(self, version_number=None, status=None):
        self.version_number = version_number
        self.status = status
        super().__init__(
            f"declaration version {version_number} is {status}: it cannot change"
        )


class Declaration(models.Model):
    """The outcome document of a meeting, drafted in successive versions."""

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="declarations",
        verbose_name=_("meeting"),
    )
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "title_en"], name="declaration_unique_title"
            ),
        ]

    def __str__(self) -> str:
        # In the interface's language: the admin's titles, breadcrumbs, lists.
        return localized(self, "title")

    def title(self, lang: str | None = None) -> str:
        return localized(self, "title", lang)


class VersionQuerySet(models.QuerySet):
    """Refuses bulk changes to frozen versions (Model.save() uses _update)."""

    def update(self, **kwargs):
        frozen = self.exclude(status=Version.Status.DRAFT)
        if frozen.exists():
            forward_only = (
                set(kwargs) == {"status"}
                and kwargs["status"] in Version.AFTER_CIRCULATION
                and not frozen.exclude(status=Version.Status.CIRCULATED).exists()
            )
            if not forward_only:
                first = frozen.order_by("number").first()
                raise VersionFrozen(first.number, first.status)
        return super().update(**kwargs)

    def delete(self):
        first = self.exclude(status=Version.Status.DRAFT).order_by("number").first()
        if first is not None:
            raise VersionFrozen(first.number, first.status)
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class Version(models.Model):
    """One version of a declaration's text."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CIRCULATED = "circulated", _("circulated")
        SUPERSEDED = "superseded", _("superseded")
        ADOPTED = "adopted", _("adopted")

    # The only changes a frozen version allows: circulated -> superseded/adopted.
    AFTER_CIRCULATION = (Status.SUPERSEDED, Status.ADOPTED)
    FROZEN_FIELDS = (
        "declaration_id",
        "number",
        "author_id",
        "author_name",
        "created_at",
        "circulated_at",
        "comment_deadline",
        "lock_version",
    )

    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("declaration"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(
        _("author's name"),
        max_length=200,
        blank=True,
        help_text=_("As shown on the version; kept if the account is removed."),
    )
    created_at = models.DateTimeField(_("created"))
    circulated_at = models.DateTimeField(_("circulated"), null=True, blank=True)
    comment_deadline = models.DateTimeField(
        _("deadline for comments"), null=True, blank=True
    )
    lock_version = models.PositiveIntegerField(
        _("edit counter"),
        default=0,
        help_text=_(
            "Raised by every save of the text; refuses a save based on "
            "an older text (optimistic locking)."
        ),
    )
    history = HistoricalRecords()

    objects = VersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("declaration version")
        verbose_name_plural = _("declaration versions")
        ordering = ["declaration", "-number"]
        permissions = [
            ("circulate_version", _("Can circulate a declaration version")),
            ("record_adoption", _("Can record the adoption of a declaration")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "number"], name="version_unique_number"
            ),
            models.UniqueConstraint(
                fields=["declaration"],
                condition=Q(status="draft"),
                name="version_one_draft",
                violation_error_message=_("This declaration already has a draft."),
            ),
            models.UniqueConstraint(
                fields=["declaration"],
                condition=Q(status="circulated"),
                name="version_one_circulated",
            ),
            models.UniqueConstraint(
                fields=["declaration"],
                condition=Q(status="adopted"),
                name="version_one_adopted",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(circulated_at__isnull=False, comment_deadline__isnull=False),
                name="version_circulated_has_dates",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return _("%(declaration)s v%(number)s (%(status)s)") % {
            "declaration": self.declaration,
            "number": self.number,
            "status": self.get_status_display(),
        }

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk:
            self._refuse_frozen_change()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = Version.objects.filter(pk=self.pk).values_list("status").first()
        if stored and stored[0] != self.Status.DRAFT:
            raise VersionFrozen(self.number, stored[0])
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    def _refuse_frozen_change(self) -> None:
        stored = (
            Version.objects.filter(pk=self.pk)
            .values("status", *self.FROZEN_FIELDS)
            .first()
        )
        if stored is None or stored["status"] == self.Status.DRAFT:
            return
        same = all(
            stored[name] == getattr(self, name)
            for name in self.FROZEN_FIELDS
            if name != "comment_deadline"
        ) and (
            stored["comment_deadline"] == self.comment_deadline
            # The one change a circulated version takes: a later deadline
            # (extend_comment_deadline; the trigger of declaration 0005 agrees).
            or (
                stored["status"] == self.status == self.Status.CIRCULATED
                and self.comment_deadline is not None
                and self.comment_deadline > stored["comment_deadline"]
            )
        )
        moves_on = (
            stored["status"] == self.Status.CIRCULATED
            and self.status in self.AFTER_CIRCULATION
        )
        if not same or not (self.status == stored["status"] or moves_on):
            raise VersionFrozen(stored.get("number", self.number), stored["status"])


class ParagraphQuerySet(models.QuerySet):
    def _refuse_frozen(self):
        frozen = (
            Version.objects.filter(pk__in=self.values("version_id"))
            .exclude(status=Version.Status.DRAFT)
            .order_by("number")
            .first()
        )
        if frozen is not None:
            raise VersionFrozen(frozen.number, frozen.status)

    def update(self, **kwargs):
        self._refuse_frozen()
        if "version" in kwargs or "version_id" in kwargs:
            target = kwargs.get("version_id") or kwargs.get("version").pk
            Paragraph.refuse_frozen_version(target)
        return super().update(**kwargs)

    def delete(self):
        self._refuse_frozen()
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class Paragraph(models.Model):
    """One paragraph of a version, in English and Russian."""

    class Kind(models.TextChoices):
        PREAMBULAR = "preambular", _("preambular")
        OPERATIVE = "operative", _("operative")

    version = models.ForeignKey(
        Version,
        on_delete=models.CASCADE,
        related_name="paragraphs",
        verbose_name=_("version"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_ru = models.TextField(_("text (Russian)"), blank=True)
    history = HistoricalRecords()

    objects = ParagraphQuerySet.as_manager()

    class Meta:
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="paragraph_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} ¶{self.position}"

    def save(self, *args, **kwargs):
        self.refuse_frozen_version(self.version_id)
        if self.pk and not self._state.adding:
            stored = Paragraph.objects.filter(pk=self.pk).values_list("version_id")
            stored = stored.first()
            if stored and stored[0] != self.version_id:
                self.refuse_frozen_version(stored[0])
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_frozen_version(self.version_id)
        return super().delete(*args, **kwargs)

    def text(self, lang: str | None = None) -> str:
        return localized(self, "text", lang)

    @staticmethod
    def refuse_frozen_version(version_id) -> None:
        row = Version.objects.filter(pk=version_id).values_list("number", "status")
        row = row.first()
        if row and row[1] != Version.Status.DRAFT:
            raise VersionFrozen(*row)


class Circulation(models.Model):
    """A version sent to one delegation's focal point, and when it was opened."""

    version = models.ForeignKey(
        Version,
        on_delete=models.PROTECT,
        related_name="circulations",
        verbose_name=_("version"),
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="declaration_circulations",
        verbose_name=_("delegation"),
    )
    email = models.EmailField(_("sent to"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    sent_at = models.DateTimeField(_("email sent"), null=True, blank=True)
    first_opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)

    class Meta:
        verbose_name = _("circulation")
        verbose_name_plural = _("circulations")
        ordering = ["version", "delegation__sort_order", "delegation__name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "delegation"], name="circulation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.delegation}"


class Comment(models.Model):
    """A focal point's comment on, or proposed wording for, one paragraph."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        PROPOSAL = "proposal", _("proposed wording")
        # Amendments as the UN numbers them: the paragraph is the one the new
        # paragraph follows, the one to delete, or the one to move (after target).
        INSERT = "insert", _("new paragraph")
        DELETE = "delete", _("deletion of the paragraph")
        MOVE = "move", _("move of the paragraph")

    # The kinds the drafters can take into the draft.
    PROPOSAL_KINDS = (Kind.PROPOSAL, Kind.INSERT, Kind.DELETE, Kind.MOVE)
    # The kinds whose text is a reason, which may be left out.
    TEXT_OPTIONAL_KINDS = (Kind.DELETE, Kind.MOVE)

    paragraph = models.ForeignKey(
        Paragraph,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("paragraph"),
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        editable=False,
        help_text=_(
            "Counted per version and delegation: KZ-1, KZ-2 ... (the reference "
            "in the compilation)."
        ),
    )
    new_kind = models.CharField(
        _("kind of the new paragraph"),
        max_length=20,
        choices=Paragraph.Kind.choices,
        blank=True,
    )
    target = models.ForeignKey(
        Paragraph,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="move_targets",
        verbose_name=_("move after paragraph"),
    )
    version = models.ForeignKey(
        Version,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("version"),
        editable=False,
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="declaration_comments",
        verbose_name=_("delegation"),
    )

    class Outcome(models.TextChoices):
        PENDING = "pending", _("not yet decided")
        TAKEN = "taken", _("taken")
        TAKEN_IN_PART = "taken_in_part", _("taken in part")
        NOT_TAKEN = "not_taken", _("not taken")
        SUPERSEDED = "superseded", _("superseded")

    # Outcomes that name the draft the comment went into.
    TAKEN_OUTCOMES = (Outcome.TAKEN, Outcome.TAKEN_IN_PART)

    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMENT
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    text = models.TextField(_("text"), blank=True)
    submitted_by = models.CharField(_("submitted by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    edited_at = models.DateTimeField(_("last edited"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=Outcome.choices,
        default=Outcome.PENDING,
    )
    taken_into = models.ForeignKey(
        Version,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="taken_comments",
        verbose_name=_("taken into version"),
    )
    taken_paragraph = models.ForeignKey(
        Paragraph,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="taken_comments",
        verbose_name=_("taken into paragraph"),
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded",
        verbose_name=_("superseded by"),
    )
    reply = models.TextField(_("drafters' reply"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["version", "paragraph__position", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text="") | Q(kind__in=["delete", "move"]),
                name="comment_text_not_empty",
            ),
            models.UniqueConstraint(
                fields=["version", "delegation", "number"],
                name="comment_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="comment_number_positive"
            ),
            # A new paragraph says which kind it is; nothing else does.
            models.CheckConstraint(
                condition=(
                    Q(kind="insert", new_kind__in=["preambular", "operative"])
                    | (~Q(kind="insert") & Q(new_kind=""))
                ),
                name="comment_insert_has_kind",
            ),
            # A move names where to (another paragraph); nothing else does.
            models.CheckConstraint(
                condition=(
                    (Q(kind="move", target__isnull=False) & ~Q(target=F("paragraph")))
                    | (~Q(kind="move") & Q(target__isnull=True))
                ),
                name="comment_move_has_target",
            ),
            # Taken (in part) always names the version it went into, and only then.
            models.CheckConstraint(
                condition=(
                    Q(outcome__in=["taken", "taken_in_part"], taken_into__isnull=False)
                    | (
                        ~Q(outcome__in=["taken", "taken_in_part"])
                        & Q(taken_into__isnull=True, taken_paragraph__isnull=True)
                    )
                ),
                name="comment_taken_names_version",
            ),
            models.CheckConstraint(
                condition=(
                    Q(outcome="superseded", superseded_by__isnull=False)
                    | (~Q(outcome="superseded") & Q(superseded_by__isnull=True))
                ),
                name="comment_superseded_names_proposal",
            ),
            # A withdrawn comment is not decided on; a decided one has a date.
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(outcome="pending"),
                name="comment_withdrawn_not_decided",
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending") | Q(decided_at__isnull=False),
                name="comment_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegation}: {self.text[:40]}"

    def save(self, *args, **kwargs):
        # The version is the paragraph's; kept on the row for fast per-version reads.
        self.version_id = self.paragraph.version_id
        if self.number is None:
            # The next number of the delegation on this version (add_comment
            # holds a lock on the delegation; the unique constraint backs it).
            last = (
                Comment.objects.filter(
                    version_id=self.version_id, delegation_id=self.delegation_id
                )
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            )
            self.number = (last or 0) + 1
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        """Return how the drafters cite it: KZ-1, EU-2 (per version)."""
        return f"{delegation_code(self.delegation)}-{self.number}"

    @property
    def is_proposal(self) -> bool:
        return self.kind in self.PROPOSAL_KINDS

    @property
    def is_decided(self) -> bool:
        return self.outcome != self.Outcome.PENDING

    @property
    def is_taken(self) -> bool:
        return self.outcome in self.TAKEN_OUTCOMES


class TranslationCheck(models.Model):
    """A drafter's confirmation, at circulation, that a paragraph changed in
    one language since the previous version needs no change in the other."""

    version = models.ForeignKey(
        Version,
        on_delete=models.CASCADE,
        related_name="translation_checks",
        verbose_name=_("version"),
        editable=False,
    )
    paragraph = models.OneToOneField(
        Paragraph,
        on_delete=models.CASCADE,
        related_name="translation_check",
        verbose_name=_("paragraph"),
    )
    changed_language = models.CharField(
        _("language changed"), max_length=2, choices=Language.choices
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"))
    # The paragraph's text as confirmed: a later edit makes the check stale.
    text_en = models.TextField(_("text (English)"), blank=True)
    text_ru = models.TextField(_("text (Russian)"), blank=True)

    class Meta:
        verbose_name = _("translation check")
        verbose_name_plural = _("translation checks")
        ordering = ["version", "paragraph__position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(changed_language__in=["en", "ru"]),
                name="translation_check_language",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paragraph}: {self.changed_language} only"

    def save(self, *args, **kwargs):
        self.version_id = self.paragraph.version_id
        super().save(*args, **kwargs)

    @property
    def unchanged_language(self) -> str:
        return "ru" if self.changed_language == "en" else "en"

    def covers(self, paragraph: Paragraph, changed: str) -> bool:
        """Return whether this confirmation still holds for the paragraph's
        text as it is now, changed in that language."""
        return (
            self.changed_language == changed
            and self.text_en == paragraph.text_en
            and self.text_ru == paragraph.text_ru
        )


class Silence(models.Model):
    """A version put under silence procedure: adopted when the deadline passes
    with no objection, broken by the first reasoned objection before it."""

    class Status(models.TextChoices):
        RUNNING = "running", _("under silence")
        BROKEN = "broken", _("silence broken")
        ADOPTED = "adopted", _("adopted by silence")
        # The version was adopted another way or superseded meanwhile.
        CLOSED = "closed", _("closed: the version was adopted otherwise or replaced")

    version = models.ForeignKey(
        Version,
        on_delete=models.PROTECT,
        related_name="silences",
        verbose_name=_("version"),
    )
    until = models.DateTimeField(_("silence until"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("started"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # Left by the conclude_silence task when it gave up (record_silence_failure):
    # the drafters see it on the version with a retry; the sweep skips it.
    failure = models.TextField(_("why concluding failed"), blank=True)
    failed_at = models.DateTimeField(_("concluding failed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("silence procedure")
        verbose_name_plural = _("silence procedures")
        ordering = ["version", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(status="running"),
                name="silence_one_running",
                violation_error_message=_("This version is already under silence."),
            ),
            models.CheckConstraint(
                condition=Q(until__gt=models.F("started_at")),
                name="silence_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status="running", ended_at__isnull=True)
                | (~Q(status="running") & Q(ended_at__isnull=False)),
                name="silence_ended_unless_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: silence until {self.until:%Y-%m-%d %H:%M} UTC"


class Objection(models.Model):
    """A delegation's reasoned objection that breaks a silence procedure."""

    silence = models.ForeignKey(
        Silence,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("silence procedure"),
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        related_name="silence_objections",
        verbose_name=_("delegation"),
    )
    reason = models.TextField(_("reason"))
    submitted_by = models.CharField(_("submitted by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("received"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["silence", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["silence", "delegation"], name="objection_one_per_delegation"
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="objection_reason_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegation}: {self.reason[:40]}"


class Adoption(models.Model):
    """The adoption of one version at the meeting: from then on the text is final."""

    declaration = models.OneToOneField(
        Declaration,
        on_delete=models.PROTECT,
        related_name="adoption",
        verbose_name=_("declaration"),
    )
    version = models.OneToOneField(
        Version,
        on_delete=models.PROTECT,
        related_name="adoption",
        verbose_name=_("version"),
    )
    adopted_on = models.DateField(_("adopted on"))
    by_acclamation = models.BooleanField(_("adopted by acclamation"), default=False)
    by_silence = models.BooleanField(_("adopted by silence procedure"), default=False)
    delegations = models.ManyToManyField(
        Delegation,
        blank=True,
        related_name="adopted_declarations",
        verbose_name=_("adopted by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[delegations])

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(by_acclamation=True, by_silence=True),
                name="adoption_one_way",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.declaration} v{self.version.number} ({self.adopted_on})"


def delegation_code(delegation) -> str:
    """Return the delegation's short code: its country code (KZ), else the
    initials of its English name (European Union: EU)."""
    if delegation.country_code:
        return delegation.country_code.upper()
    initials = "".join(w[0] for w in delegation.name_en.split() if w[:1].isupper())
    return initials[:4] or str(delegation.pk)


def new_paragraph_label(kind: str) -> str:
    """Return how a paragraph added to a draft is cited until the version is
    circulated and renumbered: new PP, new OP (in the active UI language)."""
    from django.utils.translation import gettext

    if kind == Paragraph.Kind.PREAMBULAR:
        return gettext("new PP")
    return gettext("new OP")


def paragraph_label(kind: str, ordinal: int) -> str:
    """Return how negotiators refer to a paragraph: PP2, OP3 (in the active UI
    language)."""
    from django.utils.translation import gettext

    if kind == Paragraph.Kind.PREAMBULAR:
        return gettext("PP%(n)s") % {"n": ordinal}
    return gettext("OP%(n)s") % {"n": ordinal}


def number_paragraphs(paragraphs):
    """Return the paragraphs (in order) with .ordinal, .label and .number set.

    Preambular paragraphs are counted for reference (PP1, PP2 ...) but carry no
    number in the text; operative paragraphs are numbered 1., 2., ...
    """
    counters = {Paragraph.Kind.PREAMBULAR: 0, Paragraph.Kind.OPERATIVE: 0}
    for paragraph in paragraphs:
        counters[paragraph.kind] = counters.get(paragraph.kind, 0) + 1
        paragraph.ordinal = counters[paragraph.kind]
        paragraph.label = paragraph_label(paragraph.kind, paragraph.ordinal)
        paragraph.number = (
            paragraph.ordinal if paragraph.kind == Paragraph.Kind.OPERATIVE else None
        )
    return paragraphs


class Compilation(models.Model):
    """The compilation of comments on one version, for the drafters' meeting:
    by paragraph, its text, each delegation's comment or proposal and what
    became of it. Rendered by a worker as a tagged PDF in English and in
    Russian and as XLSX; shared with the focal points by a drafter.

    `fingerprint` and `comment_count` say which comments the files were made
    from: when the comments change after, the version's page says the files
    are out of date (they are not re-rendered by themselves, so what was
    handed out at a meeting stays as it was until a drafter renders again).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RENDERING = "rendering", _("rendering")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    # The files of a compilation, in the order they are rendered.
    FILES = ("pdf_en", "pdf_ru", "xlsx")

    version = models.OneToOneField(
        Version,
        on_delete=models.PROTECT,
        related_name="compilation",
        verbose_name=_("version"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("files rendered"), default=0, help_text=_("Of three: EN PDF, RU PDF, XLSX.")
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # What the files on disk were made from (empty until the first render).
    fingerprint = models.CharField(
        _("fingerprint of the comments"), max_length=64, blank=True, editable=False
    )
    comment_count = models.PositiveIntegerField(
        _("comments compiled"), null=True, blank=True
    )
    made_at = models.DateTimeField(_("files made"), null=True, blank=True)
    pdf_en = models.CharField(_("PDF (English)"), max_length=300, blank=True)
    pdf_ru = models.CharField(_("PDF (Russian)"), max_length=300, blank=True)
    xlsx = models.CharField(_("XLSX"), max_length=300, blank=True)
    shared_at = models.DateTimeField(
        _("shared with the focal points"), null=True, blank=True
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("compilation of comments")
        verbose_name_plural = _("compilations of comments")
        ordering = ["version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "rendering", "ready", "failed"]),
                name="compilation_status_known",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=3), name="compilation_progress_of_three"
            ),
            # Ready means every file is there; only files made can be shared.
            models.CheckConstraint(
                condition=~Q(status="ready")
                | (~Q(pdf_en="") & ~Q(pdf_ru="") & ~Q(xlsx="")),
                name="compilation_ready_has_files",
            ),
            models.CheckConstraint(
                condition=Q(shared_at__isnull=True) | Q(made_at__isnull=False),
                name="compilation_shared_once_made",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.get_status_display()}"

    @property
    def has_files(self) -> bool:
        return self.made_at is not None

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None
