"""Access matrix of the declaration URLs: every URL × every role.

Link roles use their own token (staff and anonymous a random one). The other
focal point's delegation is at the same meeting, so it may comment on the
circulated version, but it never reads another delegation's comments
(test_views.test_focal_point_sees_own_comments_only).
"""

import pytest

from tests.access import AccessCase, matrix_ids, matrix_params, own_token, run_case

LOGIN = {
    "anonymous": 302,
    "delegate_a": 302,
    "delegate_b": 302,
    "other_focal_point": 302,
}
STAFF_BOTH = {**LOGIN, "drafter": 200, "secretariat": 200}
DRAFTERS_ONLY = {**LOGIN, "drafter": 200, "secretariat": 403}
FOCAL_POINTS_ONLY = {
    "anonymous": 404,
    "delegate_a": 404,
    "delegate_b": 404,
    "other_focal_point": 302,
    "drafter": 404,
    "secretariat": 404,
}
ANY_LINK = {
    "anonymous": 404,
    "delegate_a": 200,
    "delegate_b": 200,
    "other_focal_point": 200,
    "drafter": 404,
    "secretariat": 404,
}


def versions(world):
    return world.declaration


def admin_version(suffix, which="circulated"):
    def url(world, role):
        version = getattr(versions(world), which)
        return f"/admin/declaration/version/{version.pk}/{suffix}"

    return url


def comment_url(world, role):
    return (
        f"/l/{own_token(world, role)}/declaration/"
        f"{versions(world).circulated.pk}/comment/"
    )


FOCAL_POINTS_READ = {**FOCAL_POINTS_ONLY, "other_focal_point": 200}


def own_comment_url(action):
    """The other focal point's own comment (every other role: not theirs)."""

    def url(world, role):
        comment = versions(world).comment_other
        return (
            f"/l/{own_token(world, role)}/declaration/comments/{comment.pk}/{action}/"
        )

    return url


def silence_url(world, role):
    """A silence on the circulated version (started once per test)."""
    import datetime

    from django.utils import timezone

    from declaration.models import Silence
    from declaration.services import start_silence

    version = versions(world).circulated
    silence = Silence.objects.filter(version=version).first() or start_silence(
        version, until=timezone.now() + datetime.timedelta(days=1)
    )
    return f"/l/{own_token(world, role)}/declaration/silence/{silence.pk}/object/"


def failed_silence_url(world, role):
    """A running silence past its deadline whose conclusion gave up."""
    from declaration.models import Silence
    from declaration.services import record_silence_failure

    url = silence_url(world, role)
    silence = Silence.objects.get(version=versions(world).circulated)
    record_silence_failure(reason="OperationalError", final=True, silence_id=silence.pk)
    assert url
    return f"/admin/declaration/version/{silence.version_id}/silence/retry/"


def made_compilation(world, *, shared: bool):
    """The circulated version's compilation with its files made (placeholder
    bytes: the matrix checks who gets them, test_compilation what they say)."""
    from django.utils import timezone

    from declaration.compilation import relative_path, write_atomically
    from declaration.models import Compilation

    version = versions(world).circulated
    compilation, _created = Compilation.objects.get_or_create(version=version)
    for name in Compilation.FILES:
        relative = relative_path(version, name)
        write_atomically(relative, b"%PDF-1.7 matrix")
        setattr(compilation, name, relative)
    compilation.status = "ready"
    compilation.made_at = timezone.now()
    compilation.shared_at = timezone.now() if shared else None
    compilation.save()
    return version


def compilation_pdf_url(shared: bool):
    def url(world, role):
        version = made_compilation(world, shared=shared)
        return (
            f"/l/{own_token(world, role)}/declaration/{version.pk}/compilation/ru.pdf"
        )

    return url


def compilation_admin_url(suffix: str, made: bool = True):
    def url(world, role):
        version = (
            made_compilation(world, shared=False)
            if made
            else versions(world).circulated
        )
        return f"/admin/declaration/version/{version.pk}/compilation/{suffix}"

    return url


NOBODY = {role: 404 for role in FOCAL_POINTS_ONLY}
STAFF_MISSING = {**LOGIN, "drafter": 404, "secretariat": 404}
DRAFTERS_REDIRECT = {**LOGIN, "drafter": 302, "secretariat": 403}
DRAFTERS_POST_ONLY = {**LOGIN, "drafter": 405, "secretariat": 403}
STAFF_POST_ONLY = {**LOGIN, "drafter": 405, "secretariat": 405}
STAFF_REDIRECT = {**LOGIN, "drafter": 302, "secretariat": 302}

