"""The public pages' limits at their edges (django-ratelimit counting in Redis, each test under a key prefix of its
own): per client address and per phone number on the submit, per address on the progress lookup and the
suggestions. The Nth passes, the N+1th gets the polite Chinese 429 with Retry-After and nothing is written."""

from __future__ import annotations

import pytest

from tipoffs.models import Report

from ..factories import EnterpriseFactory
from .public_helpers import FORM, PROGRESS, SUGGEST, post_report, receipt_of

pytestmark = pytest.mark.django_db


def assert_polite_refusal(response) -> None:
    html = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0 and "no-store" in response["Cache-Control"]
    assert "请稍后再试" in html and "12350" in html and "Traceback" not in html


def test_the_address_limit_lets_the_nth_report_through_and_refuses_the_next_politely(client, world, settings):
    settings.TIPOFF_RATE_ADDRESS = "3/d"
    for n in range(3):
        assert post_report(client, world, phone=f"1390000100{n}").status_code == 200
    refused = post_report(client, world, phone="13900001009", description="第四次举报的内容")
    assert_polite_refusal(refused)
    assert "第四次举报的内容" not in refused.content.decode()  # nothing of it is kept, not even on the page
    assert Report.objects.count() == 3
    assert post_report(client, world, address="198.51.100.9", phone="13900001010").status_code == 200


def test_every_post_counts_against_the_address_a_wrong_captcha_too(client, world, settings):
    settings.TIPOFF_RATE_ADDRESS = "2/d"
    assert post_report(client, world, captcha_1="zzzz").status_code == 400
    assert post_report(client, world).status_code == 200
    assert_polite_refusal(post_report(client, world))
    assert Report.objects.count() == 1


def test_the_phone_limit_counts_the_normalised_number_from_any_address(client, world, settings):
    settings.TIPOFF_RATE_ADDRESS = "100/d"
    settings.TIPOFF_RATE_PHONE = "2/d"
    assert post_report(client, world, address="203.0.113.1", phone="139 0000 1234").status_code == 200
    assert post_report(client, world, address="203.0.113.2", phone="139-0000-1234").status_code == 200
    assert_polite_refusal(post_report(client, world, address="203.0.113.3", phone="13900001234"))
    assert Report.objects.count() == 2
    assert post_report(client, world, address="203.0.113.4", phone="13900005678").status_code == 200
    # An anonymous report gives no phone: the number typed and ignored is not counted.
    assert post_report(client, world, address="203.0.113.5", is_anonymous="1", phone="13900001234").status_code == 200
    assert Report.objects.count() == 4


def test_a_wrong_captcha_does_not_count_against_the_phone(client, world, settings):
    settings.TIPOFF_RATE_PHONE = "1/d"
    assert post_report(client, world, captcha_1="zzzz").status_code == 400
    assert post_report(client, world).status_code == 200


def test_the_lookup_limit_refuses_the_next_guess_even_a_right_one(client, world, settings):
    settings.TIPOFF_RATE_LOOKUP = "3/d"
    code, secret = receipt_of(post_report(client, world).content.decode())
    for _ in range(2):
        wrong = client.post(PROGRESS, {"code": code, "secret": "AAAAAA-AAAAAA-AAAAAA-AAAAAA"}, REMOTE_ADDR="192.0.2.5")
        assert wrong.status_code == 200 and "受理编号或查询密码不正确" in wrong.content.decode()
    third = client.post(PROGRESS, {"code": code, "secret": secret}, REMOTE_ADDR="192.0.2.5")
    assert third.status_code == 200 and "report-state" in third.content.decode()
    assert_polite_refusal(client.post(PROGRESS, {"code": code, "secret": secret}, REMOTE_ADDR="192.0.2.5"))
    assert client.get(PROGRESS, REMOTE_ADDR="192.0.2.5").status_code == 200  # the empty form is not counted
    assert client.post(PROGRESS, {"code": code, "secret": secret}, REMOTE_ADDR="192.0.2.6").status_code == 200


def test_suggestions_are_registry_names_only_at_least_two_characters_at_most_ten(client, world):
    twins = [EnterpriseFactory(name="滨江同名商贸公司", region=r, industry=world.chem) for r in (world.t1, world.t2)]
    for n in range(12):
        EnterpriseFactory(
            name=f"海滨测试企业{n:02d}", region=world.t1, industry=world.chem, principal_phone="13911112222"
        )
    assert client.get(SUGGEST, {"q": "海"}).json() == {"names": []}
    assert client.get(SUGGEST, {"q": "滨化"}).json() == {"names": [world.e1.name]}
    assert client.get(SUGGEST, {"q": "同名"}).json() == {"names": [twins[0].name]}  # a name once
    many = client.get(SUGGEST, {"q": "海滨"})
    assert list(many.json()) == ["names"] and len(many.json()["names"]) == 10
    assert all(isinstance(name, str) for name in many.json()["names"])
    assert "13911112222" not in many.content.decode() and world.e1.credit_code not in many.content.decode()


def test_suggestions_are_limited_per_address(client, world, settings):
    settings.TIPOFF_RATE_SUGGEST = "2/d"
    assert client.get(SUGGEST, {"q": "海滨"}).status_code == 200
    assert client.get(SUGGEST, {"q": "新城"}).status_code == 200
    refused = client.get(SUGGEST, {"q": "化工"})
    assert refused.status_code == 429 and refused.json()["names"] == [] and "查询过于频繁" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    assert client.get(SUGGEST, {"q": "化工"}, REMOTE_ADDR="192.0.2.77").status_code == 200
    assert client.get(FORM).status_code == 200  # the form itself is never limited
