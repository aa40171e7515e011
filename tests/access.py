"""The access matrix: every URL × every role.

Each app's tests/<app>/test_access.py defines CASES, a list of AccessCase, and
runs them with run_case. tests/test_url_coverage.py fails when a URL of the
project is in no CASES, so every new URL has to join the matrix.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from tests.roles import EXTRA_ROLES, ROLES, World

LINK_ROLES = {"delegate_a", "delegate_b", "other_focal_point"}


@dataclass(frozen=True)
class AccessCase:
    route: str  # the URL pattern as Django names it, e.g. "l/<str:token>/"
    url: Callable[[World, str], str]  # builds the URL a role would request
    expected: dict  # role -> status code; every role must be present
    method: str = "get"
    data: dict | None = None

    def __post_init__(self):
        missing = set(ROLES) - set(self.expected)
        assert not missing, f"{self.route}: no expectation for {sorted(missing)}"


def own_token(world: World, role: str) -> str:
    """Return the role's own link token, or a random one for roles without."""
    if role in LINK_ROLES:
        return world.token(role)
    return secrets.token_urlsafe(32)


def run_case(world: World, case: AccessCase, role: str) -> None:
    client = world.clients[role]
    url = case.url(world, role)
    response = getattr(client, case.method)(url, data=case.data or {})
    expected = case.expected[role]
    assert response.status_code == expected, (
        f"{case.method.upper()} {url} as {role}: {response.status_code}, "
        f"expected {expected}"
    )
    assert_strict_csp(response, f"{case.method.upper()} {url} as {role}")
    if role in LINK_ROLES and response.status_code == 200 and "/l/" in url:
        assert "private" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex, nofollow"


def assert_strict_csp(response, what: str) -> None:
    """Every response carries a Content-Security-Policy that runs no inline script."""
    policy = response.get("Content-Security-Policy", "")
    directives = {
        part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
    }
    assert directives.get("default-src") == ["'self'"], f"{what}: {policy!r}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{what}: {policy!r}"
    script = directives.get("script-src", [])
    # A nonce is added only when a template used it.
    assert script[:1] == ["'self'"], f"{what}: {policy!r}"
    assert all(s.startswith("'nonce-") for s in script[1:]), f"{what}: {policy!r}"
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, what


def case_roles(case: AccessCase) -> list[str]:
    """Return every role, and the extra roles the case names."""
    return ROLES + [role for role in EXTRA_ROLES if role in case.expected]


def matrix_params(cases: list[AccessCase]):
    return [(case, role) for case in cases for role in case_roles(case)]


def matrix_ids(cases: list[AccessCase]):
    return [
        f"{case.route}|{case.method}|{role}"
        for case in cases
        for role in case_roles(case)
    ]
