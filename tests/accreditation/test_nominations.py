"""Nominations through the focal point's link, reviewed in the admin
(accreditation.services.nominations, views.nominations, admin)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client

from accreditation.models import Badge, NominationRequest
from accreditation.services.nominations import (
    approve_request,
    compose_decision_email,
    return_request,
    submit_request,
)
from delegations.models import AccessLink, Delegate
from delegations.services import FundedQuotaExceeded, issue_itinerary_link
from delegations.validators import normalise_phone
from dialogue.outbox.models import Email
from tests.factories import DelegateFactory, DelegationFactory

pytestmark = pytest.mark.django_db

ADVISER = {
    "honorific": "ms",
    "name_latin": "Zarina Nazarova",
    "name_cyrillic": "Зарина Назарова",
    "position_en": "Adviser, Ministry of Foreign Affairs",
    "position_ru": "Советник, Министерство иностранных дел",
    "role": "adviser",
    "email": "z.nazarova@mfa.example",
    "phone": "+992 37 221 1234",
    "preferred_language": "ru",
    "dietary_needs": "halal",
    "accessibility_needs": "",
}


@pytest.fixture
def delegation(db):
    return DelegationFactory(
        country_code="TJ", name_en="Tajikistan", language="ru", funded_quota=2
    )


@pytest.fixture
def secretary(db):
    user = get_user_model().objects.create_user("secretary", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat"))
    return user


def test_a_nomination_changes_nothing_until_it_is_approved(
    delegation, secretary, django_capture_on_commit_callbacks
):
    request = submit_request(delegation, kind="add", data=ADVISER)
    assert request.status == "pending"
    assert request.phone == normalise_phone(ADVISER["phone"])  # as staff entry
    assert not Delegate.objects.filter(delegation=delegation).exists()

    with django_capture_on_commit_callbacks(execute=True):
        approve_request(request, reviewer=secretary)
    request.refresh_from_db()
    added = Delegate.objects.get(delegation=delegation)
    assert (request.status, request.result, request.reviewed_by) == (
        "approved",
        added,
        secretary,
    )
    assert (added.name_cyrillic, added.role, added.accreditation) == (
        "Зарина Назарова",
        "adviser",
        "nominated",
    )
    assert added.funded is False
    email = Email.objects.get(kind="nomination_decision", object_id=request.pk)
    assert (email.recipient, email.language) == (delegation.focal_point_email, "ru")
    composed = compose_decision_email(request.pk)
    assert "одобрен" in composed.subject.lower() or "одобрен" in composed.body
    assert "Zarina Nazarova" in composed.body
    # Every step is in the history: submitted, then approved.
    assert [h.status for h in request.history.order_by("history_date")] == [
        "pending",
        "approved",
    ]


def test_a_returned_request_keeps_its_reason_and_tells_the_focal_point(
    delegation, secretary
):
    request = submit_request(delegation, kind="add", data=ADVISER)
    with pytest.raises(ValidationError) as error:
        return_request(request, reviewer=secretary, reason="  ")
    assert "reason" in error.value.message_dict
    return_request(request, reviewer=secretary, reason="Send the note verbale first.")
    request.refresh_from_db()
    assert (request.status, request.reason) == (
        "returned",
        "Send the note verbale first.",
    )
    assert not Delegate.objects.filter(delegation=delegation).exists()
    body = compose_decision_email(request.pk).body
    assert "Send the note verbale first." in body
    with pytest.raises(ValidationError):  # reviewed once only
        approve_request(request, reviewer=secretary)


def test_a_replacement_passes_the_funded_seat_and_revokes_link_and_badge(
    delegation, secretary
):
    minister = DelegateFactory(delegation=delegation, funded=True, sort_order=1)
    DelegateFactory(delegation=delegation, funded=True, role="adviser", sort_order=2)
    link = issue_itinerary_link(minister)
    badge = Badge.objects.create(
        delegate=minister,
        category="member_state",
        holder_name_latin=minister.name_latin,
        holder_name_cyrillic=minister.name_cyrillic,
    )
    # The quota (2) is full, yet replacing a funded delegate keeps the seat.
    request = submit_request(
        delegation,
        kind="replace",
        target=minister,
        data={**ADVISER, "role": "head", "funded_requested": True},
    )
    approve_request(request, reviewer=secretary)

    delegation.refresh_from_db()
    assert delegation.funded_count == 2
    replacement = Delegate.objects.get(name_latin="Zarina Nazarova")
    assert (replacement.funded, replacement.sort_order) == (True, 1)
    assert not Delegate.objects.filter(pk=minister.pk).exists()
    assert not AccessLink.objects.filter(pk=link.pk).exists()
    assert Client().get(f"/l/{link.token}/").status_code == 404
    badge.refresh_from_db()
    assert badge.revoked_reason == "replaced" and badge.revoked_at is not None
    assert badge.holder_name_latin == minister.name_latin  # still says whose


def test_a_withdrawal_takes_the_delegate_off_and_frees_the_seat(delegation, secretary):
    adviser = DelegateFactory(delegation=delegation, funded=True, role="adviser")
    badge = Badge.objects.create(
        delegate=adviser,
        category="member_state",
        holder_name_latin=adviser.name_latin,
        holder_name_cyrillic=adviser.name_cyrillic,
    )
    request = submit_request(delegation, kind="withdraw", target=adviser)
    assert request.target_name == adviser.name_latin
    approve_request(request, reviewer=secretary)
    delegation.refresh_from_db()
    assert delegation.funded_count == 0
    assert not Delegate.objects.filter(pk=adviser.pk).exists()
    assert Delegate.history.filter(id=adviser.pk, history_type="-").exists()
    badge.refresh_from_db()
    assert (badge.delegate, badge.revoked_reason) == (None, "withdrawn")
    request.refresh_from_db()
    assert request.person == adviser.name_latin


def test_a_funded_request_past_the_quota_names_those_funded(delegation):
    DelegateFactory(
        delegation=delegation, funded=True, name_latin="Sirojiddin Muhriddin"
    )
    DelegateFactory(delegation=delegation, funded=True, name_latin="Nodir Karimov")
    with pytest.raises(FundedQuotaExceeded) as error:
        submit_request(
            delegation, kind="add", data={**ADVISER, "funded_requested": True}
        )
    assert "Sirojiddin Muhriddin" in error.value.messages[0]
    assert "Nodir Karimov" in error.value.messages[0]
    assert not NominationRequest.objects.exists()


def test_two_pending_requests_cannot_be_promised_the_last_seat(delegation, secretary):
    DelegateFactory(delegation=delegation, funded=True)
    submit_request(delegation, kind="add", data={**ADVISER, "funded_requested": True})
    with pytest.raises(FundedQuotaExceeded):
        submit_request(
            delegation,
            kind="add",
            data={
                **ADVISER,
                "email": "other@mfa.example",
                "name_latin": "Other Person",
                "funded_requested": True,
            },
        )


def test_one_open_request_per_delegate_and_only_of_ones_own_delegation(delegation):
    adviser = DelegateFactory(delegation=delegation)
    submit_request(delegation, kind="withdraw", target=adviser)
    with pytest.raises(ValidationError, match="already waiting"):
        submit_request(delegation, kind="replace", target=adviser, data=ADVISER)
    stranger = DelegateFactory(
        delegation=DelegationFactory(meeting=delegation.meeting, country_code="KG")
    )
    with pytest.raises(ValidationError, match="not on your delegation"):
        submit_request(delegation, kind="withdraw", target=stranger)


def test_the_delegate_rules_hold_for_a_nomination(delegation):
    DelegateFactory(delegation=delegation, email="z.nazarova@mfa.example")
    with pytest.raises(ValidationError) as error:
        submit_request(delegation, kind="add", data={**ADVISER, "phone": "12"})
    assert "phone" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        submit_request(delegation, kind="add", data=ADVISER)
    assert "email" in error.value.message_dict
    assert not NominationRequest.objects.exists()


# Through the focal point's pages ----------------------------------------------


def test_the_focal_point_nominates_through_its_page_in_russian(delegation):
    token = issue_itinerary_link(delegation).token
    client = Client()
    page = client.get(f"/l/{token}/?lang=ru")
    assert page.status_code == 200
    assert "Выдвинуть делегата" in page.content.decode()
    form = client.get(f"/l/{token}/nominations/new/?lang=ru")
    assert "Имя кириллицей" in form.content.decode()

    bad = client.post(
        f"/l/{token}/nominations/new/?lang=ru", {**ADVISER, "name_cyrillic": ""}
    )
    assert bad.status_code == 400
    assert not NominationRequest.objects.exists()

    sent = client.post(f"/l/{token}/nominations/new/?lang=ru", ADVISER)
    assert sent.status_code == 302
    request = NominationRequest.objects.get()
    assert (request.kind, request.status, request.delegation) == (
        "add",
        "pending",
        delegation,
    )
    listed = client.get(f"/l/{token}/?lang=ru").content.decode()
    # The Russian page names her in Cyrillic.
    assert "Зарина Назарова" in listed and "ожидает рассмотрения" in listed


def test_the_quota_refusal_is_shown_on_the_form(delegation):
    DelegateFactory(delegation=delegation, funded=True, name_latin="Nodir Karimov")
    DelegateFactory(delegation=delegation, funded=True, name_latin="Aziz Rahimov")
    token = issue_itinerary_link(delegation).token
    response = Client().post(
        f"/l/{token}/nominations/new/?lang=en",
        {**ADVISER, "funded_requested": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nodir Karimov" in html and "Aziz Rahimov" in html


def test_the_secretariat_reviews_in_the_admin(delegation, secretary):
    adviser = DelegateFactory(delegation=delegation)
    request = submit_request(delegation, kind="withdraw", target=adviser)
    client = Client()
    client.force_login(secretary)
    url = f"/admin/accreditation/nominationrequest/{request.pk}/review/"
    page = client.get(url)
    assert page.status_code == 200 and adviser.name_latin in page.content.decode()
    refused = client.post(url, {"return": "1", "reason": ""})
    assert refused.status_code == 400
    done = client.post(url, {"return": "1", "reason": "Wrong person."})
    assert done.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.reason) == ("returned", "Wrong person.")
    assert Delegate.objects.filter(pk=adviser.pk).exists()
    queue = client.get("/admin/accreditation/nominationrequest/?status=returned")
    assert queue.status_code == 200
    assert adviser.name_latin in queue.content.decode()


def test_the_decision_email_is_plain_text_not_html_escaped(delegation, secretary):
    request = submit_request(
        delegation, kind="add", data={**ADVISER, "name_latin": "Aoife O'Neill"}
    )
    return_request(request, reviewer=secretary, reason='Send the "note" & <CV>.')
    composed = compose_decision_email(request.pk)
    assert "Aoife O'Neill" in composed.body
    assert 'Send the "note" & <CV>.' in composed.body
    assert "&amp;" not in composed.body + composed.subject
