"""Demo risk themes for `manage.py seed_demo`: the city office's 元旦假期风险 (late December to early January, to be
confirmed in three days) for every operating enterprise of the city, and 市应急管理局's 冬季防火防冻风险 (this winter,
running now, to be confirmed by tomorrow evening) for the industries it supervises; about half the enterprises whose
principal post is held have confirmed each, 海滨化工 (demo-enterprise's) not yet.

Through the workflow (audited) as demo-city and demo-department. Idempotent: a theme of the same title that is not
withdrawn is kept, and only enterprises not confirmed yet confirm."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from organizations.choices import PositionKind
from organizations.models import PositionAssignment, User
from workdays.calendar import SHANGHAI

from . import themes
from .choices import ThemeKind, ThemeStatus
from .models import RiskTheme, ThemeConfirmation

HOLIDAY_CONTROLS = (
    "1. 节前开展一次全面安全检查，重点检查动火作业、有限空间作业和危险化学品储存；\n"
    "2. 停产放假的装置、设备落实安全措施，复工复产前进行安全确认；\n"
    "3. 假期实行24小时值班和领导带班，值班电话保持畅通；\n"
    "4. 人员密集场所疏散通道、安全出口保持畅通，消防设施完好有效。"
)
WINTER_CONTROLS = (
    "1. 检查取暖设施、电气线路，严禁违规使用大功率电器；\n"
    "2. 落实管道、阀门、消防水系统防冻保温措施；\n"
    "3. 检查易燃易爆物品储存场所，落实防火责任人；\n"
    "4. 雨雪冰冻天气停止高处作业和露天吊装作业。"
)


def _at(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def _new_year(today: date) -> tuple[date, date]:
    """元旦's period: the next 1 January (this one until it is over), from 25 December to 4 January."""
    year = today.year if today <= date(today.year, 1, 4) else today.year + 1
    return date(year - 1, 12, 25), date(year, 1, 4)


def load_demo_themes() -> dict[str, int]:
    """The two themes and the confirmations; counts for seed_demo's summary."""
    city, department = (User.objects.filter(username=name).first() for name in ("demo-city", "demo-department"))
    if city is None or department is None:
        return {"risk_themes": 0, "risk_themes_created": 0}
    before = RiskTheme.objects.count()
    today = timezone.localdate()
    starts_on, ends_on = _new_year(today)
    confirm_by = _at(min(today + timedelta(days=3), ends_on))
    holiday = _theme(city, kind=ThemeKind.HOLIDAY, title="元旦假期风险", required_controls=HOLIDAY_CONTROLS,
                     description="元旦假期前后，企业停产检修、人员返乡、用火用电增多，事故风险上升。",
                     starts_on=starts_on, ends_on=ends_on, confirm_by=confirm_by)  # fmt: skip
    winter = _theme(department, kind=ThemeKind.SEASONAL, title="冬季防火防冻风险", required_controls=WINTER_CONTROLS,
                    starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=85),
                    confirm_by=_at(today + timedelta(days=1)))  # fmt: skip
    made = sum(_confirm_half(theme) for theme in (holiday, winter))
    total = RiskTheme.objects.count()
    confirmed = ThemeConfirmation.objects.filter(confirmed_at__isnull=False).count()
    return {"risk_themes": total, "risk_themes_created": total - before, "confirmed": confirmed,
            "confirmed_created": made}  # fmt: skip


def _theme(actor: User, **values) -> RiskTheme:
    found = RiskTheme.objects.filter(title=values["title"]).exclude(status=ThemeStatus.WITHDRAWN).first()
    if found is None:
        found = themes.create(actor, **values)
    if found.status == ThemeStatus.DRAFT:
        themes.publish(actor, found.pk)
    return found


def _confirm_half(theme: RiskTheme) -> int:
    """Every second enterprise with a principal holder confirms, by that holder (demo-enterprise's never); once."""
    if ThemeConfirmation.objects.filter(theme=theme, confirmed_at__isnull=False).exists():
        return 0
    waiting = ThemeConfirmation.objects.filter(theme=theme, confirmed_at__isnull=True).values("enterprise_id")
    holders = (
        PositionAssignment.objects.current()
        .filter(position__kind=PositionKind.ENTERPRISE_PRINCIPAL, position__enterprise_id__in=waiting,
                user__is_active=True, user__enterprise_id__isnull=False)
        .exclude(user__username="demo-enterprise")
        .select_related("user")
        .order_by("position__enterprise_id", "user_id")
    )  # fmt: skip
    done, seen = 0, set()
    for assignment in holders:
        enterprise_id = assignment.user.enterprise_id
        if enterprise_id in seen:
            continue
        seen.add(enterprise_id)
        if len(seen) % 2:
            themes.confirm(assignment.user, theme.pk, "已按要求逐项检查，措施落实到位。")
            done += 1
    return done
