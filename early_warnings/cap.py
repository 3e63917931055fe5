"""A CAP 1.2 alert as the platform reads it (docs/warnings.md): what the parser hands to `workflow.apply_cap`.

The parser (`early_warnings.capxml.parse`) turns a CAP message into a `CapAlert`, refusing malformed or hostile
XML; `workflow.apply_cap(actor, alert)` creates, supersedes or lifts the warning idempotently by `identifier`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class CapAlert:
    identifier: str  # <identifier>: unique per sender; the same message twice is one warning
    sender: str  # <sender>
    sent: datetime  # <sent>, aware
    msg_type: str  # <msgType>: "Alert", "Update" or "Cancel"
    references: tuple[str, ...]  # identifiers from <references> ("sender,identifier,sent" triples), oldest first
    kind: str  # early_warnings.choices.WarningKind, mapped from <event> / <eventCode>
    level: str  # early_warnings.choices.WarningLevel, mapped from <severity> (and the level in <event> if given)
    issuer: str  # <senderName>
    headline: str  # <headline>
    description: str  # <description>
    instruction: str  # <instruction>: the measures required
    expires: datetime | None  # <expires>, aware
    area_codes: tuple[str, ...]  # 行政区划代码 from <area><geocode>, as given
    area_names: tuple[str, ...] = field(default=())  # <areaDesc>, for messages about codes not found
