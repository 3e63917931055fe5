"""The accident records' writer (accidents/records.py): the record from an incident, each refusal, edit, close, an
accident elsewhere, and the list filters."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from accidents import records
from accidents.models import Accident
from accidents.record_filters import AccidentFilterSet
from audit.models import AuditEvent
from duty_roster import incidents
from safety_platform.lib.errors import Conflict

from .factories import make_accident, make_external
from .records_fixtures import not_pdf, pdf, reported

pytestmark = pytest.mark.django_db


def test_the_record_from_an_incident_copies_its_facts_and_the_grade_a_supplement_raised(world):
    """GIVEN an incident at e1 (two seriously injured: general) and a supplement raising the deaths to 3 (large)
    WHEN the district leader confirms the supplement as a fire THEN the record is of the first report, with its time,
    place, course, e1's region, industry and supervising department (海滨区应急管理局), the grade large and the
    supplement's figures; titled 海滨化工有限公司“M·D”火灾事故; audited accident.record."""
    city, district = world.users["city"], world.users["district"]
    first = reported(city, world.e1)
    assert first.grade == "general"
    later = incidents.supplement(city, first, {"deaths": 3})
    accident = records.confirm(district, later, kind="production", accident_type="08",
                               direct_causes=["environment", "unsafe_act"])  # fmt: skip
    assert accident.incident_id == first.pk
    assert (accident.occurred_at, accident.place, accident.course) == (first.occurred_at, "二号仓库", first.course)
    assert (accident.enterprise, accident.region, accident.region_path) == (world.e1, world.t1, world.t1.path)
    assert (accident.industry, accident.department) == (world.chem, world.d1_yjj)
    assert (accident.grade, accident.deaths, accident.serious_injuries) == ("large", 3, 2)
    assert accident.direct_loss == Decimal("300000")
    assert accident.direct_causes == ["unsafe_act", "environment"]  # the choices' order
    local = timezone.localtime(first.occurred_at)
    assert accident.title == f"海滨化工有限公司“{local.month}·{local.day}”火灾事故"
    assert accident.investigation == "investigating" and not accident.external
    assert AuditEvent.objects.filter(action="accident.record", object_id=str(accident.pk)).count() == 1
    assert records.parties(accident) == {"territory": world.t1, "department": world.d1_yjj, "enterprise": world.e1}


def test_a_near_miss_is_named_so_and_a_given_course_and_title_win(world):
    """GIVEN an incident WHEN the county department's staff confirm it as a near miss with a course THEN 涉险事件 ends
    the default name and the course is theirs; a given title is kept as given."""
    accident = records.confirm(world.users["county_dept"], reported(world.users["city"], world.e1), kind="near_miss",
                               accident_type="15", course="经调查，系瓦斯积聚。")  # fmt: skip
    assert accident.title.endswith("瓦斯爆炸涉险事件") and accident.course == "经调查，系瓦斯积聚。"
    named = records.confirm(world.users["city"], reported(world.users["city"], world.e1, place="三号仓库"),
                            kind="production", accident_type="08", title="海滨化工火灾")  # fmt: skip
    assert named.title == "海滨化工火灾"


def test_refusals_of_confirm_404_403_409_400(world):
    """GIVEN an incident at e1 THEN 住建局's head (who does not see it) gets 404; the city 应急局's inspector and the
    enterprise 403; once recorded, again 409 naming the record; an incident with no enterprise 400 on incident; a
    wrong type or cause 400 naming the field; nothing written by a refusal."""
    city = world.users["city"]
    incident = reported(city, world.e1)
    with pytest.raises(Http404):
        records.confirm(world.users["dept_head"], incident, kind="production", accident_type="08")
    for name in ("inspector", "enterprise"):
        with pytest.raises(PermissionDenied, match="安全生产委员会|应急|市安全|只有|仅"):
            records.confirm(world.users[name], incident, kind="production", accident_type="08")
    with pytest.raises(ValidationError) as bad:
        records.confirm(city, incident, kind="production", accident_type="99", direct_causes=["luck"])
    assert set(bad.value.message_dict) == {"accident_type", "direct_causes"}
    assert not Accident.objects.exists()
    accident = records.confirm(city, incident, kind="production", accident_type="08")
    with pytest.raises(Conflict) as again:
        records.confirm(world.users["district"], incident, kind="production", accident_type="08")
    assert accident.title in str(again.value)
    nowhere = reported(city, region=world.t2, place="新城路口")
    with pytest.raises(ValidationError) as none:
        records.confirm(city, nowhere, kind="production", accident_type="08")
    assert "企业" in none.value.message_dict["incident"][0]
    assert Accident.objects.count() == 1


