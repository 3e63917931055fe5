"""The demo's enforcement documents for `manage.py seed_demo` (through `oversight.enforcement`, issued by demo-city
in each enterprise's supervising department's name): one of every kind in the demo city, one of them carried out,
and one enterprise with an open major hazard penalised three times, so Art. 113's closure proposal and its
must-answer notice to the department head and the territorial leader exist. Issued today (the writer dates them),
but for that enterprise's first two penalties, moved 120 and 45 days back before the third is issued.
Idempotent: nothing is issued once demo-city has issued a document."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hazards.choices import OPEN_STATUSES, Level
from hazards.models import Hazard
from organizations.choices import OperatingState
from organizations.models import Enterprise, User

from . import enforcement
from .choices import ActionKind, ActionState
from .models import EnforcementAction

BASIS = {
    ActionKind.RECTIFY_ORDER: "《中华人民共和国安全生产法》第六十五条第一款第（三）项",
    ActionKind.PENALTY: "《中华人民共和国安全生产法》第一百零二条",
    ActionKind.SUSPENSION: "《中华人民共和国安全生产法》第一百零二条",
    ActionKind.CLOSURE_PROPOSAL: "《中华人民共和国安全生产法》第一百一十三条",
    ActionKind.REFERRAL: "《行政执法机关移送涉嫌犯罪案件的规定》第三条",
}


def load_demo_enforcement() -> dict[str, int]:
    city = User.objects.filter(username="demo-city").first()
    made = 0
    if city is not None and not EnforcementAction.objects.filter(issued_by=city).exists():
        made = _issue_all(city)
    return {
        "enforcement_actions": EnforcementAction.objects.count(),
        "enforcement_actions_created": made,
        "article_113_proposals": EnforcementAction.objects.filter(by_article_113=True).count(),
    }


def _issue_all(city: User) -> int:
    today, made = timezone.localdate(), 0
    operating = Enterprise.objects.visible_to(city).filter(operating_state=OperatingState.OPERATING)
    major = (Hazard.objects.filter(level=Level.MAJOR, status__in=OPEN_STATUSES, enterprise__in=operating)
             .order_by("enterprise_id").first())  # fmt: skip
    chosen = major.enterprise if major else None
    rest = operating.exclude(pk=getattr(chosen, "pk", None)).order_by("id")
    others = list(rest[:40:8]) if rest.count() >= 40 else list(rest[:5])
    if not others:
        return 0
    others = [others[n % len(others)] for n in range(5)]

    def issue(enterprise, kind, facts, **values):
        nonlocal made
        action = enforcement.issue(city, enterprise.pk, kind, facts=facts, basis=BASIS[kind], **values)
        made += 1
        return action

    issue(others[0], ActionKind.RECTIFY_ORDER, "检查发现消防通道堵塞、应急照明损坏，安全出口标志缺失。",
                  working_days=10)  # fmt: skip
    paid = issue(others[1], ActionKind.PENALTY, "未按规定对从业人员进行安全生产教育和培训，特种作业人员未持证上岗。",
                 amount="30000")  # fmt: skip
    enforcement.set_state(city, paid.pk, ActionState.DONE, "罚款已缴纳")
    issue(others[2], ActionKind.SUSPENSION, "重大事故隐患排除前无法保证安全，责令停产停业整顿。",
          suspended_from=today, suspended_until=enforcement.add_months(today, 3))  # fmt: skip
    issue(others[3], ActionKind.REFERRAL, "检查中发现涉嫌非法储存危险化学品，数量较大，涉嫌危险作业罪。")
    issue(others[4], ActionKind.CLOSURE_PROPOSAL, "不具备安全生产条件，经停产停业整顿仍不具备安全生产条件。")
    if chosen is not None:  # three penalties while a major hazard is open: Art. 113 proposes the closure
        for n, facts in enumerate(("重大危险源未登记建档，未进行定期检测、评估、监控。",
                                   "未采取措施消除事故隐患，重大事故隐患未按期整改。",
                                   "安全设备未经常性维护、保养，可燃气体报警装置失效。")):  # fmt: skip
            penalty = issue(chosen, ActionKind.PENALTY, facts, amount=str(20000 + 10000 * n), hazard=major.pk)
            if n < 2:  # the first two were issued months ago (demo history: the writer dates what it issues now)
                days = (120, 45)[n]
                EnforcementAction.objects.filter(pk=penalty.pk).update(issued_at=timezone.now() - timedelta(days=days))
    return made
