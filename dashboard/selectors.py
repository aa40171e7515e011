"""The meeting dashboard's figures, read from every app (this app is the top floor).

Each figure is one aggregate over its model, so the dashboard costs the same
number of queries for 8 delegations as for 800; each links to the admin list
behind it, filtered by the meeting and what the figure counts. A section is
left out when the user may not view its model.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accreditation.models import Credentials, NominationRequest
from declaration.models import Version
from delegations.models import (
    AccessLink,
    Accreditation,
    Delegate,
    Delegation,
    FlightLeg,
)
from dialogue.i18n import localized
from dialogue.models import Meeting
from dialogue.outbox.models import Email
from dialogue.packs.selectors import pack_counts, pack_list_url


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    url: str
    of: int | None = None  # "9 of 15"
    alert: bool = False  # a figure that asks for action when it is not 0


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)


@dataclass(frozen=True)
class Deadline:
    when: datetime.datetime | datetime.date
    label: str
    url: str

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, datetime.datetime)


def admin_list(url_name: str, **filters) -> str:
    """Return an admin changelist URL with the list filters' own query string."""
    url = reverse(f"admin:{url_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


# A figure's label follows a count ("3 / 8 invited"): in Russian the status
# names (feminine singular, for one delegation) are phrased so they read after
# any number.
INVITATION_FIGURES = {
    Delegation.Invitation.INVITED: pgettext_lazy("delegations counted", "invited"),
    Delegation.Invitation.CONFIRMED: pgettext_lazy("delegations counted", "confirmed"),
    Delegation.Invitation.DECLINED: pgettext_lazy("delegations counted", "declined"),
}


def meeting_label(meeting: Meeting, lang: str | None = None) -> str:
    return f"{localized(meeting, 'short_title', lang)} ({meeting.start_date:%Y})"


def chosen_meeting(meeting_id: int | None) -> Meeting | None:
    """Return the meeting asked for, else the next to come, else the latest."""
    meetings = Meeting.objects.order_by("start_date", "pk")
    if meeting_id is not None:
        return meetings.filter(pk=meeting_id).first()
    today = timezone.localdate()
    return (
        meetings.filter(end_date__gte=today).first()
        or meetings.order_by("-start_date", "-pk").first()
    )


def delegation_sections(meeting: Meeting, user) -> list[Section]:
    """Invitations and funded seats (one query each)."""
    sections = []
    if user.has_perm("delegations.view_delegation"):
        counts = Delegation.objects.filter(meeting=meeting).aggregate(
            total=Count("id"),
            **{
                status: Count("id", filter=Q(invitation_status=status))
                for status in Delegation.Invitation.values
            },
            quota=Sum("funded_quota"),
        )
        section = Section("delegations", _("Delegations"))
        for status in Delegation.Invitation.values:
            section.figures.append(
                Figure(
                    INVITATION_FIGURES[status],
                    counts[status],
                    admin_list(
                        "delegations_delegation",
                        meeting__id__exact=meeting.pk,
                        invitation_status__exact=status,
                    ),
                    of=counts["total"],
                )
            )
        sections.append(section)
    if user.has_perm("delegations.view_delegate"):
        quota = Delegation.objects.filter(meeting=meeting).aggregate(
            quota=Sum("funded_quota"), named=Sum("funded_count")
        )
        sections.append(
            Section(
                "funding",
                _("Funded seats"),
                [
                    Figure(
                        _("funded delegates named, against the quota"),
                        quota["named"] or 0,
                        admin_list(
                            "delegations_delegate",
                            delegation__meeting__id__exact=meeting.pk,
                            funded__exact=1,
                        ),
                        of=quota["quota"] or 0,
                    )
                ],
            )
        )
    return sections


def accreditation_section(meeting: Meeting, user) -> Section | None:
    """Where the delegates stand, and what waits for review (a query each).

    Accreditation runs forward, so each figure counts those past it too: a
    checked-in delegate was accredited and had a badge printed.
    """
    if not user.has_perm("delegations.view_delegate"):
        return None
    status = Accreditation
    counts = Delegate.objects.filter(meeting=meeting).aggregate(
        total=Count("id"),
        accredited=Count("id", filter=~Q(accreditation=status.NOMINATED)),
        badge_printed=Count(
            "id",
            filter=Q(accreditation__in=[status.BADGE_PRINTED, status.CHECKED_IN]),
        ),
        checked_in=Count("id", filter=Q(accreditation=status.CHECKED_IN)),
    )
    section = Section("accreditation", _("Accreditation"))

    def delegates(state: str) -> str:
        return admin_list(
            "delegations_delegate",
            delegation__meeting__id__exact=meeting.pk,
            accreditation__exact=state,
        )

    section.figures += [
        Figure(
            pgettext_lazy("delegates counted", "accredited"),
            counts["accredited"],
            delegates(status.ACCREDITED),
            of=counts["total"],
        ),
        Figure(
            _("badges printed"),
            counts["badge_printed"],
            delegates(status.BADGE_PRINTED),
            of=counts["total"],
        ),
        Figure(
            pgettext_lazy("delegates counted", "checked in"),
            counts["checked_in"],
            delegates(status.CHECKED_IN),
            of=counts["total"],
        ),
    ]
    if user.has_perm("accreditation.view_nominationrequest"):
        waiting = NominationRequest.objects.filter(
            delegation__meeting=meeting, status=NominationRequest.Status.PENDING
        ).count()
        section.figures.append(
            Figure(
                _("nominations awaiting review"),
                waiting,
                admin_list(
                    "accreditation_nominationrequest",
                    delegation__meeting__id__exact=meeting.pk,
                    status__exact=NominationRequest.Status.PENDING,
                ),
                alert=True,
            )
        )
    if user.has_perm("accreditation.view_credentials"):
        received = Credentials.objects.filter(
            delegation__meeting=meeting, status=Credentials.Status.RECEIVED
        ).count()
        section.figures.append(
            Figure(
                _("credentials awaiting review"),
                received,
                admin_list(
                    "accreditation_credentials",
                    delegation__meeting__id__exact=meeting.pk,
                    status__exact=Credentials.Status.RECEIVED,
                ),
                alert=True,
            )
        )
    return section


def travel_section(meeting: Meeting, user) -> Section | None:
    """Tickets, hotels and links (one query each)."""
    section = Section("travel", _("Travel and links"))
    if user.has_perm("delegations.view_flightleg"):
        legs = FlightLeg.objects.filter(delegate__meeting=meeting).aggregate(
            active=Count("id", filter=~Q(status=FlightLeg.Status.CANCELLED)),
            ticketed=Count("id", filter=Q(status=FlightLeg.Status.TICKETED)),
        )
        section.figures.append(
            Figure(
                _("flight legs ticketed"),
                legs["ticketed"],
                admin_list(
                    "delegations_flightleg",
                    delegate__meeting__id__exact=meeting.pk,
                    status__exact=FlightLeg.Status.TICKETED,
                ),
                of=legs["active"],
            )
        )
    if user.has_perm("delegations.view_delegate"):
        delegates = Delegate.objects.filter(meeting=meeting).aggregate(
            total=Count("id", distinct=True),
            housed=Count("hotel_stays__delegate_id", distinct=True),
        )
        section.figures.append(
            Figure(
                _("delegates with a hotel booked"),
                delegates["housed"],
                admin_list(
                    "delegations_delegate",
                    delegation__meeting__id__exact=meeting.pk,
                    hotel="booked",
                ),
                of=delegates["total"],
            )
        )
    if user.has_perm("delegations.view_accesslink"):
        links = AccessLink.objects.filter(
            Q(delegate__meeting=meeting) | Q(delegation__meeting=meeting),
            revoked_at__isnull=True,
        ).aggregate(
            total=Count("id"),
            sent=Count("id", filter=Q(sent_at__isnull=False)),
            opened=Count("id", filter=Q(last_opened_at__isnull=False)),
        )
        for state, label in (
            ("sent", _("links sent")),
            ("opened", _("links opened")),
        ):
            section.figures.append(
                Figure(
                    label,
                    links[state],
                    admin_list(
                        "delegations_accesslink", meeting=meeting.pk, state=state
                    ),
                    of=links["total"],
                )
            )
    return section if section.figures else None


def documents_section(meeting: Meeting, user) -> Section | None:
    """Packs and the outbox (one query each)."""
    section = Section("documents", _("Packs and emails"))
    if user.has_perm("packs.view_pack") or user.has_perm("dialogue.view_pack"):
        counts = pack_counts(meeting)
        packs = pack_list_url()
        for state, label, alert in (
            ("ready", _("packs ready"), False),
            ("stale", _("packs stale (re-rendering)"), True),
            ("failed", _("packs failed"), True),
        ):
            query = {"meeting__id__exact": meeting.pk, "status": state}
            section.figures.append(
                Figure(
                    label,
                    counts[state],
                    f"{packs}?{urlencode(query)}",
                    of=counts["total"],
                    alert=alert,
                )
            )
    if user.has_perm("outbox.view_email"):
        failed = Email.objects.filter(
            meeting=meeting, status=Email.Status.FAILED
        ).count()
        section.figures.append(
            Figure(
                _("emails failed"),
                failed,
                admin_list(
                    "outbox_email",
                    meeting__id__exact=meeting.pk,
                    status__exact=Email.Status.FAILED,
                ),
                alert=True,
            )
        )
    return section if section.figures else None


def circulated_versions(meeting: Meeting) -> list[Version]:
    """Return the meeting's circulated versions with their comment counts."""
    return list(
        Version.objects.filter(
            declaration__meeting=meeting, status=Version.Status.CIRCULATED
        )
        .select_related("declaration")
        # Awaiting the drafters: not yet decided on (taken, not taken ...).
        .annotate(
            comment_count=Count("comments", filter=Q(comments__outcome="pending"))
        )
        .order_by("comment_deadline", "pk")
    )


def comments_section(versions: list[Version], user, lang: str) -> Section | None:
    """Comments on the versions still circulated: the drafters have them to read."""
    if not user.has_perm("declaration.view_comment"):
        return None
    section = Section("comments", _("Comments awaiting the drafters"))
    for version in versions:
        section.figures.append(
            Figure(
                _("%(declaration)s, version %(number)s")
                % {
                    "declaration": version.declaration.title(lang),
                    "number": version.number,
                },
                version.comment_count,
                admin_list(
                    "declaration_comment",
                    version__id__exact=version.pk,
                    outcome__exact="pending",
                ),
            )
        )
    return section


def next_deadlines(
    meeting: Meeting, versions: list[Version], user, lang: str
) -> list[Deadline]:
    """Comment deadlines still ahead, and the meeting's first day."""
    now = timezone.now()
    deadlines = []
    if user.has_perm("declaration.view_version"):
        deadlines += [
            Deadline(
                version.comment_deadline,
                _("Comments on %(declaration)s, version %(number)s")
                % {
                    "declaration": version.declaration.title(lang),
                    "number": version.number,
                },
                reverse("admin:declaration_version_change", args=[version.pk]),
            )
            for version in versions
            if version.comment_deadline and version.comment_deadline >= now
        ]
    if meeting.start_date >= timezone.localdate():
        deadlines.append(
            Deadline(
                meeting.start_date,
                _("The meeting opens"),
                reverse("admin:dialogue_meeting_change", args=[meeting.pk]),
            )
        )
    return deadlines


def dashboard(meeting: Meeting, user, lang: str) -> dict:
    """Return the dashboard's sections and deadlines for the user (12 queries)."""
    versions = circulated_versions(meeting)
    sections = [
        *delegation_sections(meeting, user),
        accreditation_section(meeting, user),
        travel_section(meeting, user),
        documents_section(meeting, user),
        comments_section(versions, user, lang),
    ]
    return {
        "sections": [s for s in sections if s is not None],
        "deadlines": next_deadlines(meeting, versions, user, lang),
    }
