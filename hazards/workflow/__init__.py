"""Every change of a hazard's state, each in one function; this package is the hazard app's public seam.

Callers import the package and call its functions: `from hazards import workflow; workflow.confirm(actor,
hazard, deadline)`. Pages, the API, the admin, tasks and other apps (inspections file hazards and attach their
photos through it) call these; none of them changes a hazard by itself.

Each function (1) finds the hazard within the actor's visible scope (else 404), locking its row,
(2) checks the actor's role (else 403), (3) checks the state (else 409), (4) validates the input
(else field errors), then (5) changes the rows and writes the timeline event in the same transaction.
Steps (2) and (3) read one table, `permissions.RULES` (action -> role check and state checks), which `can()`
reads too, so what a page or the API offers is what the function accepts.

Modules, by concern (imports run down this list, never up): `_common` (locking, refusals, the timeline
event, stored photos) <- `permissions` (the rules table, `can`, role checks) <- `filing`, `transitions`,
`listing`, `supervision`, `evidence`, `lookback` (after `transitions`, whose reopen it calls); `notices` (the hand-off
notices and the message naming who was told) sits between `_common` and the transitions. Only the names below are
public.
"""

from __future__ import annotations

from .evidence import add_keyed_photo, add_photos, attach_evaluation, attach_inspection_photos
from .filing import Filing, add_finding, file_hazard, find_open_matches, find_recurrence, next_code, other_category
from .listing import Listing, delist, leader_positions, list_supervision
from .lookback import may_record, record_look_back
from .notices import Handoff, message
from .permissions import ACTIONS, RULES, Rule, can, require_filer
from .supervision import ask_extension, decide_extension, publish_order, record_leader_action
from .transitions import (
    INTERIM_FIELDS,
    MAJOR_PLAN_FIELDS,
    PLAN_FIELDS,
    accept,
    confirm,
    dismiss,
    extend_deadline,
    reassign,
    reject,
    reopen,
    schedule_look_back,
    submit_plan,
    submit_rectification,
)

__all__ = [
    "ACTIONS",
    "INTERIM_FIELDS",
    "MAJOR_PLAN_FIELDS",
    "PLAN_FIELDS",
    "RULES",
    "Filing",
    "Handoff",
    "Listing",
    "Rule",
    "accept",
    "ask_extension",
    "add_finding",
    "add_keyed_photo",
    "add_photos",
    "attach_evaluation",
    "attach_inspection_photos",
    "can",
    "confirm",
    "decide_extension",
    "delist",
    "dismiss",
    "extend_deadline",
    "file_hazard",
    "find_open_matches",
    "find_recurrence",
    "leader_positions",
    "list_supervision",
    "may_record",
    "record_look_back",
    "message",
    "next_code",
    "other_category",
    "publish_order",
    "reassign",
    "record_leader_action",
    "reject",
    "reopen",
    "schedule_look_back",
    "require_filer",
    "submit_plan",
    "submit_rectification",
]
