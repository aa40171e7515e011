import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from delegations.models import (
    AccessLink,
    Delegate,
    HotelStay,
    Passport,
    SelfServiceChange,
)
from delegations.services import (
    FundedQuotaExceeded,
    check_funded_quota,
    check_unique_email,
    create_delegation,
    issue_itinerary_link,
    mark_funded,
    revoke_link,
    save_delegate,
    save_delegates,
    save_hotel_stay,
    save_hotel_stays,
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
        "Kazakhstan already has 3 funded delegates, its quota of 3: "
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


def test_save_delegate_refuses_email_differing_only_in_case_naming_the_other():
    existing = DelegateFactory(email="minister@mfa.example", name_latin="A Minister")
    twin = DelegateFactory.build(
        delegation=DelegationFactory(meeting=existing.delegation.meeting),
        email="Minister@MFA.example",
    )
    with pytest.raises(ValidationError) as excinfo:
        save_delegate(twin)
    assert excinfo.value.message_dict == {
        "email": [
            f"A Minister ({existing.delegation.name_en}) already has this email "
            "at this meeting."
        ]
    }
    assert Delegate.objects.count() == 1


def test_save_delegate_keeps_its_own_email_in_another_case():
    delegate = DelegateFactory(email="minister@mfa.example")
    delegate.email = "Minister@mfa.example"
    save_delegate(delegate)
    delegate.refresh_from_db()
    assert delegate.email == "Minister@mfa.example"


def test_check_unique_email_compares_the_rows_saved_together():
    meeting_delegation = DelegationFactory()
    moving = DelegateFactory(delegation=meeting_delegation, email="a@mfa.example")
    # The stored row gives its address up in the same list: no clash with it.
    moving.email = "b@mfa.example"
    taker = DelegateFactory.build(
        delegation=meeting_delegation, email="A@mfa.example", name_latin="Taker"
    )
    check_unique_email(taker, alongside=[moving])
    # Two rows of the list with one address: each is told about the other.
    twin = DelegateFactory.build(
        delegation=meeting_delegation, email="a@MFA.example", name_latin="Twin"
    )
    with pytest.raises(ValidationError) as excinfo:
        check_unique_email(taker, alongside=[moving, twin])
    assert excinfo.value.message_dict == {
        "email": [
            f"Twin ({meeting_delegation.name_en}) already has this email at this "
            "meeting."
        ]
    }


def test_check_funded_quota_counts_the_list_as_it_will_be_saved():
    delegation = DelegationFactory(name_en="Kazakhstan")
    ann, ben, cat = (
        DelegateFactory(delegation=delegation, name_latin=name, funded=True)
        for name in ("Ann One", "Ben Two", "Cat Three")
    )
    dan = DelegateFactory(delegation=delegation, name_latin="Dan Four")
    dan.funded = True
    with pytest.raises(FundedQuotaExceeded) as excinfo:
        check_funded_quota(dan, alongside=[ann, ben, cat])
    assert excinfo.value.messages == [
        "Kazakhstan already has 3 funded delegates, its quota of 3: "
        "Ann One, Ben Two, Cat Three. Unfund one of them first, or raise the quota."
    ]
    ann.funded = False  # gives up her place in the same save
    check_funded_quota(dan, alongside=[ann, ben, cat])
    ann.funded = True
    check_funded_quota(dan, alongside=[ben, cat], removed=[ann])  # or is deleted
    delegation.funded_quota = 4  # raised in the same form
    check_funded_quota(dan, alongside=[ann, ben, cat], delegation=delegation)


def test_save_delegates_frees_a_place_and_takes_it_in_one_save():
    delegation = DelegationFactory()
    funded = DelegateFactory.create_batch(3, delegation=delegation, funded=True)
    newcomer = DelegateFactory.build(delegation=delegation, funded=True)
    funded[0].funded = False
    save_delegates(delegation, [newcomer, funded[0]])
    assert set(
        Delegate.objects.filter(delegation=delegation, funded=True).values_list(
            "pk", flat=True
        )
    ) == {funded[1].pk, funded[2].pk, newcomer.pk}


def test_save_delegates_refused_saves_none_of_the_list():
    delegation = DelegationFactory()
    DelegateFactory.create_batch(3, delegation=delegation, funded=True)
    first = DelegateFactory.build(delegation=delegation, name_latin="First")
    fourth = DelegateFactory.build(delegation=delegation, funded=True)
    with pytest.raises(FundedQuotaExceeded):
        save_delegates(delegation, [first, fourth])
    assert not Delegate.objects.filter(name_latin="First").exists()


def stay(delegate, check_in: int, check_out: int, **fields):
    """Return an unsaved stay in June 2017, from one day to another."""
    return HotelStayFactory.build(
        delegate=delegate,
        check_in=datetime.date(2017, 6, check_in),
        check_out=datetime.date(2017, 6, check_out),
        **fields,
    )


def test_save_hotel_stay_refuses_overlap_naming_the_other_stays_dates():
    first = HotelStayFactory(hotel_en="Yyldyz Hotel")
    with pytest.raises(ValidationError) as excinfo:
        save_hotel_stay(stay(first.delegate, 13, 15, hotel_en="Sofitel Oguzkent"))
    assert excinfo.value.message_dict == {
        "check_in": [
            "This stay overlaps the stay at Yyldyz Hotel from 2017-06-12 to 2017-06-14."
        ]
    }
    assert HotelStay.objects.count() == 1


def test_save_hotel_stay_saves_back_to_back_and_other_delegates_stays():
    first = HotelStayFactory()
    after = save_hotel_stay(stay(first.delegate, 14, 16))
    elsewhere = save_hotel_stay(stay(DelegateFactory(), 12, 14))
    assert HotelStay.objects.filter(pk__in=[after.pk, elsewhere.pk]).count() == 2


def test_save_hotel_stay_moves_a_stay_over_its_own_dates():
    first = HotelStayFactory()
    first.check_out = datetime.date(2017, 6, 16)
    save_hotel_stay(first)
    first.refresh_from_db()
    assert first.check_out == datetime.date(2017, 6, 16)


def test_save_hotel_stay_refuses_check_out_before_check_in():
    with pytest.raises(ValidationError) as excinfo:
        save_hotel_stay(stay(DelegateFactory(), 14, 12))
    assert excinfo.value.messages == ["Check-out must be after check-in."]


def test_validate_hotel_stay_compares_the_stays_saved_together():
    first = HotelStayFactory()
    first.check_in = datetime.date(2017, 6, 10)
    first.check_out = datetime.date(2017, 6, 12)
    # The stored stay moves away in the same save: the new one may take its days.
    validate_hotel_stay(stay(first.delegate, 12, 14), alongside=[first])
    with pytest.raises(ValidationError) as excinfo:
        validate_hotel_stay(
            stay(first.delegate, 11, 13), alongside=[first, stay(None, 20, 21)]
        )
    assert excinfo.value.messages == [
        "This stay overlaps the stay at Yyldyz Hotel from 2017-06-10 to 2017-06-12."
    ]
    validate_hotel_stay(stay(first.delegate, 12, 14), removed=[first])


def test_save_hotel_stays_refused_saves_none_of_the_list():
    delegate = DelegateFactory()
    with pytest.raises(ValidationError):
        save_hotel_stays(
            delegate, [stay(delegate, 12, 14), stay(delegate, 13, 15)], removed=[]
        )
    assert HotelStay.objects.count() == 0


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
