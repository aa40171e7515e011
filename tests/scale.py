"""A generated conference of any size, for bench/scale.py and the query-count test.

    from tests.scale import generate_conference
    conference = generate_conference(delegations=200, participants=20_000)

It lives in tests/ (not in the portal's own packages, which never ship a data
generator) and bench/scale.py imports it with the checkout on sys.path, so the
test measures the same meeting as the bench without importing bench/.

Rows are made the way the services make them, in bulk where one service call
per row would take minutes: every database constraint and trigger still checks
each row (funded quota, hotel overlap, room overlap, speakers of the meeting),
and the models that keep a history get their history rows
(simple_history's bulk_create_with_history), as a service's save would. The
focal-point links, the declaration, its draft and its circulation go through
the services themselves.

The meeting's shape is the same at every size, so a page's query count must
not change with it: delegations of three kinds with one host, the largest
delegation four times the others, funded delegates within the quota, two legs
and a hotel stay per travelling delegate (some legs open, a few cancelled),
a link per delegate and per delegation (most sent), sessions over three days
in several rooms with speaking slots, a chair and invitations of every scope,
and a circulated declaration whose comments include conflicting proposals.
"""

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

SURNAMES = [
    ("Karimov", "Каримов"),
    ("Nazarova", "Назарова"),
    ("Tokayev", "Токаев"),
    ("Rakhimova", "Рахимова"),
    ("Berdiyev", "Бердыев"),
    ("Sultanova", "Султанова"),
    ("Abdullayev", "Абдуллаев"),
    ("Ismailova", "Исмаилова"),
    ("Orazov", "Оразов"),
    ("Juraeva", "Жураева"),
    ("Petrov", "Петров"),
    ("Ivanova", "Иванова"),
    ("Sadykov", "Садыков"),
    ("Umarova", "Умарова"),
    ("Mamedov", "Мамедов"),
    ("Kasymova", "Касымова"),
    ("Aliyev", "Алиев"),
    ("Omarova", "Омарова"),
    ("Yusupov", "Юсупов"),
    ("Niyazova", "Ниязова"),
]
# One surname in twenty: the bench searches for it in each script.
SEARCH_LATIN, SEARCH_CYRILLIC = SURNAMES[0]
ROLES = ["head", "counter_terrorism", "security", "adviser", "adviser", "other"]
ROOMS = 10
DAYS = 3
SLOTS_PER_SESSION = 5


@dataclass
class Conference:
    meeting: object
    delegations: list
    largest: object  # the delegation with the most delegates
    focal_point_tokens: dict  # delegation id -> its focal-point link's token
    version: object  # the circulated version with the comments
    first_day: datetime.date
    counts: dict = field(default_factory=dict)

    @property
    def focal_point_token(self) -> str:
        """The largest delegation's focal-point link."""
        return self.focal_point_tokens[self.largest.pk]


def delegation_sizes(delegations: int, participants: int) -> list[int]:
    """Return how many delegates each delegation has: the first four shares,
    every other one share, the remainder spread from the second on."""
    share, extra = divmod(participants, delegations + 3)
    sizes = [4 * share] + [share] * (delegations - 1)
    for i in range(extra):
        sizes[1 + i % (delegations - 1)] += 1
    return sizes


def make_meeting(slug: str):
    from dialogue.models import Meeting

    return Meeting.objects.create(
        slug=slug,
        title_en="United Nations Conference on Counter-Terrorism (scale test)",
        title_ru="Конференция ООН по борьбе с терроризмом (тест масштаба)",
        short_title_en="Scale conference",
        short_title_ru="Конференция (масштаб)",
        start_date=datetime.date(2030, 6, 11),
        end_date=datetime.date(2030, 6, 11) + datetime.timedelta(days=DAYS - 1),
        time_zone="Asia/Ashgabat",
        venue_en="Yyldyz Hotel",
        venue_ru="Гостиница «Йылдыз»",
        city_en="Ashgabat",
        city_ru="Ашхабад",
        country_code="TM",
        venue_airport="ASB",
        chair_en="The Secretary-General",
        chair_ru="Генеральный секретарь",
        organisers_en="UNCCT; UNRCCA",
        organisers_ru="КТЦ ООН; РЦПДЦА",
        background_en="Background.",
        background_ru="Предыстория.",
        objectives_en="Objectives.",
        objectives_ru="Цели.",
        format_en="Format.",
        format_ru="Формат.",
        participants_en="Participants.",
        participants_ru="Участники.",
        expected_outcomes_en="Outcomes.",
        expected_outcomes_ru="Ожидаемые итоги.",
        secretariat_email="secretariat@example.org",
    )


