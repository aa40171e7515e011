from django.urls import path

from dialogue.packs.views import PackDownloadView

urlpatterns = [
    path(
        "l/<str:token>/pack/<str:language>.pdf",
        PackDownloadView.as_view(),
        name="pack_download",
    ),
]
