"""The public page of warnings in force and its JSON twin: open without login, only warnings in force, grouped by
area, nothing about people, cacheable, a pinned number of queries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from early_warnings.choices import RecipientRole, WarningKind, WarningLevel, WarningStatus
from early_warnings.models import EarlyWarning, WarningRecipient
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory

PAGE = reverse("public_warnings:page")
JSON = reverse("public_warnings:json")
PEOPLE = {"city": ("王建国", "13800000001"), "district": ("李海滨", "13800000002"),
          "dept_head": ("张住建", "13800000003"), "county_dept": ("赵应急", "13800000004"),
          "inspector": ("钱检查", "13800000005"), "enterprise": ("孙化工", "13800000006")}  # fmt: skip


def warning(areas, title, *, level=WarningLevel.ORANGE, status=WarningStatus.IN_FORCE, valid_for=timedelta(hours=6),
            created_by=None, **fields) -> EarlyWarning:  # fmt: skip
    now = timezone.now()
    row = EarlyWarning.objects.create(
        kind=fields.pop("kind", WarningKind.RAINSTORM), level=level, status=status, issuer="滨海市气象台",
        issued_at=now - timedelta(hours=1), valid_until=now + valid_for if valid_for else None, title=title,
        text=fields.pop("text", f"{title}：预计未来3小时有强降雨。"), measures="暂停户外作业。", tips="远离低洼地带。",
        created_by=created_by, **fields,
    )  # fmt: skip
    row.series = row.pk
    row.save(update_fields=["series"])
    row.areas.set(areas)
    return row


@pytest.fixture
def published(world):
    """GIVEN people with names and phones, warnings in force for the city, a district and a street, and warnings
    lifted, superseded and expired; a post that answered one with a note."""
    for role, (name, phone) in PEOPLE.items():
        world.users[role].full_name, world.users[role].phone = name, phone
        world.users[role].save()
    world.e1.principal_name, world.e1.principal_phone = "周法人", "13900000009"
    world.e1.save()
    city = world.users["city"]
    rows = {
        "city_wide": warning(
            [world.city],
            "全市大风蓝色预警",
            kind=WarningKind.GALE,
            level=WarningLevel.BLUE,
            created_by=city,
            valid_for=None,
        ),  # fmt: skip
        "d1": warning([world.d1], "海滨区暴雨红色预警", level=WarningLevel.RED, created_by=city),
        "t2": warning([world.t2], "新城街道地质灾害黄色预警", kind=WarningKind.GEOLOGICAL, level=WarningLevel.YELLOW),
        "lifted": warning([world.d2], "已解除的高温预警", status=WarningStatus.LIFTED),
        "superseded": warning([world.d1], "被取代的暴雨橙色预警", status=WarningStatus.SUPERSEDED),
        "expired": warning([world.d2], "已过期的大雾预警", valid_for=-timedelta(minutes=1)),
    }
    post = PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    now = timezone.now()
    WarningRecipient.objects.create(
        warning=rows["d1"], post=post, role=RecipientRole.TERRITORIAL_LEADER, region=world.d1, sent_at=now,
        answer_due_at=now, answered_at=now, answered_by=world.users["district"], note="已撤离工地人员三十二名",
    )  # fmt: skip
    return rows


IN_FORCE = ("全市大风蓝色预警", "海滨区暴雨红色预警", "新城街道地质灾害黄色预警")
NOT_IN_FORCE = ("已解除的高温预警", "被取代的暴雨橙色预警", "已过期的大雾预警")


def private_words(world) -> list[str]:
    words = [w for pair in PEOPLE.values() for w in pair] + ["周法人", "13900000009", "已撤离工地人员三十二名"]
    return words + [u.username for u in world.users.values() if len(u.username) > 6] + [world.users["city"].email]


def test_the_page_is_open_without_login_and_shows_only_warnings_in_force(client, world, published):
    response = client.get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert all(title in text for title in IN_FORCE)
    assert not any(title in text for title in NOT_IN_FORCE)
    assert "暂停户外作业。" in text and "远离低洼地带。" in text and "滨海市气象台" in text
    assert text.index("海滨区暴雨红色预警") < text.index("新城街道地质灾害黄色预警") < text.index("全市大风蓝色预警")


def test_no_personal_data_on_the_page_or_in_the_json(client, world, published):
    page = client.get(PAGE).content.decode() + client.get(PAGE, {"region": "990102", "lang": "en"}).content.decode()
    data = client.get(JSON).content.decode("utf-8")
    for word in filter(None, private_words(world)):
        assert word not in page, word
        assert word not in data, word
    assert "海滨区暴雨红色预警" in data  # the twin is not empty: the absences above mean something


def test_a_region_shows_warnings_covering_it_above_or_inside_it(client, world, published):
    street = client.get(PAGE, {"region": world.t1.code}).content.decode()
    assert "海滨区暴雨红色预警" in street and "全市大风蓝色预警" in street  # its district's and its city's
    assert "新城街道地质灾害黄色预警" not in street  # another district's street
    assert 'href="/public/warnings.json?region=990102001"' in street  # the twin of what is shown
    district = client.get(PAGE, {"region": world.d2.code}).content.decode()
    assert "新城街道地质灾害黄色预警" in district and "全市大风蓝色预警" in district
    assert "海滨区暴雨红色预警" not in district
    assert client.get(PAGE, {"region": "000000"}).status_code == 404


def test_the_json_twin(client, world, published):
    body = client.get(JSON, {"region": world.d1.code}).json()
    assert body["region"] == {"code": "990102", "name": "海滨区"}
    assert [w["title"] for w in body["warnings"]] == ["海滨区暴雨红色预警", "全市大风蓝色预警"]
    red = body["warnings"][0]
    assert (
        red["level"] == "red" and red["kind"] == "rainstorm" and red["areas"] == [{"code": "990102", "name": "海滨区"}]
    )
    assert red["level_label"] == "红色" and red["issuer"] == "滨海市气象台" and red["tips"] == "远离低洼地带。"
    assert body["warnings"][1]["valid_until"] is None
    everything = client.get(JSON, {"lang": "en"}).json()
    assert everything["language"] == "en" and everything["warnings"][0]["level_label"] == "Red"
    by_area = {a["code"]: a["warnings"] for a in everything["areas"]}
    assert by_area == {
        "990102": [published["d1"].pk, published["city_wide"].pk],
        "990103": [published["t2"].pk, published["city_wide"].pk],
    }


def test_chinese_by_default_and_english_on_request(client, world, published):
    assert "生效中的预警" in client.get(PAGE).content.decode()
    english = client.get(PAGE, {"lang": "en"})
    assert "Warnings in force" in english.content.decode() and english["Content-Language"] == "en"
    assert "生效中的预警" in client.get(PAGE, {"lang": "xx"}).content.decode()


def test_cacheable_and_the_same_for_everyone(client, world, published):
    anonymous = client.get(PAGE)
    assert "max-age=60" in anonymous["Cache-Control"] and "public" in anonymous["Cache-Control"]
    assert not anonymous.cookies and "Cookie" not in anonymous.get("Vary", "")
    client.force_login(world.users["city"])
    logged_in = client.get(PAGE)
    assert logged_in.content == anonymous.content  # nothing about the visitor
    assert "Log out" not in logged_in.content.decode() and "退出" not in logged_in.content.decode()
    assert client.get(JSON)["Cache-Control"] == anonymous["Cache-Control"]


def test_nothing_in_force(client, db):
    assert "当前没有生效的预警" in client.get(PAGE).content.decode()
    assert client.get(JSON).json()["warnings"] == []


def test_only_reading(client, world, published):
    assert client.post(PAGE).status_code == 405
    assert client.post(JSON).status_code == 405


def test_query_count_is_pinned(client, world, published, django_assert_num_queries):
    for i in range(10):
        warning([world.d1, world.t2], f"加密预警{i}")
    with django_assert_num_queries(3):
        assert client.get(PAGE).status_code == 200
    with django_assert_num_queries(3):
        assert len(json.loads(client.get(JSON).content)["warnings"]) == 13
