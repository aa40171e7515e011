"""Rendered packs (briefing packs and visa letters) and worker heartbeats.

The tables keep the names they had when these models lived in the dialogue app
(dialogue_pack, dialogue_workerheartbeat): packs/0001 took them over without
copying or dropping a row.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dialogue.models import Meeting


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker answered a heartbeat task.

    Written by a task, so a row proves the whole path web → broker → worker →
    database works.
    """

    hostname = models.CharField(_("worker"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"))
    token = models.CharField(_("last token"), max_length=64, blank=True)

    class Meta:
        db_table = "dialogue_workerheartbeat"
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return self.hostname


TRAVEL_LISTS = ("manifest", "rooming", "transfers")


class Pack(models.Model):
    """A rendered document: a delegation's briefing pack in one language, a
    delegate's visa support letter, or one of the travel lists (the arrivals
    and departures manifest, the rooming list, the transfer manifest) as PDF or
    XLSX, for the whole meeting or (the manifest) for one delegation.

    The file on disk is always complete: a render writes a temporary file next
    to it and renames it over the old one. `fingerprint` is the hash of every
    input of the file that is on disk, so an unchanged pack is not rendered again.
    """

    class Kind(models.TextChoices):
        BRIEFING = "briefing", _("briefing pack")
        VISA_LETTER = "visa_letter", _("visa support letter")
        MANIFEST = "manifest", _("arrivals and departures manifest")
        ROOMING = "rooming", _("rooming list")
        TRANSFERS = "transfers", _("transfer manifest")
        BADGES = "badges", _("badges")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    class Language(models.TextChoices):
        EN = "en", _("English")
        RU = "ru", _("Russian")
        BILINGUAL = "bilingual", _("English and Russian")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RENDERING = "rendering", _("rendering")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="packs",
        verbose_name=_("meeting"),
    )
    delegation = models.ForeignKey(
        "delegations.Delegation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="packs",
        verbose_name=_("delegation"),
        help_text=_("Empty for a travel list of the whole meeting."),
    )
    delegate = models.ForeignKey(
        "delegations.Delegate",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="visa_letters",
        verbose_name=_("delegate"),
        help_text=_("Only for a visa support letter."),
    )
    kind = models.CharField(
        _("document"), max_length=20, choices=Kind.choices, default=Kind.BRIEFING
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    file_format = models.CharField(
        _("format"), max_length=4, choices=Format.choices, default=Format.PDF
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    fingerprint = models.CharField(
        _("fingerprint of the file"), max_length=64, blank=True, editable=False
    )
    file = models.CharField(
        _("file"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_("Path under MEDIA_ROOT; served only through access checks."),
    )
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveIntegerField(_("bytes"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Renewed by the rendering worker every few seconds (dialogue.leases).
    lease_expires_at = models.DateTimeField(
        _("claimed until"), null=True, blank=True, editable=False
    )
    render_seconds = models.FloatField(_("render seconds"), null=True, blank=True)
    # Set when an input changed after the file was made (dialogue.changes), and
    # cleared by the render (or fingerprint check) that took the change in.
    stale_since = models.DateTimeField(
        _("inputs changed since"), null=True, blank=True, editable=False
    )
    changed_at = models.DateTimeField(
        _("last input change"), null=True, blank=True, editable=False
    )
    # Counts the changes: a render clears the stale mark only if no change came
    # in after it read the pack (its generation is still the one it saw).
    generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        db_table = "dialogue_pack"
        verbose_name = _("pack")
        verbose_name_plural = _("packs")
        ordering = ["meeting", "delegation__sort_order", "delegation__name_en", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "language"],
                condition=models.Q(kind="briefing"),
                name="pack_one_briefing_per_delegation_language",
            ),
            models.UniqueConstraint(
                fields=["delegate"],
                condition=models.Q(kind="visa_letter"),
                name="pack_one_visa_letter_per_delegate",
            ),
            # The travel lists: one per meeting, language and format; the
            # manifest also once per delegation (its focal point's copy).
            models.UniqueConstraint(
                fields=["meeting", "kind", "language", "file_format"],
                condition=models.Q(kind__in=TRAVEL_LISTS, delegation__isnull=True),
                name="pack_one_travel_list_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["delegation", "language", "file_format"],
                condition=models.Q(kind="manifest", delegation__isnull=False),
                name="pack_one_manifest_per_delegation",
            ),
            # Badges: a sheet per delegation, and one of the whole meeting.
            models.UniqueConstraint(
                fields=["delegation"],
                condition=models.Q(kind="badges", delegation__isnull=False),
                name="pack_one_badge_sheet_per_delegation",
            ),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(kind="badges", delegation__isnull=True),
                name="pack_one_badge_sheet_per_meeting",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="briefing",
                        delegate__isnull=True,
                        delegation__isnull=False,
                        file_format="pdf",
                    )
                    | models.Q(
                        kind="visa_letter",
                        delegate__isnull=False,
                        delegation__isnull=False,
                        language="bilingual",
                        file_format="pdf",
                    )
                    | models.Q(
                        kind="manifest",
                        delegate__isnull=True,
                        language__in=["en", "ru"],
                    )
                    | models.Q(
                        kind="badges",
                        delegate__isnull=True,
                        language="bilingual",
                        file_format="pdf",
                    )
                    | models.Q(
                        kind__in=["rooming", "transfers"],
                        delegate__isnull=True,
                        delegation__isnull=True,
                        language__in=["en", "ru"],
                    )
                ),
                name="pack_kind_matches_target",
            ),
            models.CheckConstraint(
                condition=models.Q(file_format__in=["pdf", "xlsx"]),
                name="pack_format_known",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=["en", "ru", "bilingual"]),
                name="pack_language_known",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["queued", "rendering", "ready", "failed"]
                ),
                name="pack_status_known",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "started_at"], name="dialogue_pa_status_76888d_idx"
            )
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.VISA_LETTER:
            return f"{self.get_kind_display()}: {self.delegate}"
        if self.kind == self.Kind.BADGES:
            return f"{self.get_kind_display()}: {self.delegation or self.meeting}"
        if self.is_travel_list:
            target = f": {self.delegation}" if self.delegation_id else ""
            return (
                f"{self.get_kind_display()}{target} "
                f"({self.language}, {self.get_file_format_display()})"
            )
        return f"{self.delegation} ({self.language})"

    @property
    def is_travel_list(self) -> bool:
        return self.kind in TRAVEL_LISTS

    @property
    def has_file(self) -> bool:
        return bool(self.file)

    @property
    def is_outdated(self) -> bool:
        """An input changed after this file was made (a re-render is due)."""
        return self.stale_since is not None
