from django.urls import path  # noqa: F401

app_name = "accreditation"

# Pages opened through a focal-point link live under l/<token>/...; staff pages
# (check-in) under admin/. Each new URL joins the access matrix.
urlpatterns: list = []
