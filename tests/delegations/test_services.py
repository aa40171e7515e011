import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from delegations.models import AccessLink, Delegate, Passport, SelfServiceChange
from delegations.services import (
    FundedQuotaExceeded,
    create_delegation,
    issue_itinerary_link,
    mark_funded,
    revoke_link,
    save_delegate,
    send_itinerary_link,
    update_own_details,
    validate_hotel_stay,
)
from tests.factories import (
    DelegateFactory,
    DelegationFactory,
    HotelStayFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db


def test_create_delegation_member_state_gets_quota_and_names_from_iso():
    delegation = create_delegation(
        MeetingFactory(), kind="member_state", country_code="kz"
    )
    assert delegation.funded_quota == 3
    assert (delegation.name_en, delegation.name_ru) == ("Kazakhstan", "Казахстан")


def test_create_delegation_observer_and_organiser_get_zero_quota():
    meeting = MeetingFactory()
    observer = create_delegation(meeting, kind="observer", country_code="AF")
    organiser = create_delegation(
        meeting, kind="organiser", name_en="United Nations", name_ru="ООН"
    )
    assert (observer.funded_quota, organiser.funded_quota) == (0, 0)


def test_mark_funded_fourth_delegate_refused_naming_delegation_quota_and_funded():
    delegation = DelegationFactory(name_en="Kazakhstan")
    for name in ("Ann One", "Ben Two", "Cat Three"):
        DelegateFactory(delegation=delegation, name_latin=name, funded=True)
    fourth = DelegateFactory(delegation=delegation, funded=False)
    with pytest.raises(FundedQuotaExceeded) as excinfo:
        mark_funded(fourth)
    assert excinfo.value.messages == [
        "Kazakhstan already has 3 funded delegate(s), its quota of 3: "
        "Ann One, Ben Two, Cat Three. Unfund one of them first, or raise the quota."
    ]
    assert Delegate.objects.filter(delegation=delegation, funded=True).count() == 3


def test_save_delegate_refuses_funded_observer():
    observer = DelegationFactory(kind="observer", funded_quota=0)
    delegate = DelegateFactory.build(delegation=observer, funded=True)
    with pytest.raises(FundedQuotaExceeded):
        save_delegate(delegate)
    assert Delegate.objects.filter(delegation=observer).count() == 0


def test_save_delegate_normalises_phone_and_rejects_bad_one():
    delegate = DelegateFactory.build(
        delegation=DelegationFactory(), phone="+993 12 34 56 78"
    )
    save_delegate(delegate)
    assert delegate.phone == "+99312345678"
    delegate.phone = "12345"
    with pytest.raises(ValidationError):
        save_delegate(delegate)


def test_database_trigger_refuses_fourth_funded_even_through_orm():
    delegation = DelegationFactory()
    DelegateFactory.create_batch(3, delegation=delegation, funded=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        DelegateFactory(delegation=delegation, funded=True)
    unfunded = DelegateFactory(delegation=delegation, funded=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegate.objects.filter(pk=unfunded.pk).update(funded=True)
    assert Delegate.objects.filter(delegation=delegation, funded=True).count() == 3


def test_database_trigger_refuses_lowering_quota_below_funded():
    delegation = DelegationFactory()
    DelegateFactory.create_batch(2, delegation=delegation, funded=True)
    delegation.funded_quota = 1
    with pytest.raises(IntegrityError), transaction.atomic():
        delegation.save()


def test_unfunding_frees_a_place():
    delegation = DelegationFactory()
    funded = DelegateFactory.create_batch(3, delegation=delegation, funded=True)
    fourth = DelegateFactory(delegation=delegation)
    mark_funded(funded[0], funded=False)
    mark_funded(fourth)
    assert Delegate.objects.filter(delegation=delegation, funded=True).count() == 3


def test_duplicate_email_within_meeting_refused_by_database():
    delegation = DelegationFactory()
    DelegateFactory(delegation=delegation, email="same@mfa.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        DelegateFactory(delegation=delegation, email="same@mfa.example")


def test_same_email_at_another_meeting_allowed():
    DelegateFactory(email="same@mfa.example")
    DelegateFactory(email="same@mfa.example")
    assert Delegate.objects.filter(email="same@mfa.example").count() == 2


def test_validate_hotel_stay_overlap_names_other_stay():
    first = HotelStayFactory()
    overlapping = HotelStayFactory.build(
        delegate=first.delegate,
        check_in=datetime.date(2017, 6, 13),
        check_out=datetime.date(2017, 6, 15),
    )
    with pytest.raises(ValidationError) as excinfo:
        validate_hotel_stay(overlapping)
    assert excinfo.value.messages == [
        "This stay overlaps the stay at Yyldyz Hotel from 2017-06-12 to 2017-06-14."
    ]
    back_to_back = HotelStayFactory.build(
        delegate=first.delegate,
        check_in=datetime.date(2017, 6, 14),
        check_out=datetime.date(2017, 6, 15),
    )
    validate_hotel_stay(back_to_back)


def test_issue_link_is_random_and_stable_until_reissued():
    delegate = DelegateFactory()
    first = issue_itinerary_link(delegate)
    assert issue_itinerary_link(delegate) == first
    assert len(first.token) >= 43  # 32 random bytes, URL-safe
    others = {issue_itinerary_link(DelegateFactory()).token for _ in range(20)}
    assert len(others) == 20 and first.token not in others
    second = issue_itinerary_link(delegate, reissue=True)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.token != first.token
    assert AccessLink.objects.filter(delegate=delegate, revoked_at=None).count() == 1


def test_issue_link_for_past_meeting_still_valid_for_ninety_days():
    link = issue_itinerary_link(DelegateFactory())
    assert link.expires_at > timezone.now() + datetime.timedelta(days=89)


def test_only_one_active_link_per_delegate_enforced_by_database():
    delegate = DelegateFactory()
    link = issue_itinerary_link(delegate)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLink.objects.create(
            kind="delegate",
            delegate=delegate,
            token="another-token-of-forty-three-characters-xx",
            expires_at=link.expires_at,
        )


def test_revoke_link_sets_revoked_at_once():
    link = revoke_link(issue_itinerary_link(DelegateFactory()))
    revoked_at = link.revoked_at
    assert revoked_at is not None
    assert revoke_link(link).revoked_at == revoked_at


def test_send_itinerary_link_in_delegates_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    delegate = DelegateFactory(preferred_language="ru", name_cyrillic="Нурлан Садыков")
    link = issue_itinerary_link(delegate)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_itinerary_link(link) is True
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [delegate.email]
    assert "Нурлан Садыков" in message.body
    assert f"/l/{link.token}/" in message.body
    assert "персональн" in message.subject
    link.refresh_from_db()
    assert link.sent_at is not None


def test_send_itinerary_link_without_email_sends_nothing(mailoutbox):
    link = issue_itinerary_link(DelegateFactory(email=""))
    assert send_itinerary_link(link) is False
    assert mailoutbox == []


def test_update_own_details_records_each_change_and_masks_passport():
    delegate = DelegateFactory(phone="+99312345678", dietary_needs="")
    changes = update_own_details(
        delegate,
        data={
            "phone": "+993 12 48 83 71",
            "dietary_needs": "Halal",
            "accessibility_needs": "",
            "preferred_language": "ru",
            "passport_number": "N1234567",
            "passport_nationality": "KZ",
            "passport_expires_on": datetime.date(2027, 1, 1),
        },
        changed_by="the delegate",
    )
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("phone", "+99312345678", "+99312488371"),
        ("dietary_needs", "", "Halal"),
        ("passport.number", "", "•••••567"),
        ("passport.nationality", "", "KZ"),
        ("passport.expires_on", "", "2027-01-01"),
    ]
    assert SelfServiceChange.objects.filter(delegate=delegate).count() == 5
    assert Passport.objects.get(delegate=delegate).number == "N1234567"


def test_update_own_details_bad_phone_changes_nothing():
    delegate = DelegateFactory(phone="+99312345678")
    with pytest.raises(ValidationError):
        update_own_details(delegate, data={"phone": "not a phone"}, changed_by="x")
    delegate.refresh_from_db()
    assert delegate.phone == "+99312345678"
    assert SelfServiceChange.objects.count() == 0