def make_delegations(meeting, count: int) -> list:
    import pycountry
    from simple_history.utils import bulk_create_with_history

    from delegations.models import Delegation

    codes = [c.alpha_2 for c in pycountry.countries if c.alpha_2 != "TM"]
    rows = []
    for i in range(count):
        organiser = i == count - 1
        observer = not organiser and i % 20 == 19
        kind = (
            Delegation.Kind.ORGANISER
            if organiser
            else Delegation.Kind.OBSERVER
            if observer
            else Delegation.Kind.MEMBER_STATE
        )
        rows.append(
            Delegation(
                meeting=meeting,
                kind=kind,
                country_code="" if organiser else ("TM" if i == 1 else codes[i]),
                name_en="United Nations" if organiser else f"State {i:03d}",
                name_ru="Организация Объединённых Наций"
                if organiser
                else f"Государство {i:03d}",
                is_host=i == 1,
                sort_order=i,
                invitation_status="invited" if i % 10 == 9 else "confirmed",
                focal_point_name=f"Protocol Officer {i:03d}",
                focal_point_email=f"protocol{i:03d}@mfa.example",
                language="ru" if i % 2 else "en",
                funded_quota=Delegation.DEFAULT_QUOTA[kind],
            )
        )
    return bulk_create_with_history(rows, Delegation)


def make_delegates(meeting, delegations: list, participants: int) -> list:
    from simple_history.utils import bulk_create_with_history

    from delegations.models import Delegate

    rows = []
    number = itertools.count()
    sizes = delegation_sizes(len(delegations), participants)
    for delegation, size in zip(delegations, sizes, strict=True):
        for k in range(size):
            n = next(number)
            latin, cyrillic = SURNAMES[n % len(SURNAMES)]
            rows.append(
                Delegate(
                    meeting=meeting,
                    delegation=delegation,
                    honorific="he" if k == 0 else ("ms" if n % 2 else "mr"),
                    name_latin=f"{latin} P{n:05d}",
                    name_cyrillic=f"{cyrillic} У{n:05d}",
                    position_en="Minister of Foreign Affairs" if k == 0 else "Adviser",
                    position_ru="Министр иностранных дел" if k == 0 else "Советник",
                    role=ROLES[min(k, len(ROLES) - 1)],
                    sort_order=k,
                    email=f"p{n:05d}@d{delegation.sort_order:03d}.example",
                    phone=f"+99312{100000 + n:06d}",
                    preferred_language="ru" if n % 3 else "en",
                    # Within the quota, as save_delegate allows (the database
                    # counts them: delegations 0007).
                    funded=k < delegation.funded_quota,
                    dietary_needs="vegetarian" if n % 7 == 0 else "",
                )
            )
    return bulk_create_with_history(rows, Delegate)


