"""The demo city's warning (`manage.py seed_demo`, docs/warnings.md): a yellow rainstorm warning for 海滨区 issued
about two and a half hours ago, raised to orange for 海滨区 and 青山县 about two hours ago; of the orange version's
posts two in three answered (with measures, some late), the others silent, so the board, the figures and the pass-up
have something to show.

Written through the workflow (recipients derived, notices sent), then moved back in time: the versions, their
recipient rows and notices are shifted by the same amount, and each answer placed a few minutes after the sending.
Idempotent: a second run finds the warning by its title and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F

from notifications.models import Notification
from organizations.models import Region, User
from safety_platform.lib.errors import Conflict

from . import workflow
from .choices import AnswerMeasure
from .models import EarlyWarning, WarningRecipient

TITLE = "滨海市气象台发布暴雨黄色预警"
TEXT = "预计未来6小时内，海滨区将出现50毫米以上降雨，局部伴有雷电和短时大风。"
MEASURES = "建筑工地停止高处和户外作业，低洼地带、地下空间做好排水和人员撤离准备。"
TIPS = "请企业检查排水设施，暂停露天作业，危险化学品仓库做好防雨防潮。"
RAISED_TEXT = "海滨区、青山县未来3小时内降雨量将达50毫米以上，可能引发城市内涝和山洪。"
REPORTS = [
    ([AnswerMeasure.WORKERS_WITHDRAWN, AnswerMeasure.SITES_CLOSED], "辖区12个工地已全部停工。"),
    ([AnswerMeasure.PATROLS_OUT], "已派出3个巡查组检查低洼路段。"),
    ([AnswerMeasure.STANDBY], ""),
    ([AnswerMeasure.PEOPLE_EVACUATED, AnswerMeasure.PATROLS_OUT], "已转移山洪沟道附近群众45人。"),
]


def load_demo_warning() -> dict[str, int]:
    if EarlyWarning.objects.filter(title=TITLE).exists():
        return {"warnings": EarlyWarning.objects.count(), "warnings_created": 0}
    city = User.objects.filter(username="demo-city").first()
    areas = {r.code: r for r in Region.objects.filter(code__in=("990102", "990121"))}
    if city is None or len(areas) < 2:
        return {"warnings": EarlyWarning.objects.count(), "warnings_created": 0}
    with transaction.atomic():
        yellow = workflow.issue(city, kind="rainstorm", level="yellow", issuer="滨海市气象台", areas=[areas["990102"]],
                                title=TITLE, text=TEXT, measures=MEASURES, tips=TIPS)  # fmt: skip
        orange = workflow.update(city, yellow, level="orange", areas=list(areas.values()), text=RAISED_TEXT,
                                 title="滨海市气象台升级暴雨橙色预警")  # fmt: skip
        _answer_some(orange)
        _move_back(yellow, timedelta(minutes=150))
        _move_back(orange, timedelta(minutes=120))
        _place_answers(orange)
    return {"warnings": EarlyWarning.objects.count(), "warnings_created": 2}


def _answer_some(orange: EarlyWarning) -> None:
    """Two posts in three answer (each by its first holder told), the third stays silent."""
    notices = Notification.objects.filter(key__startswith=f"warning:{orange.pk}:", must_answer=True)
    first_holder: dict[str, User] = {}
    for notice in notices.select_related("recipient").order_by("id"):
        first_holder.setdefault(notice.key.split(":")[2], notice.recipient)
    for n, person in enumerate(first_holder.values()):
        if n % 3 == 2:
            continue
        measures, note = REPORTS[n % len(REPORTS)]
        try:
            workflow.answer(person, orange, measures, note)
        except Conflict:  # told only for posts a fellow holder has answered already
            continue


def _move_back(warning: EarlyWarning, by: timedelta) -> None:
    EarlyWarning.objects.filter(pk=warning.pk).update(
        issued_at=F("issued_at") - by, sent_at=F("sent_at") - by, created_at=F("created_at") - by
    )
    WarningRecipient.objects.filter(warning=warning).update(
        sent_at=F("sent_at") - by, answer_due_at=F("answer_due_at") - by
    )
    Notification.objects.filter(key__regex=rf"^warning(tip)?:{warning.pk}:").update(
        created_at=F("created_at") - by, answer_due_at=F("answer_due_at") - by
    )


def _place_answers(orange: EarlyWarning) -> None:
    """Each answer 4 to 22 minutes after the sending (the orange limit is 15: some late)."""
    rows = list(WarningRecipient.objects.filter(warning=orange, answered_at__isnull=False).order_by("id"))
    for n, row in enumerate(rows):
        row.answered_at = row.sent_at + timedelta(minutes=4 + (n * 7) % 19)
        Notification.objects.filter(
            key__startswith=f"warning:{orange.pk}:{row.post_id}:", acknowledged_at__isnull=False
        ).update(acknowledged_at=row.answered_at, read_at=row.answered_at)
    WarningRecipient.objects.bulk_update(rows, ["answered_at"])
