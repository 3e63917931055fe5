"""The scope matrix over every model that declares `scope_fields`: what each kind of user sees of it.

The models are discovered, so a new app that declares its scope fields fails here until it has a row: say what the
city office, a county (district) government, the departments and an enterprise see of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from accidents.models import Accident, Circular, Lesson, LessonTask
from dashboards.models import HazardTally
from duty_roster.models import DutyShift, IncidentReport, ShiftChange
from early_warnings.models import EarlyWarning, WarningRecipient
from emergency.models import Prepositioning, ReadinessPeriod, RescueTeam
from hazards.models import Hazard, HazardCategory
from inspections.models import Campaign, ChecklistVersion, Inspection
from organizations.choices import PositionKind, UnitKind
from organizations.scope import Scope, ScopedQuerySet
from oversight.models import (
    Certificate,
    EnforcementAction,
    IllegalOperation,
    ResumptionCheck,
    SignalCount,
    Verification,
    Watch,
    WatchVisit,
)
from risks.models import (
    CheckResult,
    CheckTask,
    PointHazard,
    RiskControl,
    RiskEvaluation,
    RiskPoint,
    RiskTheme,
    ThemeConfirmation,
)
from tests.emergency.supplies_world import (
    HOUSES_SEEN,
    PLANS_SEEN,
    REQUESTS_SEEN,
    make_allocations,
    make_supplies,
    supply_name,
)
from tests.factories import PositionFactory
from tests.organizations.test_scope import DEPARTMENTS, ENTERPRISES, INDUSTRIES, REGIONS, ROLES
from tipoffs.models import Report, Reward

WORLD = ("city", "d1", "d2", "t1", "t2", "sector", "chem", "mine", "build", "gap", "yjj", "zjj", "d1_yjj", "d2_zjj",
         "e1", "e2", "e3", "e4")  # fmt: skip
GOVERNMENT = {"city", "district", "dept_head", "county_dept", "inspector"}
EVERYONE = {"city", "district", "dept_head", "county_dept", "inspector", "enterprise", "outsider"}

# The hazard of e3 (新城区, mining) is assigned to 海滨区应急局, which sees it outside its region and industries.
HAZARDS = {**ENTERPRISES, "county_dept": ENTERPRISES["county_dept"] | {"e3"}}

# 海滨区应急局's team in 海滨街道, 新城区's own team (no department), 市应急局's team at the city.
RESCUE = {
    "city": {"team_d1", "team_d2", "team_city"},
    "district": {"team_d1"},
    "dept_head": set(),
    "county_dept": {"team_d1"},
    "inspector": {"team_city"},
    "enterprise": set(),
    "outsider": set(),
}

# model -> role -> the names of the rows the role sees (the World's names; records by their enterprise).
MATRIX: dict[str, dict[str, set[str]]] = {
    "organizations.Region": REGIONS,
    "organizations.Department": DEPARTMENTS,
    "organizations.Industry": INDUSTRIES,
    "organizations.Enterprise": ENTERPRISES,
    # People by their unit; an enterprise sees its own people only.
    "organizations.User": {
        "city": EVERYONE,
        "district": EVERYONE - {"outsider"},
        "dept_head": GOVERNMENT,
        "county_dept": EVERYONE - {"outsider"},
        "inspector": EVERYONE - {"outsider"},
        "enterprise": {"enterprise"},
        "outsider": set(),
    },
    "hazards.Hazard": HAZARDS,
    # Cut as the hazards are, but an enterprise reads its own hazards, not the tally.
    "dashboards.HazardTally": {**HAZARDS, "enterprise": set()},
    "inspections.Inspection": ENTERPRISES,
    "duty_roster.IncidentReport": ENTERPRISES,
    # The government's: every government unit sees them.
    "inspections.Campaign": {role: {"campaign"} if role in GOVERNMENT else set() for role in ROLES},
    # Who asks (district), with whom (enterprise) and the shift's leader (inspector); the city office sees all.
    "duty_roster.ShiftChange": {
        role: {"change"} if role in {"city", "district", "enterprise", "inspector"} else set() for role in ROLES
    },
    # Rescue teams: a territory its subtree's, a department its own, the city office all; periods and forces by team.
    **{label: RESCUE for label in ("emergency.RescueTeam", "emergency.ReadinessPeriod", "emergency.Prepositioning")},
    # --- emergency supplies: a territory its subtree's warehouses, a department its own, the city office all ---
    "emergency.Warehouse": HOUSES_SEEN,
    "emergency.Stock": HOUSES_SEEN,
    "emergency.StockMove": HOUSES_SEEN,
    "emergency.SupplyItem": {role: {"item"} if role in GOVERNMENT else set() for role in ROLES},
    "emergency.AllocationPlan": PLANS_SEEN,
    "emergency.AllocationRequest": REQUESTS_SEEN,
    # Warnings are the government's (the public page shows those in force without login): every government unit.
    "early_warnings.EarlyWarning": {role: {"warning"} if role in GOVERNMENT else set() for role in ROLES},
    # A recipient post by its region (a government its subtree), a department all (warnings concern every
    # department, no industry cuts them), an enterprise its own key-unit post only.
    "early_warnings.WarningRecipient": {
        **{role: {"e1", "e2", "e3", "e4"} for role in ("city", "dept_head", "county_dept", "inspector")},
        "district": {"e1", "e4"},
        "enterprise": {"e1"},
        "outsider": set(),
    },
    # --- risks: points and everything about them by their enterprise; themes by region, with their ancestors' ---
    **{
        f"risks.{name}": ENTERPRISES
        for name in (
            "RiskPoint",
            "RiskControl",
            "RiskEvaluation",
            "PointHazard",
            "CheckTask",
            "CheckResult",
            "ThemeConfirmation",
        )  # fmt: skip
    },
    "risks.RiskTheme": {
        **{role: {"theme_city", "theme_d2"} for role in ("city", "dept_head", "inspector")},
        **{role: {"theme_city"} for role in ("district", "county_dept", "enterprise")},
        "outsider": set(),
    },
    # --- accidents: a record and a lesson's task by their enterprise; an accident elsewhere by every government;
    # lessons and their circulars by region, with their ancestors' (as themes) ---
    "accidents.Accident": {
        role: ENTERPRISES[role] | ({"elsewhere"} if role in GOVERNMENT else set()) for role in ROLES
    },
    "accidents.LessonTask": ENTERPRISES,
    **{
        label: {
            **{role: {"lesson_city", "lesson_d2"} for role in ("city", "dept_head", "inspector")},
            **{role: {"lesson_city"} for role in ("district", "county_dept", "enterprise")},
            "outsider": set(),
        }
        for label in ("accidents.Lesson", "accidents.Circular")
    },
    # --- oversight: certificates, verifications, resumption checks and enforcement by their enterprise (which sees
    # its own); watches, their visits and illegal operations by region and industry (an enterprise sees none); the
    # signal counts by their county ---
    **{
        f"oversight.{name}": ENTERPRISES
        for name in ("Certificate", "Verification", "ResumptionCheck", "EnforcementAction")
    },
    **{
        f"oversight.{name}": {**ENTERPRISES, "enterprise": set()}
        for name in ("Watch", "WatchVisit", "IllegalOperation")
    },
    # --- tip-offs by region and industry (and the department handling them); an enterprise sees none, not even about
    # itself; rewards as their report ---
    **{f"tipoffs.{name}": {**ENTERPRISES, "enterprise": set()} for name in ("Report", "Reward")},
    "oversight.SignalCount": {
        "city": {"d1", "d2"},
        "district": {"d1"},
        "dept_head": set(),
        "county_dept": {"d1"},
        "inspector": {"d2"},
        "enterprise": set(),
        "outsider": set(),
    },
}


def scoped_models() -> set[str]:
    return {model._meta.label for model in apps.get_models() if getattr(model, "scope_fields", None) is not None}


def test_every_scoped_model_has_a_matrix_row():
    """GIVEN every installed model THEN each one declaring scope fields has a row in the matrix, and no row is
    left for a model that no longer declares them."""
    assert scoped_models() == set(MATRIX), "add the model to MATRIX: what each kind of user sees of it"


@pytest.fixture
def records(world):
    """One hazard, inspection and incident per enterprise, a campaign and a shift change."""
    inspector = world.users["inspector"]
    version = ChecklistVersion.objects.first()
    category = HazardCategory.objects.get(code="fire")
    now = timezone.now()
    for n, name in enumerate(("e1", "e2", "e3", "e4")):
        enterprise = getattr(world, name)
        place = {"region": enterprise.region, "region_path": enterprise.region.path}
        Hazard.objects.create(
            code=f"YH-M-{n:05d}", title="隐患", enterprise=enterprise, place="仓库", category=category, level="general",
            found_at=now, found_by=inspector, created_by=inspector, status="reported", industry=enterprise.industry,
            department=world.d1_yjj if name == "e3" else None, **place,
        )  # fmt: skip
        Inspection.objects.create(enterprise=enterprise, version=version, lead=inspector, created_by=inspector,
                                  region_path=enterprise.region.path, industry=enterprise.industry)  # fmt: skip
        IncidentReport.objects.create(
            kind="production", enterprise=enterprise, place="车间", occurred_at=now, known_at=now, reported_at=now,
            course="发生事故", grade="general", report_deadline=now + timedelta(hours=1),
            reported_by=world.users["city"], **place,
        )  # fmt: skip
    Campaign.objects.create(name="大检查", starts_on=now.date(), ends_on=now.date(), lead_department=world.yjj,
                            created_by=world.users["city"])  # fmt: skip
    post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    shift = DutyShift.objects.create(post=post, date=now.date(), starts_at=now, ends_at=now + timedelta(days=1),
                                     leader=inspector)  # fmt: skip
    ShiftChange.objects.create(kind=ShiftChange.Kind.SUBSTITUTE, shift=shift, person=world.users["district"],
                               other=world.users["enterprise"], reason="病假")  # fmt: skip
    for name, region, department in (("team_d1", world.t1, world.d1_yjj), ("team_d2", world.d2, None),
                                     ("team_city", world.city, world.yjj)):  # fmt: skip
        team = RescueTeam.objects.create(name=name, kind="hazchem", region=region, department=department,
                                         base_address="基地", duty_phone="0571-1", headcount=10)  # fmt: skip
        ReadinessPeriod.objects.create(team=team, level="raised", starts_at=now, ends_at=now + timedelta(days=1),
                                       reason="国庆节", created_by=world.users["city"])  # fmt: skip
        Prepositioning.objects.create(team=team, place="会展中心", region=region, headcount=5, starts_at=now,
                                      ends_at=now + timedelta(hours=5), reason="展会",
                                      created_by=world.users["city"])  # fmt: skip
    make_allocations(make_supplies(world))
    warning = EarlyWarning.objects.create(kind="rainstorm", level="red", issuer="气象台", title="暴雨预警", text="暴雨")
    for name in ("e1", "e2", "e3", "e4"):
        enterprise = getattr(world, name)
        principal = PositionFactory(kind=PositionKind.ENTERPRISE_PRINCIPAL, unit_kind=UnitKind.ENTERPRISE,
                                    enterprise=enterprise)  # fmt: skip
        WarningRecipient.objects.create(warning=warning, post=principal, role="key_unit", region=enterprise.region,
                                        enterprise=enterprise, sent_at=now, answer_due_at=now)  # fmt: skip
    for name in ("theme_city", "theme_d2"):
        region = world.city if name == "theme_city" else world.d2
        theme = RiskTheme.objects.create(kind="holiday", title=name, required_controls="值班", starts_on=now.date(),
                                         ends_on=now.date(), confirm_by=now, region=region, region_path=region.path,
                                         created_by=world.users["city"])  # fmt: skip
    for name in ("e1", "e2", "e3", "e4"):
        enterprise = getattr(world, name)
        place = {"region_path": enterprise.region.path, "industry": enterprise.industry}
        point = RiskPoint.objects.create(enterprise=enterprise, region=enterprise.region, name="罐区",
                                         responsible_name="张", score=20, computed_colour="blue", colour="blue",
                                         reevaluate_by=now.date(), **place)  # fmt: skip
        control = RiskControl.objects.create(point=point, kind="engineering", measure="液位报警")
        RiskEvaluation.objects.create(point=point, method="lec", score=20, computed_colour="blue", colour="blue")
        PointHazard.objects.create(point=point, hazard=Hazard.objects.get(enterprise=enterprise))
        task = CheckTask.objects.create(point=point, enterprise=enterprise, control_level="team",
                                        period_start=now.date(), due_on=now.date(), **place)  # fmt: skip
        CheckResult.objects.create(task=task, control=control, in_place=True)
        ThemeConfirmation.objects.create(theme=theme, enterprise=enterprise, **place)
    accident_fields = {"accident_type": "15", "occurred_at": now, "created_by": world.users["city"]}
    Accident.objects.create(title="elsewhere", external=True, source="通报", place="外省某市", region=world.city,
                            region_path=world.city.path, industry=world.e1.industry, **accident_fields)  # fmt: skip
    for name in ("lesson_city", "lesson_d2"):
        region = world.city if name == "lesson_city" else world.d2
        lesson = Lesson.objects.create(accident=Accident.objects.get(title="elsewhere"), title=name, lesson="教训",
                                       region=region, region_path=region.path, version=version, deadline=now,
                                       created_by=world.users["city"])  # fmt: skip
        Circular.objects.create(lesson=lesson, year=now.year, serial=1 + (name == "lesson_d2"), title=name, body="通报",
                                issued_by=world.users["city"], issuing_unit="市安委办")  # fmt: skip
    for name in ("e1", "e2", "e3", "e4"):
        enterprise = getattr(world, name)
        Accident.objects.create(title=name, enterprise=enterprise, place="车间", region=enterprise.region,
                                region_path=enterprise.region.path, industry=enterprise.industry,
                                **accident_fields)  # fmt: skip
        LessonTask.objects.create(lesson=lesson, enterprise=enterprise, region_path=enterprise.region.path,
                                  industry=enterprise.industry)  # fmt: skip
    supervisor = {"e1": world.d1_yjj, "e2": world.zjj, "e3": world.yjj, "e4": world.d1_yjj}
    for n, name in enumerate(("e1", "e2", "e3", "e4")):
        enterprise, department, by = getattr(world, name), supervisor[name], world.users["inspector"]
        Certificate.objects.create(enterprise=enterprise, holder="principal", person_name="张", kind="other",
                                   number="1", expires_on=now.date(), recorded_by=by)  # fmt: skip
        Verification.objects.create(enterprise=enterprise, person_name="张", in_post=True, has_experience=True,
                                    checked_by=by)  # fmt: skip
        ResumptionCheck.objects.create(enterprise=enterprise, department=department, passed=True, findings="合格",
                                       checked_by=by)  # fmt: skip
        EnforcementAction.objects.create(kind="penalty", enterprise=enterprise, department=department, year=now.year,
                                         serial=n + 1, facts="事实", basis="依据", issued_by=by)  # fmt: skip
        watch = Watch.objects.create(enterprise=enterprise, department=department, interval_days=30, started_by=by,
                                     due_at=now)  # fmt: skip
        WatchVisit.objects.create(watch=watch, enterprise=enterprise, visitor=by)
        IllegalOperation.objects.create(
            enterprise=enterprise, operator_name=name, address="某地", region=enterprise.region,
            region_path=enterprise.region.path, industry=enterprise.industry, source="patrol", kind="unlicensed",
            description="无证", recorded_by=by,
        )  # fmt: skip
        report = Report.objects.create(
            code=f"JB-2026-{n + 1:06d}", kind="hazard", description="举报", region=enterprise.region,
            region_path=enterprise.region.path, address="某地", enterprise=enterprise, industry=enterprise.industry,
        )  # fmt: skip
        Reward.objects.create(report=report, basis="fine", fine=100_000, amount=15_000, proposed_by=by)
    for region, department in ((world.d1, world.d1_yjj), (world.d2, world.yjj)):
        SignalCount.objects.create(day=now.date(), signal="unlicensed", region=region, region_path=region.path,
                                   department=department, count=1)  # fmt: skip
    return world


def names(world, rows) -> set[str]:
    """The matrix's names of the rows a user sees."""
    by_pk = {(type(getattr(world, name))._meta.label, getattr(world, name).pk): name for name in WORLD}
    enterprises = {getattr(world, n).pk: n for n in ("e1", "e2", "e3", "e4")}
    places = {(getattr(world, n).region.path, getattr(world, n).industry_id): n for n in ("e1", "e2", "e3", "e4")}
    found = set()
    for row in rows:
        label = row._meta.label
        if label == "organizations.User":
            found.add(row.username)
        elif label == "dashboards.HazardTally":
            found.add(places[(row.region_path, row.industry_id)])
        elif label in (
            "hazards.Hazard",
            "inspections.Inspection",
            "duty_roster.IncidentReport",
            "early_warnings.WarningRecipient",
            "risks.RiskPoint",
            "risks.CheckTask",
            "risks.ThemeConfirmation",
        ):
            found.add(enterprises[row.enterprise_id])
        elif label in ("risks.RiskControl", "risks.RiskEvaluation", "risks.PointHazard"):
            found.add(enterprises[row.point.enterprise_id])
        elif label == "risks.CheckResult":
            found.add(enterprises[row.task.enterprise_id])
        elif label in ("risks.RiskTheme", "accidents.Lesson", "accidents.Circular", "accidents.Accident"):
            found.add(row.title)
        elif (
            label == "accidents.LessonTask"
            or label.startswith("oversight.")
            and label != "oversight.SignalCount"
            or label == "tipoffs.Report"
        ):
            found.add(enterprises[row.enterprise_id])
        elif label == "tipoffs.Reward":
            found.add(enterprises[row.report.enterprise_id])
        elif label == "oversight.SignalCount":
            found.add(by_pk[("organizations.Region", row.region_id)])
        elif label == "inspections.Campaign":
            found.add("campaign")
        elif label == "duty_roster.ShiftChange":
            found.add("change")
        elif label == "emergency.RescueTeam":
            found.add(row.name)
        elif label in ("emergency.ReadinessPeriod", "emergency.Prepositioning"):
            found.add(row.team.name)
        elif label.startswith("emergency."):
            found.add(supply_name(row))
        elif label == "early_warnings.EarlyWarning":
            found.add("warning")
        else:
            found.add(by_pk[(label, row.pk)])
    return found


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", sorted(MATRIX))
def test_scope_matrix(records, label, role):
    """GIVEN one row per enterprise (or of each reference) WHEN a user of each kind asks THEN they see their row."""
    model = apps.get_model(label)
    user = records.users[role]
    everything = model._default_manager.all()
    if isinstance(everything, ScopedQuerySet):
        rows = everything.visible_to(user)
    else:  # `User.objects` keeps Django's manager (`scope.visible_people`)
        rows = Scope.for_user(user).filter(everything)
    if label == "dashboards.HazardTally":
        if connection.vendor != "postgresql":
            pytest.skip("the tally is kept by PostgreSQL's triggers; elsewhere the dashboard counts the hazards")
        assert HazardTally.objects.exists(), "the hazard triggers fill the tally (PostgreSQL)"
    assert names(records, rows) == MATRIX[label][role], (label, role)
