from django.apps import AppConfig
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _


def refuse_frozen_delete(sender, instance, **kwargs):
    """Refuse deleting a frozen version or its paragraphs, also in cascades.

    Cascades (deleting a meeting or a declaration) do not call Model.delete(),
    but they do send pre_delete for every row.
    """
    from declaration.models import Paragraph, Version

    if sender is Version:
        Paragraph.refuse_frozen_version(instance.pk)
    elif sender is Paragraph:
        Paragraph.refuse_frozen_version(instance.version_id)


class DeclarationConfig(AppConfig):
    name = "declaration"
    verbose_name = _("Declaration")

    def ready(self):
        from declaration.models import Paragraph, Version
        from declaration.panels import declaration_panel
        from declaration.services import (
            CIRCULATION_EMAIL,
            DEADLINE_EMAIL,
            SILENCE_ADOPTED_EMAIL,
            SILENCE_STARTED_EMAIL,
            compose_circulation_email,
            compose_deadline_email,
            compose_silence_adopted_email,
            compose_silence_started_email,
            queue_due_silences,
            record_circulation_sent,
        )
        from delegations.panels import register_panel
        from dialogue.outbox.kinds import EmailKind
        from dialogue.outbox.kinds import register as register_email_kind
        from dialogue.sweeps import register_sweep

        pre_delete.connect(refuse_frozen_delete, sender=Version, dispatch_uid="v")
        pre_delete.connect(refuse_frozen_delete, sender=Paragraph, dispatch_uid="p")
        register_panel(50, declaration_panel)
        register_email_kind(
            EmailKind(
                name=CIRCULATION_EMAIL,
                label=_("version circulated"),
                compose=compose_circulation_email,
                delivered=record_circulation_sent,
            )
        )
        # Every worker checks for silences past their deadline at each sweep
        # (dialogue/tasks.py), whatever the broker: no beat process needed.
        register_sweep(queue_due_silences)
        register_email_kind(
            EmailKind(
                name=SILENCE_STARTED_EMAIL,
                label=_("version under silence procedure"),
                compose=compose_silence_started_email,
            )
        )
        register_email_kind(
            EmailKind(
                name=SILENCE_ADOPTED_EMAIL,
                label=_("version adopted by silence procedure"),
                compose=compose_silence_adopted_email,
            )
        )
        register_email_kind(
            EmailKind(
                name=DEADLINE_EMAIL,
                label=_("comment deadline extended"),
                compose=compose_deadline_email,
            )
        )
