from django.urls import path

from declaration.views import (
    CommentView,
    CompilationPdfView,
    ObjectionView,
    OwnCommentView,
    VersionPdfView,
)

app_name = "declaration"

urlpatterns = [
    path(
        "l/<str:token>/declaration/<int:version_id>/comment/",
        CommentView.as_view(),
        name="comment",
    ),
    path(
        "l/<str:token>/declaration/comments/<int:comment_id>/edit/",
        OwnCommentView.as_view(),
        name="comment_edit",
    ),
    path(
        "l/<str:token>/declaration/comments/<int:comment_id>/withdraw/",
        OwnCommentView.as_view(withdraw=True),
        name="comment_withdraw",
    ),
    path(
        "l/<str:token>/declaration/silence/<int:silence_id>/object/",
        ObjectionView.as_view(),
        name="object",
    ),
    path(
        "l/<str:token>/declaration/<int:version_id>/compilation/<str:lang>.pdf",
        CompilationPdfView.as_view(),
        name="compilation_pdf",
    ),
    path(
        "l/<str:token>/declaration/<int:version_id>/<str:lang>.pdf",
        VersionPdfView.as_view(),
        name="pdf",
    ),
]
