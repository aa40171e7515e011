"""An import reports every refusal of a file in one pass: all the cells of a
row, and the funded quota over the whole file, refused rows included."""

import pytest
from django.utils import translation

from tests.delegations.test_resources import (
    delegate_row,
    import_delegates,
    refused,
    written,
)
from tests.factories import DelegateFactory, DelegationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def kazakhstan(meeting):
    return DelegationFactory(
        meeting=meeting, country_code="KZ", name_en="Kazakhstan", funded_quota=2
    )


def test_one_row_bad_phone_language_and_email_and_a_quota_refusal_at_once(
    meeting, kazakhstan
):
    DelegateFactory(delegation=kazakhstan, funded=True, name_latin="Erlan Karin")
    before = written()
    outcome = import_delegates(
        meeting,
        [
            delegate_row(
                1,
                phone="12345",
                preferred_language="kk",
                email="not-an-email",
                funded="yes",
            ),
            delegate_row(2, funded="yes"),
        ],
    )
    assert refused(outcome) == [
        "Row 2, column phone: Enter the phone number in international form with "
        "its country code, e.g. +993 12 345678.",
        "Row 2, column preferred_language: kk is not one of: en, ru.",
        "Row 2, column email: Enter a valid email address.",
        # Row 2 holds the second funded place (Erlan Karin has the first):
        # fixing its cells would not leave room for row 3.
        "Row 3, column funded: Kazakhstan already has 2 funded delegates, its "
        "quota of 2: Erlan Karin, Aidar Nurlanov1. Unfund one of them first, or "
        "raise the quota.",
    ]
    assert written() == before


def test_quota_refusal_on_a_refused_row_itself(meeting, kazakhstan):
    for n in (1, 2):
        DelegateFactory(delegation=kazakhstan, funded=True, name_latin=f"Funded {n}")
    outcome = import_delegates(meeting, [delegate_row(1, phone="12345", funded="yes")])
    assert [p.column for p in outcome.problems] == ["phone", "funded"]


def test_duplicate_email_in_file_with_the_rows_other_errors(meeting, kazakhstan):
    outcome = import_delegates(
        meeting,
        [delegate_row(1), delegate_row(2, email="AIDAR1@mfa.example", role="king")],
    )
    assert [(p.row, p.column) for p in outcome.problems] == [
        (3, "role"),
        (3, "email"),
    ]
    assert "this email is already on row 2 of this file." in refused(outcome)[1]


def test_a_row_refused_only_for_its_email_still_holds_its_funded_place(
    meeting, kazakhstan
):
    DelegateFactory(delegation=kazakhstan, funded=True)
    outcome = import_delegates(
        meeting,
        [delegate_row(1, email="nobody@", funded="yes"), delegate_row(2, funded="yes")],
    )
    assert [(p.row, p.column) for p in outcome.problems] == [
        (2, "email"),
        (3, "funded"),
    ]
