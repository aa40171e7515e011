from django.urls import path

from agenda.views import PublicProgrammeView

app_name = "agenda"

urlpatterns = [
    path(
        "programme/<slug:slug>/",
        PublicProgrammeView.as_view(),
        name="public_programme",
    ),
]
