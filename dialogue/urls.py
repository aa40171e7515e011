from django.contrib import admin
from django.urls import include, path

from dialogue.views import HealthView, HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", HealthView.as_view(), name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The meeting dashboard is the admin's home (before the admin's own index).
    path("admin/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
    path("", include("delegations.urls")),
    path("", include("dialogue.packs.urls")),
    path("", include("agenda.urls")),
    path("", include("declaration.urls")),
    path("", include("accreditation.urls")),
]