CASES = [
    AccessCase(
        "l/<str:token>/declaration/<int:version_id>/comment/",
        comment_url,
        FOCAL_POINTS_ONLY,
        method="post",
        data={"kind": "comment", "language": "en", "text": "Matrix comment"},
    ),
    AccessCase(
        "l/<str:token>/declaration/<int:version_id>/comment/",
        comment_url,
        FOCAL_POINTS_READ,
    ),
    AccessCase(
        "l/<str:token>/declaration/comments/<int:comment_id>/edit/",
        own_comment_url("edit"),
        FOCAL_POINTS_READ,
    ),
    AccessCase(
        "l/<str:token>/declaration/comments/<int:comment_id>/edit/",
        own_comment_url("edit"),
        FOCAL_POINTS_ONLY,
        method="post",
        data={"kind": "comment", "language": "en", "text": "Matrix edit"},
    ),
    AccessCase(
        "l/<str:token>/declaration/comments/<int:comment_id>/withdraw/",
        own_comment_url("withdraw"),
        FOCAL_POINTS_READ,
    ),
    AccessCase(
        "l/<str:token>/declaration/comments/<int:comment_id>/withdraw/",
        own_comment_url("withdraw"),
        FOCAL_POINTS_ONLY,
        method="post",
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/extend-deadline/",
        admin_version("extend-deadline/"),
        STAFF_BOTH,
    ),
    AccessCase(
        "l/<str:token>/declaration/<int:version_id>/<str:lang>.pdf",
        lambda w, r: (
            f"/l/{own_token(w, r)}/declaration/{versions(w).adopted.pk}/en.pdf"
        ),
        ANY_LINK,
    ),
    AccessCase(
        "admin/declaration/version/diff/",
        lambda w, r: (
            f"/admin/declaration/version/diff/?old={versions(w).superseded.pk}"
            f"&new={versions(w).circulated.pk}&lang=ru"
        ),
        STAFF_BOTH,
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/text/",
        admin_version("text/", "draft"),
        DRAFTERS_ONLY,
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/circulate/",
        admin_version("circulate/", "draft"),
        STAFF_BOTH,
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/comments/",
        admin_version("comments/"),
        STAFF_BOTH,
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/adopt/",
        admin_version("adopt/"),
        STAFF_BOTH,
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/pdf/<str:lang>/",
        admin_version("pdf/ru/", "adopted"),
        STAFF_BOTH,
    ),
    AccessCase(
        "admin/declaration/version/",
        lambda w, r: "/admin/declaration/version/",
        STAFF_BOTH,
    ),
    AccessCase(
        "admin/declaration/version/<path:object_id>/change/",
        admin_version("change/"),
        STAFF_BOTH,
    ),
    AccessCase(
        "admin/declaration/comment/",
        lambda w, r: "/admin/declaration/comment/",
        STAFF_BOTH,
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/silence/",
        admin_version("silence/"),
        STAFF_BOTH,
    ),
    AccessCase(
        "l/<str:token>/declaration/silence/<int:silence_id>/object/",
        silence_url,
        FOCAL_POINTS_ONLY,
    ),
    AccessCase(
        "l/<str:token>/declaration/silence/<int:silence_id>/object/",
        silence_url,
        FOCAL_POINTS_ONLY,
        method="post",
        data={"reason": "Matrix objection"},
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/silence/retry/",
        failed_silence_url,
        STAFF_POST_ONLY,
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/silence/retry/",
        failed_silence_url,
        STAFF_REDIRECT,
        method="post",
    ),
    # Until the drafters share it, nobody's link gets the compilation.
    AccessCase(
        "l/<str:token>/declaration/<int:version_id>/compilation/<str:lang>.pdf",
        compilation_pdf_url(shared=False),
        NOBODY,
    ),
    AccessCase(
        "l/<str:token>/declaration/<int:version_id>/compilation/<str:lang>.pdf",
        compilation_pdf_url(shared=True),
        FOCAL_POINTS_READ,
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/compilation/render/",
        compilation_admin_url("render/"),
        STAFF_POST_ONLY,
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/compilation/render/",
        compilation_admin_url("render/"),
        STAFF_REDIRECT,
        method="post",
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/compilation/share/",
        compilation_admin_url("share/"),
        DRAFTERS_POST_ONLY,
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/compilation/share/",
        compilation_admin_url("share/"),
        DRAFTERS_REDIRECT,
        method="post",
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/compilation/<str:name>/",
        compilation_admin_url("pdf_ru/"),
        STAFF_BOTH,
    ),
    AccessCase(
        "admin/declaration/version/<int:pk>/compilation/<str:name>/",
        compilation_admin_url("xlsx/", made=False),
        STAFF_MISSING,
    ),
    AccessCase(
        "admin/declaration/comment/<int:pk>/decide/",
        lambda w, r: f"/admin/declaration/comment/{versions(w).comment_a.pk}/decide/",
        DRAFTERS_ONLY,
    ),
]


@pytest.mark.parametrize(("case", "role"), matrix_params(CASES), ids=matrix_ids(CASES))
def test_access(world, declaration_world, case, role, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    if case.method == "post" and case.route.endswith("/comment/"):
        paragraph = declaration_world.circulated.paragraphs.get(position=2)
        case = AccessCase(
            case.route,
            case.url,
            case.expected,
            method="post",
            data={**case.data, "paragraph": paragraph.pk},
        )
    run_case(world, case, role)
