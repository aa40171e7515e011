from django.urls import path

from delegations.views import CalendarView, ParticipantPageView, SelfServiceView

app_name = "delegations"

urlpatterns = [
    path("l/<str:token>/", ParticipantPageView.as_view(), name="participant"),
    path("l/<str:token>/calendar.ics", CalendarView.as_view(), name="calendar"),
    path("l/<str:token>/details/", SelfServiceView.as_view(), name="details"),
]
