"""The transport officer's phone page: one day's pickups in time order.

Staff with delegations.view_pickups (the "Transport officers" group, and the
Secretariat) open it from the admin; it is laid out for a phone held in one
hand at the kerb: one card per car, biggest first the time and the place,
then who rides, the flight, the destination, the car and a tap-to-call driver.
"""

import datetime

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation

from delegations.lists import pickup_days, pickups, transfers_for_meeting
from delegations.models import Delegate
from dialogue.i18n import normalise_language
from dialogue.timefmt import format_date, meeting_zone_name


def chosen_day(request, days: list[datetime.date], today: datetime.date):
    """Return the day asked for (?day=YYYY-MM-DD), else today if it has
    pickups, else the first day with pickups from today on, else the last."""
    try:
        asked = datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        asked = None
    if asked is not None:
        return asked
    if not days:
        return today
    later = [day for day in days if day >= today]
    return later[0] if later else days[-1]


def pickups_page(request, meeting):
    days = pickup_days(meeting) if meeting else []
    today = (
        datetime.datetime.now(meeting.tzinfo).date()
        if meeting
        else datetime.date.today()
    )
    day = chosen_day(request, days, today)
    rows = []
    lang = normalise_language(translation.get_language())
    if meeting is not None:
        for pickup in pickups(transfers_for_meeting(meeting, day=day)):
            rows.append(
                {
                    "pickup": pickup,
                    "time": f"{pickup.at.astimezone(meeting.tzinfo):%H:%M}",
                    "vip": any(d.role == Delegate.Role.HEAD for d in pickup.passengers),
                    "place": pickup.first.pickup_place(lang),
                    "destination": pickup.first.destination(lang),
                    "passengers": [
                        {
                            "name": d.formal_name(lang),
                            "delegation": d.delegation.name(lang),
                            "head": d.role == Delegate.Role.HEAD,
                        }
                        for d in pickup.passengers
                    ],
                }
            )
    base = reverse("admin:delegations_pickups")
    meeting_query = f"meeting={meeting.pk}&" if meeting else ""

    def day_link(other):
        return f"{base}?{meeting_query}day={other.isoformat()}"

    earlier = [d for d in days if d < day]
    later = [d for d in days if d > day]
    context = {
        "meeting": meeting,
        "day": day,
        "day_label": format_date(day),
        "days": [
            {"value": d.isoformat(), "label": format_date(d), "current": d == day}
            for d in days
        ],
        "rows": rows,
        "zone": meeting_zone_name(meeting) if meeting else "",
        "previous": day_link(earlier[-1]) if earlier else "",
        "next": day_link(later[0]) if later else "",
        "form_action": base,
    }
    return TemplateResponse(request, "delegations/pickups.html", context)
