from django.urls import path

from declaration.views import CommentView, VersionPdfView

app_name = "declaration"

urlpatterns = [
    path(
        "l/<str:token>/declaration/<int:version_id>/comment/",
        CommentView.as_view(),
        name="comment",
    ),
    path(
        "l/<str:token>/declaration/<int:version_id>/<str:lang>.pdf",
        VersionPdfView.as_view(),
        name="pdf",
    ),
]
