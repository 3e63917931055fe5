"""Demo accident records for `manage.py seed_demo`: two incidents reported at demo enterprises of 海滨区 and confirmed
as accident records (this autumn's fire at the demo enterprise, closed with a small generated PDF report; a recent
machinery injury at another enterprise, under investigation), and one accident elsewhere (外省某化工企业爆炸事故,
from the State Council's safety committee office), all dated around today.

Through the writers (`duty_roster.incidents.report`, `accidents.records`), as demo-city. Idempotent: an incident
reported already at the same place and enterprise is reused, a record made already kept, an external record of the
same source and type kept."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from duty_roster import incidents
from duty_roster.choices import IncidentKind
from duty_roster.models import IncidentReport
from organizations.choices import OperatingState
from organizations.models import Enterprise, Industry, User
from risks.choices import AccidentType
from workdays.calendar import SHANGHAI

from . import records
from .choices import AccidentKind, DirectCause, IndirectCause, Investigation
from .models import Accident

AUTUMN_PLACE = "二号仓库"
RECENT_PLACE = "机加工车间"
EXTERNAL_SOURCE = "国务院安委会办公室通报"


def _at(days_ago: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def demo_report_pdf(title: str) -> bytes:
    """A one-page PDF standing for the investigation report (Latin text in a standard font: no font to embed)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})  # fmt: skip
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    lines = ["Accident investigation report (demo)", title.encode("ascii", "replace").decode(),
             f"Generated {timezone.localdate():%Y-%m-%d} by seed_demo."]  # fmt: skip
    text = "".join(f"BT /F1 14 Tf 72 {770 - 24 * n} Td ({line.replace('(', '').replace(')', '')}) Tj ET\n"
                   for n, line in enumerate(lines))  # fmt: skip
    stream = DecodedStreamObject()
    stream.set_data(text.encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _incident(actor: User, enterprise: Enterprise, place: str, **facts) -> IncidentReport:
    found = IncidentReport.objects.filter(enterprise=enterprise, place=place, first_report=None).first()
    if found is not None:
        return found
    incident = incidents.report(actor, incidents.Facts(enterprise=enterprise, place=place, **facts))
    # The demo's history: reported a quarter of an hour after it was known, as it would have been then (reported
    # today, an autumn incident would count as weeks late in the duty figures).
    reported = incident.known_at + timedelta(minutes=15)
    deadline = max(incident.report_deadline, reported)
    IncidentReport.objects.filter(pk=incident.pk).update(
        reported_at=reported, delay_minutes=0, report_deadline=deadline
    )
    return IncidentReport.objects.get(pk=incident.pk)


def _recorded(actor: User, incident: IncidentReport, **values) -> tuple[Accident, bool]:
    existing = Accident.objects.filter(incident=incident).first()
    if existing is not None:
        return existing, False
    return records.confirm(actor, incident, **values), True


def _second_enterprise(first: Enterprise) -> Enterprise | None:
    """An operating demo enterprise of machinery manufacturing (机械制造), in the demo enterprise's district if one is
    there; failing that, any other operating demo enterprise of the district."""
    district = first.region.path[: first.region.path.rfind("/", 0, -1) + 1]
    demo = Enterprise.objects.filter(operating_state=OperatingState.OPERATING, credit_code__startswith="91").exclude(
        pk=first.pk
    )
    for found in (
        demo.filter(industry__code="1006", region__path__startswith=district),
        demo.filter(industry__code="1006"),
        demo.filter(region__path__startswith=district),
    ):
        row = found.select_related("region").order_by("pk").first()
        if row is not None:
            return row
    return None


def load_demo_accidents() -> dict[str, int]:
    """The two records from incidents and the one elsewhere; counts for seed_demo's summary."""
    city = User.objects.filter(username="demo-city").first()
    owner = User.objects.filter(username="demo-enterprise").select_related("enterprise__region").first()
    if city is None or owner is None or owner.enterprise is None:
        return {"accidents": 0, "accidents_created": 0}
    first = owner.enterprise
    second = _second_enterprise(first)
    created = 0

    # This autumn: a fire in the demo enterprise's warehouse, two hurt; investigated and closed.
    autumn = _incident(city, first, AUTUMN_PLACE, kind=IncidentKind.PRODUCTION, occurred_at=_at(50, 14, 20),
                       known_at=_at(50, 14, 35), serious_injuries=2, direct_loss=Decimal("860000"),
                       course="二号仓库叉车充电区电气线路短路起火，引燃周边包装材料，两名员工在扑救中烧伤。",
                       measures="启动应急预案，疏散人员，消防救援到场扑灭。")  # fmt: skip
    fire, made = _recorded(city, autumn, kind=AccidentKind.PRODUCTION, accident_type=AccidentType.FIRE,
                           direct_causes=[DirectCause.UNSAFE_CONDITION],
                           indirect_causes=[IndirectCause.HAZARDS, IndirectCause.TRAINING])  # fmt: skip
    created += made
    if fire.investigation == Investigation.INVESTIGATING:
        report = SimpleUploadedFile("report.pdf", demo_report_pdf(f"Accident {fire.pk}"), "application/pdf")
        records.close(city, fire, report=report,
                      findings="企业主要负责人未落实安全生产责任制，充电区电气线路老化未及时整改，对事故发生负有责任；"
                               "安全管理人员隐患排查流于形式。",
                      measures="1. 全面排查电气线路和充电设施；\n2. 充电区与可燃物分隔存放；\n"
                               "3. 开展全员消防培训和应急演练。",
                      minor_injuries=3, direct_loss=Decimal("912000"))  # fmt: skip

    # Recent: a machinery injury at another enterprise, one dead; under investigation.
    if second is not None:
        recent = _incident(city, second, RECENT_PLACE, kind=IncidentKind.PRODUCTION, occurred_at=_at(3, 9, 40),
                           known_at=_at(3, 9, 55), deaths=1, direct_loss=Decimal("1500000"),
                           course="一名操作工在设备运转时进入冲压机危险区域清理废料，被卷入受伤，经抢救无效死亡。",
                           measures="立即停机断电，送医抢救，现场封存。")  # fmt: skip
        _, made = _recorded(city, recent, kind=AccidentKind.PRODUCTION, accident_type=AccidentType.MACHINERY,
                            direct_causes=[DirectCause.UNSAFE_ACT])  # fmt: skip
        created += made

    # Elsewhere: an explosion at a chemical enterprise in another province, for its lesson.
    occurred = _at(6, 15, 10)
    if not Accident.objects.filter(external=True, source=EXTERNAL_SOURCE, accident_type=AccidentType.OTHER_EXPLOSION,
                                   occurred_at=occurred).exists():  # fmt: skip
        industry = Industry.objects.filter(code="1001").first() or Industry.objects.order_by("code").first()
        records.record_external(
            city, title=f"外省某化工企业“{occurred.month}·{occurred.day}”爆炸事故", source=EXTERNAL_SOURCE,
            place="某省某市化工园区", occurred_at=occurred, industry=industry,
            accident_type=AccidentType.OTHER_EXPLOSION,
            grade="large", enterprise_name="某化工有限公司", deaths=4, serious_injuries=6,
            direct_loss=Decimal("21000000"),
            course="该企业在硝化装置检修后开车过程中，反应釜温度失控发生爆炸，造成4人死亡、6人重伤。",
            direct_causes=[DirectCause.UNSAFE_ACT, DirectCause.UNSAFE_CONDITION],
            indirect_causes=[IndirectCause.RULES, IndirectCause.SUPERVISION],
        )  # fmt: skip
        created += 1
    return {"accidents": Accident.objects.count(), "accidents_created": created}