def make_travel(meeting, delegates: list) -> tuple[int, int]:
    """Two legs and a stay per travelling delegate (the host's stay at home)."""
    from simple_history.utils import bulk_create_with_history

    from delegations.models import FlightLeg, HotelStay

    tz = meeting.tzinfo
    arrive = datetime.datetime.combine(
        meeting.start_date - datetime.timedelta(days=1), datetime.time(3, 0), tz
    )
    leave = datetime.datetime.combine(meeting.end_date, datetime.time(20, 0), tz)
    legs, stays = [], []
    for n, person in enumerate(delegates):
        if person.delegation.is_host:
            continue
        status = (
            FlightLeg.Status.BOOKED
            if n % 9 == 0
            else FlightLeg.Status.REQUESTED
            if n % 13 == 0
            else FlightLeg.Status.TICKETED
        )
        fare = Decimal(350 + n % 400) if person.funded else None
        for outbound in (True, False):
            start = arrive if outbound else leave
            legs.append(
                FlightLeg(
                    delegate=person,
                    carrier="Turkmenistan Airlines",
                    flight_number=f"T5{n % 900 + 100}",
                    from_airport="IST" if outbound else "ASB",
                    to_airport="ASB" if outbound else "IST",
                    departs_at=start,
                    arrives_at=start + datetime.timedelta(hours=4),
                    status=FlightLeg.Status.CANCELLED
                    if n % 50 == 0 and not outbound
                    else status,
                    booking_reference=f"BK{n:05d}",
                    fare=fare,
                    currency="EUR" if n % 5 == 0 else "USD",
                )
            )
        if n % 11:
            stays.append(
                HotelStay(
                    delegate=person,
                    hotel_en="Yyldyz Hotel",
                    hotel_ru="Гостиница «Йылдыз»",
                    check_in=meeting.start_date - datetime.timedelta(days=1),
                    check_out=meeting.end_date + datetime.timedelta(days=1),
                    confirmation_number=f"H{n:05d}",
                )
            )
    bulk_create_with_history(legs, FlightLeg, batch_size=5000)
    bulk_create_with_history(stays, HotelStay, batch_size=5000)
    return len(legs), len(stays)


def make_links(meeting, delegations: list, delegates: list) -> dict:
    """Focal-point links through the service; delegates' links in bulk, made
    as issue_itinerary_link makes them (a sealed token, the same expiry)."""
    from django.utils import timezone

    from delegations.models import AccessLink
    from delegations.services import issue_itinerary_link, link_expiry
    from delegations.tokens import new_token

    tokens = {d.pk: issue_itinerary_link(d).token for d in delegations}
    expires = link_expiry(meeting)
    AccessLink.objects.bulk_create(
        (
            AccessLink(
                kind=AccessLink.Kind.DELEGATE,
                delegate=person,
                token=new_token(),
                expires_at=expires,
            )
            for person in delegates
        ),
        batch_size=5000,
    )
    # Sent, as record_link_sent marks them once the email went: all but every
    # tenth delegation's.
    sent = [d.pk for d in delegations if d.sort_order % 10 != 3]
    now = timezone.now()
    AccessLink.objects.filter(delegation_id__in=sent).update(sent_at=now)
    AccessLink.objects.filter(delegate__delegation_id__in=sent).update(sent_at=now)
    return tokens


