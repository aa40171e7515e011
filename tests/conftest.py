import os

import pytest
from django.db.backends.signals import connection_created

from tests.roles import world  # noqa: F401 - the access-matrix world fixture


def allow_truncate_for_test_flush(sender, connection, **kwargs):
    """Let Django empty the test database between transactional tests.

    On PostgreSQL the flush is one TRUNCATE of every table, which the database
    refuses on the tables its rules protect (delegations 0007, declaration
    0004) unless the session sets dialogue.allow_truncate. Only this test
    process's own connections set it; the tests that prove the refusal use
    connections of their own.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET dialogue.allow_truncate = 'on'")


connection_created.connect(allow_truncate_for_test_flush)

# Playwright's sync API runs an event loop in the test thread; Django's ORM then
# refuses to run unless told that this single-threaded use is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def meeting(db):
    from tests.factories import MeetingFactory

    return MeetingFactory()


@pytest.fixture
def ashgabat(db):
    """The 2017 Dialogue as the fixture file describes it."""
    from django.core.management import call_command

    from dialogue.models import Meeting

    call_command("loaddata", "ashgabat_2017", verbosity=0)
    return Meeting.objects.get(slug="ashgabat-2017")


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a view or a test that
    activated Russian leaves it active in the thread, and the next test's
    messages would come out in Russian."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Hashing with PBKDF2 costs ~0.3 s a user; tests log many users in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Run queued tasks in this process (no worker), as on_commit sends them.

    Tests marked `services` talk to a real worker through the broker instead.
    Everything else must never publish: the default broker is the demo's own
    folder under var/, and its worker would pick the test's messages up.
    """
    from dialogue.celery import app

    if request.node.get_closest_marker("services"):
        yield app
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous
