"""The kept link pages in the production profile: gunicorn's two workers and
another process (manage.py, as a worker's task would) share the Redis cache.

A page kept by one worker must follow a change made in another process at once,
and a revoked link must stop at once, whichever worker answers.
"""

import urllib.error
import urllib.request

# The fixture's last delegate by id: none of the other tests reads them, and
# the link is reissued for this test alone.
SETUP = """
from delegations.models import Delegate
from delegations.services import issue_itinerary_link
delegate = Delegate.objects.order_by("-pk").first()
link = issue_itinerary_link(delegate, reissue=True)
print(delegate.pk, link.token, delegate.position_en, sep="\\t")
"""

EDIT = """
from delegations.models import Delegate
from delegations.services import save_delegate
delegate = Delegate.objects.get(pk={pk})
delegate.position_en = {position!r}
save_delegate(delegate)
"""

REVOKE = """
from delegations.models import AccessLink
from delegations.services import revoke_link
from delegations.tokens import token_digest
revoke_link(AccessLink.objects.get(digest=token_digest({token!r})))
"""


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def test_a_kept_page_follows_a_change_made_in_another_process(production_site):
    site = production_site
    pk, token, position = (
        site.manage("shell", "--no-imports", "-c", SETUP).strip().split("\t")
    )
    url = f"{site.url}/l/{token}/?lang=en"
    # Four requests: both workers have the page kept (or read it kept).
    for _ in range(4):
        status, html = fetch(url)
        assert status == 200
        assert "Kept-page check" not in html
    site.manage(
        "shell", "--no-imports", "-c", EDIT.format(pk=pk, position="Kept-page check")
    )
    for _ in range(4):
        status, html = fetch(url)
        assert (status, "Kept-page check" in html) == (200, True)
    site.manage("shell", "--no-imports", "-c", EDIT.format(pk=pk, position=position))
    assert "Kept-page check" not in fetch(url)[1]
    site.manage("shell", "--no-imports", "-c", REVOKE.format(token=token))
    assert [fetch(url)[0] for _ in range(4)] == [404] * 4
