from django.contrib import admin
from django.urls import path

from dashboard.views import DashboardView

# Included at admin/ before the admin's own URLs: the dashboard is its home.
urlpatterns = [
    path("", admin.site.admin_view(DashboardView.as_view()), name="dashboard"),
]
