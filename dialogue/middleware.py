from django.utils import timezone


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

            zone = Meeting.objects.values_list("time_zone", flat=True).first()
            if zone:
                timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
