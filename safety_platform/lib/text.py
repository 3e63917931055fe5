"""Text for places that hold one line: e-mail subjects and notice titles."""

from __future__ import annotations

import unicodedata

# Control and format characters, surrogates, and the Unicode line and paragraph separators.
_BREAKING = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def one_line(text: object, limit: int) -> str:
    """`text` on one line of at most `limit` characters, ending with "…" when cut.

    Every control character (CR and LF included) and every run of whitespace becomes one space: a title typed
    with a line break, or pasted with a stray control character, can never break an e-mail header.
    """
    spaced = "".join(" " if unicodedata.category(c) in _BREAKING else c for c in str(text))
    line = " ".join(spaced.split())
    if len(line) <= limit:
        return line
    return line[: limit - 1].rstrip() + "…"


def place_key(text: object) -> str:
    """A place as compared for recurrence: "2号 仓库（东）" and "２号仓库(东)" are the same place.

    NFKC folds full-width forms to half-width; every whitespace, punctuation (ASCII and CJK) and control character
    is dropped; the rest is case-folded. Kept in step with the backfill in hazards migration 0008.
    """
    folded = unicodedata.normalize("NFKC", str(text or ""))
    kept = "".join(c for c in folded if unicodedata.category(c)[0] not in "PZC")
    return kept.casefold()[:200]
