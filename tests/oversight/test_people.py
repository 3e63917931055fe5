"""Certificates and principal verifications: their writers' rules and checks (with the audit record), the pages and
the API with their filters, the supervision page's section, and 主要负责人全面核查 campaigns whose coverage counts
verifications (and not inspections)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from inspections.choices import CampaignKind
from inspections.coverage import coverage, not_inspected
from inspections.models import Campaign, ChecklistVersion, Inspection
from oversight import certificates, verifications
from oversight.models import Certificate, Verification
from tests.oversight.factories import make_certificate, make_verification

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def cert_values(**over):
    values = {"holder": "principal", "person_name": "王五", "kind": "principal_assessment", "number": "AQ-1",
              "issued_on": TODAY() - timedelta(days=100), "expires_on": TODAY() + timedelta(days=900)}  # fmt: skip
    return {**values, **over}


def check_values(**over):
    values = {"person_name": "王五", "in_post": True, "has_experience": True, "certificate_seen": True}
    return {**values, **over}


def make_campaign(world, kind=CampaignKind.PRINCIPAL_VERIFICATION, **over) -> Campaign:
    values = {
        "name": "主要负责人全面核查",
        "kind": kind,
        "starts_on": TODAY() - timedelta(days=3),
        "ends_on": TODAY() + timedelta(days=9),
        "lead_department": world.yjj,
        "created_by": world.users["city"],
    }
    campaign = Campaign.objects.create(**{**values, **over})  # fmt: skip
    campaign.regions.set([world.d1])
    return campaign


# --- certificates --------------------------------------------------------------------------------------------


def test_government_in_scope_and_the_enterprise_for_its_own_record_certificates(world):
    made = certificates.record(world.users["district"], world.e1.pk, **cert_values())
    assert made.recorded_by == world.users["district"] and made.enterprise == world.e1
    event = AuditEvent.objects.get(action="certificate.record")
    assert event.object_id == str(made.pk) and event.changes["number"] == "AQ-1"
    manager = cert_values(holder="safety_manager", kind="manager_assessment")
    own = certificates.record(world.users["enterprise"], world.e1.pk, **manager)
    assert own.holder == "safety_manager"
    with pytest.raises(Http404):  # 新城区's: outside the district's scope
        certificates.record(world.users["district"], world.e2.pk, **cert_values())
    with pytest.raises(PermissionDenied):  # another enterprise's
        certificates.record(world.users["enterprise"], world.e4.pk, **cert_values())
    with pytest.raises(PermissionDenied):  # no position that records
        certificates.record(world.users["outsider"], world.e1.pk, **cert_values())
    assert Certificate.objects.count() == 2 and AuditEvent.objects.filter(action="certificate.record").count() == 2


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"number": "  "}, "number"),
        ({"expires_on": TODAY() - timedelta(days=100)}, "expires_on"),  # on the day of issue
        ({"expires_on": None}, "expires_on"),
        ({"kind": "manager_assessment"}, "kind"),  # a manager's for a principal
        ({"kind": "driving"}, "kind"),
        ({"holder": "cook"}, "holder"),
        ({"person_name": ""}, "person_name"),
        ({"issued_on": TODAY() + timedelta(days=1)}, "issued_on"),
    ],
)
def test_a_wrong_certificate_is_refused_by_field(world, over, field):
    with pytest.raises(ValidationError) as refused:
        certificates.record(world.users["city"], world.e1.pk, **cert_values(**over))
    assert field in refused.value.message_dict
    assert not Certificate.objects.exists()


def test_the_certificate_list_filters(world, client):
    by = world.users["city"]
    soon = make_certificate(world.e1, by, expires_on=TODAY() + timedelta(days=30), number="SOON")
    make_certificate(world.e1, by, "safety_manager", expires_on=TODAY() + timedelta(days=31), number="LATER")
    make_certificate(world.e3, by, expires_on=TODAY() - timedelta(days=1), number="GONE")
    make_certificate(world.e4, by, expires_on=TODAY(), number="TODAY")
    client.force_login(world.users["district"])  # 海滨区: e1, e4
    url = reverse("principals:certificates")
    page = client.get(url).content.decode()
    assert "SOON" in page and "TODAY" in page and "GONE" not in page
    page = client.get(url, {"validity": "expiring"}).content.decode()
    assert "SOON" in page and "TODAY" in page and "LATER" not in page
    page = client.get(url, {"holder": "safety_manager"}).content.decode()
    assert "LATER" in page and "SOON" not in page
    client.force_login(world.users["city"])
    page = client.get(url, {"validity": "expired"}).content.decode()
    assert "GONE" in page and "TODAY" not in page
    page = client.get(url, {"region": world.d2.pk}).content.decode()
    assert "GONE" in page and "SOON" not in page
    assert client.get(url, {"validity": "soonish"}).status_code == 400
    api = client.get("/api/v1/certificates/", {"validity": "expiring"}).json()["results"]
    assert {row["number"] for row in api} == {"SOON", "TODAY"} and all(row["is_valid"] for row in api)
    assert soon.pk in {row["id"] for row in api}


def test_the_certificate_form_and_api(world, client):
    client.force_login(world.users["enterprise"])
    url = reverse("principals:certificate-new", args=[world.e1.pk])
    assert client.get(url).status_code == 200
    answer = client.post(url, {**cert_values(), "issued_on": "", "expires_on": "2001-01-01", "number": ""})
    assert answer.status_code == 400 and not Certificate.objects.exists()
    answer = client.post(url, {**cert_values(), "issued_on": "", "expires_on": str(TODAY())})
    assert answer.status_code == 302 and Certificate.objects.get().expires_on == TODAY()
    assert client.get(reverse("principals:certificate-new", args=[world.e4.pk])).status_code == 404  # not in sight
    body = {**cert_values(), "enterprise": world.e1.pk, "issued_on": None, "expires_on": str(TODAY())}
    created = client.post("/api/v1/certificates/", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["is_valid"] is True
    client.force_login(world.users["district"])
    body["enterprise"] = world.e2.pk
    assert client.post("/api/v1/certificates/", body, content_type="application/json").status_code == 404
    body["enterprise"], body["number"] = world.e1.pk, ""
    refused = client.post("/api/v1/certificates/", body, content_type="application/json")
    assert refused.status_code == 400 and "number" in refused.json()


# --- verifications -------------------------------------------------------------------------------------------


def test_government_staff_verify_in_scope(world):
    made = verifications.verify(world.users["inspector"], world.e1.pk, **check_values(note="见到本人"))
    assert made.checked_by == world.users["inspector"] and made.in_post and made.campaign is None
    event = AuditEvent.objects.get(action="verification.record")
    assert event.changes["in_post"] is True and event.object_id == str(made.pk)
    with pytest.raises(PermissionDenied):
        verifications.verify(world.users["enterprise"], world.e1.pk, **check_values())
    with pytest.raises(Http404):
        verifications.verify(world.users["district"], world.e2.pk, **check_values())
    with pytest.raises(ValidationError) as refused:  # not in post: say what was found
        verifications.verify(world.users["district"], world.e1.pk, **check_values(in_post=False))
    assert "note" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        verifications.verify(world.users["district"], world.e1.pk, **check_values(in_post=None, person_name=""))
    assert {"in_post", "person_name"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError) as refused:
        verifications.verify(world.users["district"], world.e1.pk,
                             **check_values(checked_at=timezone.now() + timedelta(hours=1)))  # fmt: skip
    assert "checked_at" in refused.value.message_dict
    assert Verification.objects.count() == 1


def test_a_verification_belongs_only_to_a_running_verification_campaign(world):
    inspection_campaign = make_campaign(world, kind=CampaignKind.INSPECTION)
    ended = make_campaign(world, ends_on=TODAY() - timedelta(days=1))
    running = make_campaign(world)
    for wrong in (inspection_campaign.pk, ended.pk, 999999):
        with pytest.raises(ValidationError) as refused:
            verifications.verify(world.users["city"], world.e1.pk, **check_values(campaign=wrong))
        assert "campaign" in refused.value.message_dict
    made = verifications.verify(world.users["city"], world.e1.pk, **check_values(campaign=running.pk))
    assert made.campaign == running
    assert list(verifications.open_campaigns(world.users["city"])) == [running]


def test_the_verify_form_and_the_list(world, client):
    campaign = make_campaign(world)
    client.force_login(world.users["county_dept"])  # 海滨区应急管理局
    url = reverse("principals:verify", args=[world.e1.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"person_name": "王五", "in_post": "0", "has_experience": "1"})
    assert refused.status_code == 400 and "note" in refused.context["form"].errors
    answer = client.post(url, {"person_name": "王五", "in_post": "0", "has_experience": "0", "note": "外出，由副总代管",
                               "campaign": campaign.pk})  # fmt: skip
    assert answer.status_code == 302
    made = Verification.objects.get()
    assert (made.in_post, made.has_experience, made.certificate_seen, made.campaign) == (False, False, False, campaign)
    make_verification(world.e4, world.users["city"], person_name="赵六")
    listing = reverse("principals:verifications")
    page = client.get(listing, {"result": "not_in_post"}).content.decode()
    assert "外出" in page and "赵六" not in page
    page = client.get(listing, {"campaign": campaign.pk}).content.decode()
    assert "王五" in page and "赵六" not in page
    assert "赵六" in client.get(listing, {"result": "in_post"}).content.decode()
    client.force_login(world.users["enterprise"])
    assert client.get(url).status_code == 403


def test_the_verification_api(world, client):
    client.force_login(world.users["inspector"])
    body = {"enterprise": world.e1.pk, "person_name": "王五", "in_post": True, "has_experience": True}
    created = client.post("/api/v1/verifications/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["checked_by"] == world.users["inspector"].pk
    refused = client.post("/api/v1/verifications/", {**body, "in_post": False}, content_type="application/json")
    assert refused.status_code == 400 and "note" in refused.json()
    listed = client.get("/api/v1/verifications/", {"result": "in_post", "region": world.d1.pk}).json()["results"]
    assert [row["id"] for row in listed] == [created.json()["id"]]
    client.force_login(world.users["enterprise"])
    assert client.post("/api/v1/verifications/", body, content_type="application/json").status_code == 403


def test_the_supervision_page_shows_the_people_section(world, client, django_assert_max_num_queries):
    by = world.users["city"]
    make_certificate(world.e1, by, number="AQ-VALID", expires_on=TODAY())
    make_certificate(world.e1, by, "safety_manager", number="AQ-OLD", expires_on=TODAY() - timedelta(days=1))
    make_verification(world.e1, by, in_post=False, note="人不在")
    client.force_login(world.users["district"])
    with django_assert_max_num_queries(25):
        page = client.get(reverse("oversight:enterprise", args=[world.e1.pk])).content.decode()
    assert "AQ-VALID" in page and "AQ-OLD" in page and "人不在" in page
    assert reverse("principals:verify", args=[world.e1.pk]) in page
    assert reverse("principals:certificate-new", args=[world.e1.pk]) in page


# --- the campaign kind 全面核查 ---------------------------------------------------------------------------------


def test_a_verification_campaign_counts_verifications_not_inspections(world, client):
    """海滨区 has e1 and e4 (both operating): e1 verified in the campaign, e4 verified outside it and inspected in
    it; only e1 is covered. An inspection campaign over the same enterprises counts the inspection."""
    city = world.users["city"]
    campaign = make_campaign(world)
    verifications.verify(city, world.e1.pk, **check_values(campaign=campaign))
    verifications.verify(city, world.e4.pk, **check_values())
    version = ChecklistVersion.objects.first()
    Inspection.objects.create(
        enterprise=world.e4, version=version, lead=city, created_by=city, kind="ad_hoc", status="submitted",
        date=TODAY(), region_path=world.e4.region.path, industry=world.e4.industry, campaign=campaign,
    )  # fmt: skip
    result = coverage(campaign, city)
    assert (result.total, result.inspected) == (2, 1)
    assert list(not_inspected(campaign, city)) == [world.e4]
    other = make_campaign(world, kind=CampaignKind.INSPECTION)
    Inspection.objects.filter(campaign=campaign).update(campaign=other)
    assert (coverage(other, city).total, coverage(other, city).inspected) == (2, 1)
    assert list(not_inspected(other, city)) == [world.e1]
    client.force_login(city)
    page = client.get(reverse("inspections:campaign", args=[campaign.pk])).content.decode()
    assert 'id="campaign-kind"' in page and "1/2" in page
    assert (
        world.e4.name in page.split('id="not-inspected"')[1]
        and world.e1.name not in page.split('id="not-inspected"')[1]
    )


def test_the_campaign_api_takes_the_kind(world, client):
    client.force_login(world.users["city"])
    body = {"name": "全面核查", "kind": "principal_verification", "starts_on": str(TODAY()),
            "ends_on": str(TODAY() + timedelta(days=30)), "lead_department": world.yjj.pk,
            "versions": [ChecklistVersion.objects.first().pk]}  # fmt: skip
    created = client.post("/api/v1/campaigns/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert Campaign.objects.get(pk=created.json()["id"]).kind == CampaignKind.PRINCIPAL_VERIFICATION


def test_the_lists_cost_the_same_for_more_rows(world, client, django_assert_max_num_queries):
    by = world.users["city"]
    client.force_login(by)
    for enterprise in (world.e1, world.e2, world.e3, world.e4):
        make_certificate(enterprise, by)
        make_verification(enterprise, by, campaign=make_campaign(world))
    for name in ("principals:certificates", "principals:verifications"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200
    for enterprise in (world.e1, world.e2, world.e3, world.e4):
        make_certificate(enterprise, by, "safety_manager")
        make_verification(enterprise, by, campaign=make_campaign(world))
    for name in ("principals:certificates", "principals:verifications"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200


def test_the_demo_is_idempotent_and_shows_its_signals(world):
    """The demo's people in the test world: demo-city (the city office) and demo-enterprise (e1's principal)."""
    from organizations import flags
    from organizations.models import Department, Enterprise, User
    from organizations.scope import Reference
    from oversight.demo_people import load_demo_people

    User.objects.filter(pk=world.users["city"].pk).update(username="demo-city")
    User.objects.filter(pk=world.users["enterprise"].pk).update(username="demo-enterprise")
    Department.objects.filter(pk=world.yjj.pk).update(code="city-yjj")
    Enterprise.objects.filter(pk=world.e4.pk).update(operating_state="operating")
    first = load_demo_people()
    assert first["certificates_created"] >= 3 and first["verification_campaigns_created"] == 1
    again = load_demo_people()
    assert (
        again["certificates_created"] == again["verifications_created"] == again["verification_campaigns_created"] == 0
    )

    def shows(key):
        return set(Enterprise.objects.filter(flags.condition(key, Reference())).values_list("pk", flat=True))

    assert world.e1.pk not in shows("no_certificate") | shows("principal_unverified")  # the demo enterprise is clean
    assert world.e4.pk in shows("no_certificate")  # 海滨区's first other: its principal's certificate expired
