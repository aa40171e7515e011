"""Every URL of the project is in the access matrix of some app."""

import importlib
import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

TESTS = Path(__file__).resolve().parent
ADMIN_PREFIX = "admin/"
# Views Django's admin (and the admin add-ons) generate for every model; the admin
# guards them and tests/dialogue/test_access.py samples them. Any other admin URL
# is one of ours (readiness board, budget, diff ...) and must be in a matrix.
GENERATED_ADMIN = re.compile(
    r"^(index|login|logout|password_change|password_change_done|jsi18n|"
    r"view_on_site|app_list|autocomplete|"
    r"\w+_(changelist|add|change|delete|history|"
    r"import|export|process_import|history_form|revision))$"
)


def all_routes(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from all_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.name


def covered_routes() -> set[str]:
    routes = set()
    for path in TESTS.glob("*/test_access.py"):
        module = importlib.import_module(f"tests.{path.parent.name}.test_access")
        routes |= {case.route for case in module.CASES}
    return routes


def needs_matrix(route: str, name: str | None) -> bool:
    if not route.startswith(ADMIN_PREFIX):
        return True
    return name is not None and not GENERATED_ADMIN.match(name)


def test_every_url_is_in_the_access_matrix():
    covered = covered_routes()
    missing = sorted(
        route
        for route, name in all_routes()
        if needs_matrix(route, name) and route not in covered
    )
    assert missing == []


def test_needs_matrix_tells_generated_admin_from_custom():
    assert needs_matrix("l/<str:token>/", "participant")
    assert not needs_matrix(
        "admin/delegations/delegate/", "delegations_delegate_changelist"
    )
    assert needs_matrix(
        "admin/delegations/delegation/readiness/", "delegations_readiness"
    )
