"""The door staff's check-in page, in the admin (CheckInAdmin wires the URLs).

Thin: the camera's code (or the code typed by hand) goes to
accreditation.services.checkin.check_in, and its answer is shown: the
holder's name in both scripts, photo, delegation, category, whether they are
invited to the session in progress and to the working dinner, and a big
green, amber or red state said in words. The scanner posts to the JSON
endpoint; the form (no JavaScript, or a code typed by hand) posts to the page.
Both render the same answer template.

Only staff with accreditation.check_in get in; a badge's code opens nothing
but this answer (it is a POST field here, never part of a URL).
"""

import mimetypes

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accreditation.models import Badge, BadgePhoto
from accreditation.selectors.checkin import (
    door_meeting,
    door_sessions,
    invitations_shown,
    session_in_progress,
)
from accreditation.services.checkin import CheckInResult, Reason, State, check_in
from agenda.models import Session
from dialogue.ids import parse_id
from dialogue.timefmt import format_datetime, format_time

PERMISSION = "accreditation.check_in"
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
VENUE = "venue"  # the door choice for the venue's entrance (no session)

HEADINGS = {
    Reason.CHECKED_IN: lambda: _("Checked in"),
    Reason.ALREADY: lambda: _("Already checked in"),
    Reason.UNKNOWN: lambda: _("Not a valid badge"),
    Reason.REVOKED: lambda: _("Badge revoked"),
    Reason.REPLACED: lambda: _("Badge replaced"),
    Reason.WITHDRAWN: lambda: _("Delegate withdrawn"),
    Reason.OTHER_MEETING: lambda: _("Badge of another meeting"),
    Reason.NOT_INVITED: lambda: _("Not invited to this session"),
}
DETAILS = {
    Reason.UNKNOWN: lambda: _(
        "This code is not one of our badges, or it was altered. Do not let in."
    ),
    Reason.REVOKED: lambda: _(
        "Do not let in. Send the holder to the accreditation desk."
    ),
    Reason.REPLACED: lambda: _(
        "A newer badge was issued to this person; this one is void. Send the "
        "holder to the accreditation desk."
    ),
    Reason.WITHDRAWN: lambda: _("The delegation withdrew this person. Do not let in."),
    Reason.OTHER_MEETING: lambda: _("This badge is for another meeting."),
    Reason.NOT_INVITED: lambda: _(
        "Not checked in. Ask the protocol officer before letting in."
    ),
}


def require_door_staff(request) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


class Door:
    """Where the phone stands: a meeting's venue entrance or one session."""

    def __init__(self, meeting, session: Session | None):
        self.meeting = meeting
        self.session = session

    @property
    def value(self) -> str:
        return str(self.session.pk) if self.session else VENUE

    def label(self) -> str:
        if self.session is None:
            return _("Entrance (the venue)")
        return str(self.session)