def test_edit_recomputes_the_grade_never_below_the_incidents_and_writes_nothing_for_no_change(world):
    """GIVEN a record of a large accident (3 deaths reported) WHEN the final figures say 12 deaths THEN major, audited
    from/to; WHEN they say 1 death THEN still large (the incident's grade as reported is its floor); WHEN the same
    values are sent again THEN no audit event; an unknown field 400."""
    city = world.users["city"]
    accident = records.confirm(city, reported(city, world.e1, deaths=3), kind="production", accident_type="08")
    records.edit(city, accident, {"deaths": 12, "title": "改名"})
    accident.refresh_from_db()
    assert (accident.grade, accident.deaths, accident.title) == ("major", 12, "改名")
    event = AuditEvent.objects.get(action="accident.edit")
    assert event.changes["grade"] == ["large", "major"] and event.changes["deaths"] == [3, 12]
    records.edit(city, accident, {"deaths": 1})
    accident.refresh_from_db()
    assert accident.grade == "large"
    before = AuditEvent.objects.filter(action="accident.edit").count()
    records.edit(city, accident, {"deaths": 1, "title": "改名", "direct_loss": "300000.00"})
    assert AuditEvent.objects.filter(action="accident.edit").count() == before
    with pytest.raises(ValidationError) as bad:
        records.edit(city, accident, {"enterprise": world.e2.pk})
    assert "enterprise" in bad.value.message_dict


def test_close_needs_a_real_pdf_findings_measures_and_a_direct_cause_then_nothing_changes(world, settings, tmp_path):
    """GIVEN a record under investigation WHEN closed with an HTML file called .pdf, no findings and no direct
    cause THEN 400 on report, findings and direct_causes, still investigating; a PDF over the size limit 400; WHEN
    closed properly THEN closed, the report stored, audited accident.close; then edit and close are 409."""
    settings.MEDIA_ROOT = tmp_path
    city = world.users["city"]
    accident = records.confirm(city, reported(city, world.e1), kind="production", accident_type="08")
    with pytest.raises(ValidationError) as bad:
        records.close(city, accident, report=not_pdf(), findings="", measures="整改。")
    assert set(bad.value.message_dict) == {"report", "findings", "direct_causes"}
    settings.ACCIDENT_REPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as big:
        records.close(city, accident, report=pdf(), findings="负有责任。", measures="整改。",
                      direct_causes=["unsafe_act"])  # fmt: skip
    assert "MB" in big.value.message_dict["report"][0]
    settings.ACCIDENT_REPORT_MAX_BYTES = 20 * 2**20
    accident.refresh_from_db()
    assert accident.investigation == "investigating" and not accident.report
    records.close(city, accident, report=pdf(), findings="负有责任。", measures="整改。", direct_causes=["unsafe_act"],
                  minor_injuries=4)  # fmt: skip
    accident.refresh_from_db()
    assert accident.investigation == "closed" and accident.closed_at and accident.report.name.endswith(".pdf")
    assert accident.minor_injuries == 4 and accident.direct_causes == ["unsafe_act"]
    assert AuditEvent.objects.filter(action="accident.close", object_id=str(accident.pk)).count() == 1
    with pytest.raises(Conflict):
        records.edit(city, accident, {"title": "x"})
    with pytest.raises(Conflict):
        records.close(city, accident, report=pdf(), findings="x", measures="y")
    assert records.can(city, accident) == set()


