"""The one way accreditation's decisions reach a delegation's focal point:
queued in the outbox after commit, composed when sent, in the delegation's
language (nominations, credentials, travel and flight change requests)."""

from django.utils.translation import gettext as _

from delegations.models import Delegation


def queue_for_focal_point(kind: str, object_id: int, delegation: Delegation) -> None:
    """Queue a decision's email to the delegation's focal point, if it has one."""
    from dialogue.outbox.services import Recipient, queue_email

    if not delegation.focal_point_email:
        return
    queue_email(
        delegation.meeting_id,
        kind=kind,
        recipient=Recipient(
            object_id=object_id,
            email=delegation.focal_point_email,
            language=delegation.language,
        ),
    )


def compose_for_focal_point(delegation: Delegation, templates: str, context: dict):
    """Return the email `templates` + "_subject.txt" / "_body.txt" make for the
    delegation's focal point, in its language (the outbox's Composed)."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from dialogue.i18n import localized
    from dialogue.outbox.kinds import Composed, NotToBeSent

    if not delegation.focal_point_email:
        raise NotToBeSent(_("The delegation has no focal point email."))
    lang = delegation.language
    with translation.override(lang):
        context = {
            **context,
            "delegation": delegation.name(lang),
            "meeting_title": localized(delegation.meeting, "short_title", lang),
            "lang": lang,
            "name": delegation.focal_point_name,
        }
        subject = render_to_string(f"{templates}_subject.txt", context).strip()
        body = render_to_string(f"{templates}_body.txt", context)
    return Composed(to=delegation.focal_point_email, subject=subject, body=body)
