"""The enterprise list (page and API) filtered by each supervision signal (`?signal=<key>`, repeated: all must
hold; unknown: 400 in Chinese) and by the three flags, always within the user's scope; the page shows the chosen
signals, each with a link that takes it off."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from organizations import flags
from organizations.models import Enterprise
from organizations.scope import Reference
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

LIST, API = "/enterprises/", "/api/v1/enterprises/"


@pytest.fixture
def marked(world):
    EnterpriseFactory(name="海滨转包公司", region=world.t1, industry=world.chem, is_subcontracting=True,
                      licence_state="unlicensed")  # fmt: skip
    EnterpriseFactory(name="新城挂靠公司", region=world.t2, industry=world.build, is_hosted_operation=True,
                      is_subcontracting=True)  # fmt: skip
    EnterpriseFactory(name="海滨借证公司", region=world.t1, industry=world.mine, is_borrowed_qualification=True,
                      operating_state="suspended")  # fmt: skip
    Enterprise.objects.update(created_at=timezone.now() - timedelta(days=800))
    return world


def names_on_page(client, params) -> set[str]:
    page = client.get(LIST, params)
    assert page.status_code == 200
    html = page.content.decode()
    return {e.name for e in Enterprise.objects.all() if f">{e.name}</a>" in html}


def names_in_api(client, params) -> set[str]:
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    data = response.json()
    return {row["name"] for row in (data["results"] if isinstance(data, dict) else data)}


@pytest.mark.parametrize("key", [key for key, _ in flags.choices()])
@pytest.mark.parametrize("who", ["city", "district"])
def test_each_signal_on_the_page_and_the_api(marked, client, key, who):
    user = marked.users[who]
    client.force_login(user)
    expected = set(
        Enterprise.objects.visible_to(user).filter(flags.condition(key, Reference())).values_list("name", flat=True)
    )
    assert names_on_page(client, {"signal": key}) == expected
    assert names_in_api(client, {"signal": key}) == expected


def test_every_signal_selects_someone_for_the_city(marked):
    """So that the test above compares something for each signal (a signal nobody shows would pass trivially),
    except the verification and certificate ones which every producing enterprise shows here."""
    for key, _ in flags.choices():
        assert Enterprise.objects.filter(flags.condition(key, Reference())).exists(), key


def test_repeated_signals_must_all_hold(marked, client):
    client.force_login(marked.users["city"])
    params = [("signal", "subcontracting"), ("signal", "unlicensed")]
    assert names_on_page(client, params) == {"海滨转包公司"}
    assert names_in_api(client, params) == {"海滨转包公司"}
    assert names_in_api(client, {"signal": "subcontracting"}) == {"海滨转包公司", "新城挂靠公司"}


def test_an_unknown_signal_is_a_400_in_chinese(marked, client):
    client.force_login(marked.users["city"])
    response = client.get(API, {"signal": "nonsense"})
    assert response.status_code == 400
    message = " ".join(response.json()["signal"])
    assert "nonsense" in message and "选择" in message
    page = client.get(LIST, {"signal": "nonsense"})
    assert page.status_code == 400 and "选择" in page.content.decode()


@pytest.mark.parametrize(
    "flag, who, expected",
    [
        ("is_subcontracting", "city", {"海滨转包公司", "新城挂靠公司"}),
        ("is_subcontracting", "district", {"海滨转包公司"}),
        ("is_hosted_operation", "city", {"新城挂靠公司"}),
        ("is_hosted_operation", "district", set()),
        ("is_borrowed_qualification", "city", {"海滨借证公司"}),
        ("is_borrowed_qualification", "dept_head", set()),  # 住建局: building only
    ],
)
def test_the_three_flags_in_scope(marked, client, flag, who, expected):
    client.force_login(marked.users[who])
    assert names_on_page(client, {flag: "true"}) == expected
    assert names_in_api(client, {flag: "true"}) == expected


def test_the_page_shows_the_chosen_signals(marked, client):
    client.force_login(marked.users["city"])
    html = client.get(LIST, [("signal", "subcontracting"), ("signal", "unlicensed")]).content.decode()
    assert 'id="signal-filter"' in html
    assert re.search(r'<input type="checkbox" name="signal" value="subcontracting" id="id_signal_\d+" checked>', html)
    assert re.search(r'<input type="checkbox" name="signal" value="no_department" id="id_signal_\d+">', html)
    active = html.split('id="active-signals"')[1].split("</p>")[0]
    # each tag is the signal's Chinese label, its link the list without it
    assert 'href="/enterprises/?signal=unlicensed" title="移除此信号">分包转包 ×</a>' in active
    assert 'href="/enterprises/?signal=subcontracting" title="移除此信号">无证经营 ×</a>' in active
    assert 'id="active-signals"' not in client.get(LIST).content.decode()
