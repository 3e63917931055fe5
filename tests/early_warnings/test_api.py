"""The warnings API: issue, update, lift and answer through the workflow; 403, 404, 409 and 400 in Chinese; query
counts pinned for the list and the detail."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from early_warnings import workflow
from early_warnings.models import EarlyWarning, WarningRecipient

from .conftest import WARNING, api


def body(world, **extra):
    return {**WARNING, "level": "red", "areas": [world.d1.pk], **extra}


def test_issue_update_answer_and_lift_through_the_api(world, posts):
    city = api(world.users["city"])
    made = city.post("/api/v1/warnings/", body(world), format="json")
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert made.json()["recipients_count"] == 3 and made.json()["actions"] == ["lift", "update"]
    answered = api(world.users["duty1"]).post(
        f"/api/v1/warnings/{pk}/answer/", {"measures": ["sites_closed"], "note": "已停工"}, format="json"
    )
    assert answered.status_code == 200, answered.json()
    [row] = answered.json()
    assert row["post"] == posts.d1_duty.pk
    assert row["measures"] == ["sites_closed"] and row["answered_by"] == world.users["duty1"].pk and not row["late"]
    updated = city.post(f"/api/v1/warnings/{pk}/update/", {"level": "orange"}, format="json")
    assert updated.status_code == 200, updated.json()
    new = updated.json()
    assert new["change"] == "lowered" and new["change_note"] == "暴雨预警由红色降级为橙色。"
    assert [v["version"] for v in new["history"]] == [1, 2]
    lifted = city.post(f"/api/v1/warnings/{new['id']}/lift/", {"note": "雨停了。"}, format="json")
    assert lifted.status_code == 200 and lifted.json()["status"] == "lifted"
    assert len(lifted.json()["history"]) == 3


def test_refusals_in_chinese(world, posts):
    city = api(world.users["city"])
    pk = city.post("/api/v1/warnings/", body(world), format="json").json()["id"]
    # 403: a department issues nothing; a district only in its own region; a non-recipient answers nothing
    refused = api(world.users["dept_head"]).post("/api/v1/warnings/", body(world), format="json")
    assert refused.status_code == 403 and "市安委办" in refused.json()["detail"]
    outside = api(world.users["district"]).post("/api/v1/warnings/", body(world, areas=[world.city.pk]), format="json")
    assert outside.status_code == 403 and "滨海市" in outside.json()["detail"]
    unseen = api(world.users["district"]).post("/api/v1/warnings/", body(world, areas=[world.d2.pk]), format="json")
    assert unseen.status_code == 400 and "areas" in unseen.json()  # a region it does not see
    stranger = api(world.users["inspector"]).post(f"/api/v1/warnings/{pk}/answer/", {}, format="json")
    assert stranger.status_code == 403 and "叫应" in stranger.json()["detail"]
    # 404: an enterprise sees no warning
    assert api(world.users["enterprise"]).get(f"/api/v1/warnings/{pk}/").status_code == 404
    assert api(world.users["enterprise"]).post(f"/api/v1/warnings/{pk}/answer/", {}, format="json").status_code == 404
    # 400: each bad field named
    bad = city.post("/api/v1/warnings/", body(world, level="purple", areas=[], title=""), format="json")
    assert bad.status_code == 400 and {"level", "areas", "title"} <= set(bad.json())
    bad_measure = api(world.users["duty1"]).post(
        f"/api/v1/warnings/{pk}/answer/", {"measures": ["dance"]}, format="json"
    )
    assert bad_measure.status_code == 400 and "measures" in bad_measure.json()
    same = city.post(f"/api/v1/warnings/{pk}/update/", {"level": "red"}, format="json")
    assert same.status_code == 400 and "没有任何变化" in str(same.json())
    # 409: the superseded version is neither answered nor changed
    city.post(f"/api/v1/warnings/{pk}/update/", {"level": "orange"}, format="json")
    late = api(world.users["duty1"]).post(f"/api/v1/warnings/{pk}/answer/", {}, format="json")
    assert late.status_code == 409 and "生效中" in late.json()["detail"]
    assert city.post(f"/api/v1/warnings/{pk}/lift/", {}, format="json").status_code == 409


def test_a_fellow_holder_answering_second_is_told_who_answered(world, posts):
    pk = api(world.users["city"]).post("/api/v1/warnings/", body(world), format="json").json()["id"]
    assert api(world.users["duty1"]).post(f"/api/v1/warnings/{pk}/answer/", {}, format="json").status_code == 200
    second = api(world.users["duty1b"]).post(f"/api/v1/warnings/{pk}/answer/", {}, format="json")
    assert second.status_code == 409 and "duty1" in second.json()["detail"]


def test_query_counts_of_the_list_and_the_detail_do_not_grow(world, posts):
    city = world.users["city"]
    client = api(city)

    def counted(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    warning = workflow.issue(city, level="red", areas=[world.d1], **WARNING)
    list_one, detail_one = counted("/api/v1/warnings/"), counted(f"/api/v1/warnings/{warning.pk}/")
    for _ in range(3):
        warning = workflow.issue(city, level="blue", areas=[world.city, world.d1, world.d2], **WARNING)
    assert WarningRecipient.objects.filter(warning=warning).count() > 5
    assert counted("/api/v1/warnings/") == list_one
    assert counted(f"/api/v1/warnings/{warning.pk}/") == detail_one
    # the list: the versions with their counts, their areas; the detail adds the recipients, the history, and
    # whether the actor may answer (one EXISTS)
    assert (list_one, detail_one) == (2, 5)
    assert EarlyWarning.objects.count() == 4