def make_programme(meeting, delegations: list, delegates: list, sessions: int):
    """Sessions over the days in ROOMS rooms, none overlapping in a room, each
    with SLOTS_PER_SESSION speakers; nobody speaks in two sessions at once."""
    from simple_history.utils import bulk_create_with_history

    from agenda.models import Room, Session, SpeakingSlot

    rooms = Room.objects.bulk_create(
        Room(
            meeting=meeting,
            name_en=f"Room {r + 1}",
            name_ru=f"Зал {r + 1}",
            sort_order=r,
        )
        for r in range(ROOMS)
    )
    tz = meeting.tzinfo
    per_day = -(-sessions // DAYS)
    rows = []
    for s in range(sessions):
        day, index = divmod(s, per_day)
        turn, room = divmod(index, ROOMS)
        start = datetime.datetime.combine(
            meeting.start_date + datetime.timedelta(days=day),
            datetime.time(9, 0),
            tz,
        ) + datetime.timedelta(minutes=50 * turn)
        kind = "opening" if s == 0 else ("dinner" if s == sessions - 1 else "thematic")
        rows.append(
            Session(
                meeting=meeting,
                kind=kind,
                title_en=f"Session {s + 1}: regional cooperation",
                title_ru=f"Заседание {s + 1}: региональное сотрудничество",
                start_at=start,
                end_at=start + datetime.timedelta(minutes=45),
                room=rooms[room],
                invitation=(
                    "heads" if s % 7 == 3 else "chosen" if s % 7 == 5 else "all"
                ),
            )
        )
    rows = bulk_create_with_history(rows, Session)
    # Heads first; the speakers of one turn (same day, same time) are distinct.
    pool = sorted(delegates, key=lambda d: (d.sort_order, d.delegation.sort_order))
    width = min(ROOMS, per_day) * SLOTS_PER_SESSION
    assert width <= len(pool), "too few delegates for the speakers of a turn"
    slots, chairs, invited = [], [], []
    for s, session in enumerate(rows):
        day, index = divmod(s, per_day)
        turn, room = divmod(index, ROOMS)
        group = day * per_day + turn  # a number for each (day, turn)
        for j in range(SLOTS_PER_SESSION):
            speaker = pool[(group * width + room * SLOTS_PER_SESSION + j) % len(pool)]
            slots.append(
                SpeakingSlot(
                    session=session,
                    position=j + 1,
                    speaker=speaker,
                    subject_en="National statement",
                    subject_ru="Национальное заявление",
                    minutes=8 if j < 4 else 10,
                )
            )
        chairs.append(
            Session.chairs.through(
                session_id=session.pk, delegate_id=pool[s % len(pool)].pk
            )
        )
        if session.invitation == "chosen":
            invited += [
                Session.invited_delegations.through(
                    session_id=session.pk, delegation_id=d.pk
                )
                for d in delegations[s % 3 :: 3][:6]
            ]
    SpeakingSlot.objects.bulk_create(slots, batch_size=5000)
    Session.chairs.through.objects.bulk_create(chairs)
    Session.invited_delegations.through.objects.bulk_create(invited)
    return len(slots)


def make_declaration(meeting, delegations: list, paragraphs: int, comments: int):
    """The declaration, its draft and its circulation through the services;
    the draft's paragraphs and the comments in bulk, as save_draft and
    add_comment write them."""
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from declaration.models import Comment, Paragraph
    from declaration.services import circulate_version, create_declaration, start_draft

    declaration = create_declaration(
        meeting,
        title_en="Declaration of the Conference",
        title_ru="Декларация Конференции",
    )
    draft = start_draft(declaration, author_name="Drafting committee")
    preambular = max(paragraphs // 6, 1)
    rows = bulk_create_with_history(
        [
            Paragraph(
                version=draft,
                position=p + 1,
                kind="preambular" if p < preambular else "operative",
                text_en=f"Paragraph {p + 1}: the States reaffirm their commitment "
                "to the Global Counter-Terrorism Strategy and its four pillars.",
                text_ru=f"Пункт {p + 1}: государства вновь подтверждают "
                "приверженность Глобальной контртеррористической стратегии.",
            )
            for p in range(paragraphs)
        ],
        Paragraph,
    )
    version = circulate_version(
        draft, deadline=timezone.now() + datetime.timedelta(days=30)
    )
    # Everyone but the organiser comments (it is not circulated to).
    commenters = [d for d in delegations if d.kind != "organiser"]
    decided = timezone.now()
    batch = []
    numbers = {}  # per delegation on the version: KZ-1, KZ-2 ...
    for c in range(comments):
        paragraph = rows[c % len(rows)]
        delegation = commenters[(c // len(rows)) % len(commenters)]
        numbers[delegation.pk] = numbers.get(delegation.pk, 0) + 1
        # One in five proposes wording: several delegations on most
        # paragraphs, so the drafters' page shows conflicts side by side.
        proposal = (c // len(rows)) % 5 == 0
        language = "ru" if c % 2 else "en"
        batch.append(
            Comment(
                paragraph=paragraph,
                version=version,
                delegation=delegation,
                number=numbers[delegation.pk],
                kind="proposal" if proposal else "comment",
                language=language,
                text=(
                    f"{paragraph.text_ru} Предлагаем добавить: «в полном объёме» {c}."
                    if language == "ru"
                    else f"{paragraph.text_en} We propose to add: in full {c}."
                )
                if proposal
                else f"Comment {c} of {delegation.name_en} on this paragraph.",
                submitted_by=f"Protocol Officer {delegation.sort_order:03d}",
                outcome="not_taken" if c % 10 == 9 and not proposal else "pending",
                reply="Not retained by the drafters." if c % 10 == 9 else "",
                decided_at=decided if c % 10 == 9 and not proposal else None,
            )
        )
    bulk_create_with_history(batch, Comment, batch_size=5000)
    return version


def make_staff(username: str = "scale-secretary"):
    """A Secretariat account with a confirmed second factor."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from dialogue.two_factor import enroll_staff_device

    user = get_user_model().objects.create_user(
        username=username, password=None, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Secretariat"))
    enroll_staff_device(user)
    return user


def untimed(label: str, make):
    return make()


def generate_conference(
    *,
    delegations: int = 200,
    participants: int = 20_000,
    sessions: int = 300,
    paragraphs: int = 60,
    comments: int = 2_000,
    slug: str = "scale",
    step=untimed,
) -> Conference:
    """Return a new meeting of the given size (see the module's docstring).

    step(label, make) runs each part (the bench passes one that times it).
    """
    from delegations.models import Delegate

    meeting = step("meeting", lambda: make_meeting(slug))
    rows = step(
        f"{delegations} delegations", lambda: make_delegations(meeting, delegations)
    )
    people = step(
        f"{participants} participants",
        lambda: make_delegates(meeting, rows, participants),
    )
    # bulk_create_with_history keeps the delegation objects on the delegates.
    legs, stays = step("flights and hotel stays", lambda: make_travel(meeting, people))
    tokens = step(
        "links (focal points' by the service)",
        lambda: make_links(meeting, rows, people),
    )
    slots = step(
        f"{sessions} sessions with speaking slots",
        lambda: make_programme(meeting, rows, people, sessions),
    )
    version = step(
        f"declaration: {paragraphs} paragraphs, {comments} comments",
        lambda: make_declaration(meeting, rows, paragraphs, comments),
    )
    largest = rows[0]
    return Conference(
        meeting=meeting,
        delegations=rows,
        largest=largest,
        focal_point_tokens=tokens,
        version=version,
        first_day=meeting.start_date,
        counts={
            "delegations": len(rows),
            "participants": len(people),
            "largest delegation": Delegate.objects.filter(delegation=largest).count(),
            "flight legs": legs,
            "hotel stays": stays,
            "sessions": sessions,
            "speaking slots": slots,
            "paragraphs": paragraphs,
            "comments": comments,
        },
    )


def staff_pages(conference: Conference) -> list[tuple[str, str]]:
    """Return (label, URL) of each secretariat page the bench and the test read."""
    from urllib.parse import urlencode

    from django.urls import reverse

    meeting = conference.meeting
    delegates = reverse("admin:delegations_delegate_changelist")
    by_meeting = {"delegation__meeting__id__exact": meeting.pk}

    def delegates_list(**extra) -> str:
        return f"{delegates}?{urlencode({**by_meeting, **extra})}"

    return [
        ("delegates list, one meeting", delegates_list()),
        (
            "delegates list, funded, open legs",
            delegates_list(funded__exact=1, travel="open"),
        ),
        (f"delegates searched «{SEARCH_LATIN}»", delegates_list(q=SEARCH_LATIN)),
        (f"delegates searched «{SEARCH_CYRILLIC}»", delegates_list(q=SEARCH_CYRILLIC)),
        (
            "readiness board",
            f"{reverse('admin:delegations_readiness')}?meeting={meeting.pk}",
        ),
        ("budget", f"{reverse('admin:travel_budget')}?meeting={meeting.pk}"),
        ("dashboard", f"{reverse('dashboard')}?meeting={meeting.pk}"),
        (
            "day view (agenda), first day",
            f"{reverse('admin:agenda_day')}?"
            + urlencode({"meeting": meeting.pk, "day": conference.first_day}),
        ),
        (
            "a version's comments",
            reverse("admin:declaration_version_comments", args=[conference.version.pk]),
        ),
    ]


def focal_point_page(conference: Conference) -> tuple[str, str]:
    """Return (label, URL) of the largest delegation's focal-point page."""
    return (
        "focal-point page, largest delegation",
        f"/l/{conference.focal_point_token}/",
    )