def test_who_may_edit_the_rules_table(world):
    """GIVEN a record at e1 THEN the city office, the district leader and the county department's staff may edit and
    close; the city 应急局's inspector sees it but may do nothing (403); an accident elsewhere only the city office."""
    accident = make_accident(world.e1, world.users["city"], department=world.d1_yjj)
    for name in ("city", "district", "county_dept"):
        assert records.can(world.users[name], accident) == {"edit", "close"}, name
    assert records.can(world.users["inspector"], accident) == set()
    with pytest.raises(PermissionDenied):
        records.edit(world.users["inspector"], accident, {"title": "x"})
    external = make_external(world.city, world.chem, world.users["city"])
    assert records.can(world.users["city"], external) == {"edit", "close"}
    assert records.can(world.users["district"], external) == set()


def test_an_accident_elsewhere_by_the_city_office_only(world):
    """GIVEN the city office WHEN it enters an accident elsewhere with a grade given THEN external at the city, the
    grade the higher of given and reached; the district leader 403; a missing source 400."""
    city = world.users["city"]
    accident = records.record_external(
        city, title="外省某化工企业爆炸事故", source="国务院安委会办公室通报", place="某省某市",
        occurred_at=timezone.now() - timedelta(days=2), industry=world.chem, accident_type="18", grade="large",
        enterprise_name="某化工有限公司", deaths=12,
    )  # fmt: skip
    assert accident.external and accident.region == world.city and accident.grade == "major"
    with pytest.raises(PermissionDenied):
        records.record_external(world.users["district"], title="x", source="y", place="z",
                                occurred_at=timezone.now(), industry=world.chem, accident_type="18")  # fmt: skip
    with pytest.raises(ValidationError) as bad:
        records.record_external(city, title="x", source="", place="z", occurred_at=timezone.now(),
                                industry=world.chem, accident_type="18")  # fmt: skip
    assert set(bad.value.message_dict) == {"source"}
    assert Accident.objects.visible_to(world.users["dept_head"]).filter(pk=accident.pk).exists()
    assert not Accident.objects.visible_to(world.users["enterprise"]).filter(pk=accident.pk).exists()


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"kind": "near_miss"}, {"near"}),
        ({"grade": "large"}, {"external"}),
        ({"external": "true"}, {"external"}),
        ({"external": "false"}, {"fire", "near", "old"}),
        ({"investigation": "closed"}, {"old"}),
        ({"accident_type": "08"}, {"fire", "old"}),
        ({"region": "d1"}, {"fire", "near", "old"}),
        ({"industry": "sector"}, {"fire", "near", "old", "external"}),
        ({"department": "d1_yjj"}, {"fire", "old"}),
        ({"year": "last"}, {"old"}),
    ],
)
def test_the_list_filters(world, params, expected, rf):
    """GIVEN four records (a fire, a near miss, last year's closed fire at e1, one elsewhere) WHEN filtered THEN the
    count and the rows are those named."""
    city = world.users["city"]
    now = timezone.now()
    rows = {
        "fire": make_accident(world.e1, city, department=world.d1_yjj),
        "near": make_accident(world.e1, city, kind="near_miss", accident_type="15", department=world.yjj),
        "old": make_accident(
            world.e1, city, department=world.d1_yjj, investigation="closed", occurred_at=now - timedelta(days=400)
        ),  # fmt: skip
        "external": make_external(world.city, world.chem, city),
    }
    values = {"d1": world.d1.pk, "sector": world.sector.pk, "d1_yjj": world.d1_yjj.pk,
              "last": timezone.localtime(now - timedelta(days=400)).year}  # fmt: skip
    query = {k: values.get(v, v) for k, v in params.items()}
    request = rf.get("/accidents/", query)
    request.user = city
    found = AccidentFilterSet(query, queryset=Accident.objects.visible_to(city), request=request)
    assert found.is_valid(), found.errors
    assert {k for k, v in rows.items() if v.pk in set(found.qs.values_list("pk", flat=True))} == expected
    assert found.qs.count() == len(expected)
