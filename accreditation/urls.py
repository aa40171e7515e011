from django.urls import path

from accreditation.views.badges import BadgePhotoView
from accreditation.views.nominations import NominateView, ReplaceView, WithdrawView

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
        "l/<str:token>/badge-photo/<str:delegate_id>/",
        BadgePhotoView.as_view(),
        name="badge_photo",
    ),
]
