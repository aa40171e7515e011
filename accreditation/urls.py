from django.urls import path

from accreditation.views.badges import BadgePhotoView
from accreditation.views.credentials import CredentialsFileView, CredentialsView
from accreditation.views.nominations import NominateView, ReplaceView, WithdrawView
from accreditation.views.travel_requests import FlightChangeView, TravelRequestView

app_name = "accreditation"

# Pages opened through a focal-point link live under l/<token>/...; staff pages
# under admin/. Each URL joins the access matrix (tests/accreditation).
urlpatterns = [
    path(
        "l/<str:token>/nominations/new/",
        NominateView.as_view(),
        name="nominate",
    ),
    path(
        "l/<str:token>/nominations/replace/<str:delegate_id>/",
        ReplaceView.as_view(),
        name="replace",
    ),
    path(
        "l/<str:token>/nominations/withdraw/<str:delegate_id>/",
        WithdrawView.as_view(),
        name="withdraw",
    ),
    path(
        "l/<str:token>/credentials/",
        CredentialsView.as_view(),
        name="credentials",
    ),
    path(
        "l/<str:token>/credentials/<str:credentials_id>/file/",
        CredentialsFileView.as_view(),
        name="credentials_file",
    ),
    path(
        "l/<str:token>/travel/<str:delegate_id>/",
        TravelRequestView.as_view(),
        name="travel_request",
    ),
    path(
        "l/<str:token>/flights/<str:leg_id>/change/",
        FlightChangeView.as_view(),
        name="flight_change",
    ),
    path(
        "l/<str:token>/badge-photo/<str:delegate_id>/",
        BadgePhotoView.as_view(),
        name="badge_photo",
    ),
]
