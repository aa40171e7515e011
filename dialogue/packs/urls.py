from django.urls import path

from dialogue.packs.views import ManifestDownloadView, PackDownloadView

urlpatterns = [
    path(
        "l/<str:token>/pack/<str:language>.pdf",
        PackDownloadView.as_view(),
        name="pack_download",
    ),
    path(
        "l/<str:token>/manifest/<str:language>.pdf",
        ManifestDownloadView.as_view(),
        name="manifest_download",
    ),
]
