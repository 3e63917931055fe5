"""`can()` and the transitions read one rules table: for every action, every demo role and every hazard state, an
action is offered exactly when calling it (with valid input) is not refused with 403 or 409.

Each call runs in a savepoint rolled back at once, so the same few hazards serve every case.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from hazards import workflow
from hazards.models import Hazard
from organizations.choices import PositionKind, UnitKind
from safety_platform.lib.errors import Conflict
from workdays.calendar import local_date

from ..factories import PositionFactory, UserFactory, assign
from .conftest import FULL_PLAN, MAJOR_PLAN, filing, later, pdf_bytes


def plan(hazard: Hazard) -> dict:
    return {**FULL_PLAN, **MAJOR_PLAN, "deadline": later(15)}


def listing(actor, hazard: Hazard) -> workflow.Listing:
    return workflow.Listing(
        authority=workflow.permissions.own_authority(actor),
        # the district's territorial leader, a demo role, so that the leader's actions are reached too
        supervising_leader=workflow.leader_positions(hazard).filter(kind=PositionKind.TERRITORIAL_LEADER).last(),
        order_number="督办〔2026〕1号",
        deadline=later(120),  # far enough for an extension to be asked in time
    )


# action -> a call with valid input; every action of the table must be here.
CALLS = {
    "confirm": lambda w, actor, h: workflow.confirm(actor, h.pk, later(20)),
    "dismiss": lambda w, actor, h: workflow.dismiss(actor, h.pk, "误报"),
    "submit_plan": lambda w, actor, h: workflow.submit_plan(actor, h.pk, plan(h)),
    "submit_rectification": lambda w, actor, h: workflow.submit_rectification(actor, h.pk, "已整改"),
    "accept": lambda w, actor, h: workflow.accept(actor, h.pk, "复查合格"),
    "reject": lambda w, actor, h: workflow.reject(actor, h.pk, "不合格"),
    "extend_deadline": lambda w, actor, h: workflow.extend_deadline(actor, h.pk, later(40), "延期"),
    "reopen": lambda w, actor, h: workflow.reopen(actor, h.pk, "回头看", later(10)),
    "list_supervision": lambda w, actor, h: workflow.list_supervision(actor, h.pk, listing(actor, h)),
    "delist": lambda w, actor, h: workflow.delist(actor, h.pk, "已整改完毕"),
    "reassign": lambda w, actor, h: workflow.reassign(actor, h.pk, w.yjj, "调整监管部门"),
    "add_photos": lambda w, actor, h: workflow.add_photos(actor, h.pk, []),
    "publish_order": lambda w, actor, h: workflow.publish_order(actor, h.pk, "督办令已公告"),
    "leader_action": lambda w, actor, h: workflow.record_leader_action(
        actor, h.pk, "studied", local_date(timezone.now()), "专题研究整改方案"
    ),
    "ask_extension": lambda w, actor, h: workflow.ask_extension(actor, h.pk, later(150), "设备到货延迟"),
    "decide_extension": lambda w, actor, h: workflow.decide_extension(actor, h.pk, True),
    "add_finding": lambda w, actor, h: workflow.add_finding(actor, h.pk, "一号仓库", "又见"),
    "attach_evaluation": lambda w, actor, h: workflow.attach_evaluation(
        actor, h.pk, SimpleUploadedFile("评估.pdf", PDF, "application/pdf"), "专家评估"
    ),
}
PDF = pdf_bytes()


def demo_roles(hz) -> dict:
    """One person of every demo role who can see hazards of e1 (the department head is e1's district one)."""
    users = hz.users
    duty = UserFactory(username="duty", unit_kind=UnitKind.GOVERNMENT, region=hz.d1)
    assign(duty, PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=hz.d1))
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    return {
        "city office": users["city"],
        "department head": users["county_head"],
        "department staff": users["county_dept"],
        "inspector": users["inspector"],
        "territorial leader": users["district"],
        "enterprise principal": users["enterprise"],
        "enterprise safety manager": users["manager"],
        "duty officer": duty,
        "superuser": root,
    }


def hazards(hz) -> dict[str, Hazard]:
    """A hazard in every state (major, so that listing and evaluation can apply), a general one, and listed ones."""
    users = hz.users
    inspector, dept, firm, head = users["inspector"], users["county_dept"], users["enterprise"], users["county_head"]

    def walk(to: str, level: str = "major", listed: bool = False) -> Hazard:
        hazard, _ = workflow.file_hazard(inspector, filing(hz, level=level, title=f"{to}-{level}-{listed}"))
        if to == "reported":
            return hazard
        if to == "dismissed":
            workflow.confirm(dept, hazard, later(20))
            if listed:
                workflow.list_supervision(head, hazard, listing(head, hazard))
            workflow.dismiss(dept, hazard, "误报")
            return hazard
        workflow.confirm(dept, hazard, later(20))
        if listed:
            workflow.list_supervision(head, hazard, listing(head, hazard))
        if to == "confirmed":
            return hazard
        workflow.submit_plan(firm, hazard, plan(hazard) if level == "major" else {**FULL_PLAN, "deadline": later(15)})
        if level == "major":
            workflow.attach_evaluation(firm, hazard, SimpleUploadedFile("e.pdf", PDF, "application/pdf"))
        if to == "rectifying":
            return hazard
        workflow.submit_rectification(firm, hazard, "已更换")
        if to == "awaiting_acceptance":
            return hazard
        workflow.accept(dept, hazard)
        assert to == "closed"
        return hazard

    made = {to: walk(to) for to in ("reported", "confirmed", "rectifying", "awaiting_acceptance", "closed")}
    made["dismissed"] = walk("dismissed")
    made["general rectifying"] = walk("rectifying", level="general")
    made["listed awaiting_acceptance"] = walk("awaiting_acceptance", listed=True)
    made["listed dismissed"] = walk("dismissed", listed=True)
    made["listed rectifying, extension asked"] = walk("rectifying", listed=True)
    workflow.ask_extension(firm, made["listed rectifying, extension asked"], later(150), "设备到货延迟")
    related = ("department", "listing", "plan")
    return {name: Hazard.objects.select_related(*related).get(pk=h.pk) for name, h in made.items()}


def refused(call, *args) -> bool:
    """Whether the call is refused (403 or 409); whatever it did is rolled back."""
    savepoint = transaction.savepoint()
    try:
        call(*args)
    except (PermissionDenied, Conflict):
        return True
    finally:
        transaction.savepoint_rollback(savepoint)
    return False


def test_can_offers_exactly_what_the_transitions_accept(hz):
    assert set(CALLS) == set(workflow.ACTIONS), "every action of the rules table needs a call here"
    roles, states = demo_roles(hz), hazards(hz)
    assert {h.status for h in states.values()} == {s for s, _ in Hazard._meta.get_field("status").choices}
    wrong, offered = [], set()
    for role, actor in roles.items():
        for state, hazard in states.items():
            allowed = workflow.can(actor, hazard)
            for action, call in CALLS.items():
                accepted = not refused(call, hz, actor, hazard)
                if (action in allowed) != accepted:
                    wrong.append(f"{role} / {state} / {action}: can() {'offers' if action in allowed else 'hides'} "
                                 f"it, the call {'succeeds' if accepted else 'is refused'}")  # fmt: skip
                if accepted:
                    offered.add(action)
    assert not wrong, "\n".join(wrong)
    assert offered == set(CALLS), f"never accepted: {set(CALLS) - offered}"  # the matrix reaches every action
