from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from dialogue.timefmt import zone_phrase


class MeetingTimeZoneMiddleware:
    """Show admin date-times in the meeting's local time zone.

    Staff plan a meeting in its own time (Ashgabat), not in UTC. Flights keep their
    own airport time zones in their forms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/"):
            from dialogue.models import Meeting

            found = Meeting.objects.values_list("time_zone", "city_en").first()
            if found and found[0]:
                zone, city = found
                timezone.activate(zone)
                # Said on every admin page, whose columns print times bare.
                request.admin_clock = SimpleLazyObject(
                    lambda: zone_phrase(zone, city=city)
                )
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