def chosen_door(data, *, default_in_progress: bool) -> Door:
    """Read the meeting and door from the query or the form; 404 if unknown."""
    asked = data.get("meeting")
    meeting = door_meeting(parse_id(asked))
    if meeting is None:
        raise Http404("No such meeting.")
    door = data.get("door")
    if door is None or door == "":
        session = session_in_progress(meeting) if default_in_progress else None
        return Door(meeting, session)
    if door == VENUE:
        return Door(meeting, None)
    session = (
        Session.objects.filter(meeting=meeting, pk=parse_id(door))
        .select_related("meeting")
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return Door(meeting, session)


def _who(user) -> str:
    if user is None:
        return _("someone since removed")
    return user.get_full_name() or user.get_username()


def answer_context(result: CheckInResult, door: Door, lang: str) -> dict:
    """What the answer shows, for the template (both paths render it)."""
    badge = result.badge
    answer = {
        "state": result.state,
        "reason": result.reason,
        "heading": HEADINGS[result.reason](),
        "detail": DETAILS.get(result.reason, lambda: "")(),
        "door": door.label(),
    }
    row = result.check_in
    if row is not None:
        when = format_time(row.checked_in_at, door.meeting.tzinfo)
        if result.reason == Reason.ALREADY:
            answer["detail"] = _(
                "Checked in at %(time)s by %(who)s. Let in: this scan records "
                "nothing new."
            ) % {
                "time": format_datetime(
                    row.checked_in_at, door.meeting.tzinfo, lang=lang, with_zone=False
                ),
                "who": _who(row.checked_in_by),
            }
        else:
            answer["detail"] = _("Let in. Checked in at %(time)s.") % {"time": when}
    if badge is None:
        return answer
    delegate = badge.delegate
    answer.update(
        {
            "name_latin": badge.holder_name_latin,
            "name_cyrillic": badge.holder_name_cyrillic,
            "category": badge.get_category_display(),
            "delegation": delegate.delegation.name(lang) if delegate else "",
            "photo_url": (
                reverse("admin:accreditation_checkin_photo", args=[badge.pk])
                if delegate and BadgePhoto.objects.filter(delegate=delegate).exists()
                else ""
            ),
            "invitations": [
                {
                    "title": invitation.session.title(lang),
                    "when": format_time(
                        invitation.session.start_at, door.meeting.tzinfo
                    ),
                    "dinner": invitation.dinner,
                    "kind_label": invitation.session.get_kind_display(),
                    "invited": invitation.invited,
                }
                for invitation in invitations_shown(badge, door.meeting)
            ]
            # Shown to decide on a valid badge; a red one is not let in at all.
            if result.state != State.RED
            else [],
        }
    )
    return answer


def door_page(request, admin_site):
    """GET: the scanner and the form. POST: the form's code checked in."""
    require_door_staff(request)
    data = request.POST if request.method == "POST" else request.GET
    door = chosen_door(data, default_in_progress=request.method == "GET")
    lang = get_language()
    answer = None
    status = 200
    code = ""
    if request.method == "POST":
        code = "".join(request.POST.get("code", "").split())
        if not code:
            answer = {
                "state": "red",
                "reason": "empty",
                "heading": _("No code"),
                "detail": _("Badge code: type the code printed under the QR code."),
                "door": door.label(),
            }
            status = 400
        else:
            result = check_in(
                code, by=request.user, session=door.session, meeting=door.meeting
            )
            answer = answer_context(result, door, lang)
            code = ""  # the next badge starts from an empty field
    context = {
        **admin_site.each_context(request),
        "title": _("Check-in at the door"),
        "door": door,
        "doors": [(VENUE, _("Entrance (the venue)"))]
        + [(str(s.pk), str(s)) for s in door_sessions(door.meeting)],
        "answer": answer,
        "code": code,
        "scan_url": reverse("admin:accreditation_checkin_scan"),
    }
    response = TemplateResponse(
        request, "admin/accreditation/checkin_door.html", context, status=status
    )
    response["Cache-Control"] = "private, no-store"
    return response


def scan(request):
    """The scanner's endpoint: a code in, the answer out (JSON with its HTML)."""
    require_door_staff(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    door = chosen_door(request.POST, default_in_progress=False)
    code = "".join(request.POST.get("code", "").split())
    result = check_in(code, by=request.user, session=door.session, meeting=door.meeting)
    answer = answer_context(result, door, get_language())
    html = render_to_string(
        "admin/accreditation/checkin_answer.html", {"answer": answer}, request
    )
    response = JsonResponse(
        {"state": answer["state"], "reason": answer["reason"], "html": html}
    )
    response["Cache-Control"] = "private, no-store"
    return response


def photo(request, badge_id: int):
    """A badge holder's photo, from private storage, for door staff only."""
    require_door_staff(request)
    badge = get_object_or_404(Badge.objects.select_related("delegate"), pk=badge_id)
    found = (
        BadgePhoto.objects.filter(delegate_id=badge.delegate_id).first()
        if badge.delegate_id
        else None
    )
    if found is None or not found.image:
        raise Http404("No photo.")
    content_type = mimetypes.guess_type(found.image.name)[0]
    if content_type not in PHOTO_TYPES:
        raise Http404("No photo.")  # served only as a plain picture
    response = FileResponse(found.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
