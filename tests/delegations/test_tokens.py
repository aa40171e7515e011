"""A copy of the database opens no link: tokens are digested and sealed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from delegations.models import AccessLink
from delegations.services import issue_itinerary_link, link_url
from delegations.tokens import token_digest
from tests.factories import DelegateFactory

pytestmark = pytest.mark.django_db


def stored_values(link: AccessLink) -> list[str]:
    """Return every column of the link's row as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM delegations_accesslink WHERE id = %s", [link.pk])
        return [str(value) for value in cursor.fetchone()]


def test_database_holds_no_usable_token():
    link = issue_itinerary_link(DelegateFactory())
    token = link.token
    row = stored_values(link)
    assert [value for value in row if token in value] == []
    client = Client()
    assert client.get(f"/l/{token}/").status_code == 200
    # Whatever the table holds, used as a token, opens nothing.
    assert [client.get(f"/l/{value}/").status_code for value in row] == [404] * len(row)


def test_copy_of_the_database_without_the_key_opens_nothing(settings):
    link = issue_itinerary_link(DelegateFactory())
    token = link.token
    settings.LINK_TOKEN_KEYS = ["the attacker's own key"]
    copy = AccessLink.objects.get(pk=link.pk)
    assert copy.token is None
    with pytest.raises(ValueError, match="cannot be unsealed"):
        link_url(copy)
    # The link itself still opens for whoever holds the URL.
    assert Client().get(f"/l/{token}/").status_code == 200


def test_keys_rotate_without_breaking_links(settings):
    settings.LINK_TOKEN_KEYS = ["old key"]
    old = issue_itinerary_link(DelegateFactory())
    settings.LINK_TOKEN_KEYS = ["new key", "old key"]
    assert AccessLink.objects.get(pk=old.pk).token == old.token
    new = issue_itinerary_link(DelegateFactory())
    settings.LINK_TOKEN_KEYS = ["new key"]
    assert AccessLink.objects.get(pk=new.pk).token == new.token
    assert AccessLink.objects.get(pk=old.pk).token is None


def test_a_token_that_differs_by_one_character_opens_nothing():
    token = issue_itinerary_link(DelegateFactory()).token
    twisted = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert Client().get(f"/l/{twisted}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_the_links_already_sent():
    delegate = DelegateFactory()
    executor = MigrationExecutor(connection)
    before = [("delegations", "0004_importjob")]
    executor.migrate(before)
    plain = "a-link-emailed-before-the-migration-0123456789"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO delegations_accesslink (kind, delegate_id, token, created_at,"
            " expires_at) VALUES ('delegate', %s, %s, CURRENT_TIMESTAMP,"
            " '2099-01-01 00:00:00')",
            [delegate.pk, plain],
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Every migration again, not only up to 0005: the tests that follow need
    # the later ones too.
    executor.migrate(executor.loader.graph.leaf_nodes())
    link = AccessLink.objects.get(delegate=delegate)
    assert (link.digest, link.token) == (token_digest(plain), plain)
    assert plain not in stored_values(link)
    assert Client().get(f"/l/{plain}/").status_code == 200
