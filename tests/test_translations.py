"""zh-hans is complete and compiled: no empty or fuzzy entry, and the .mo says what the .po says."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: enough for msgid/msgid_plural/msgstr[n] entries and their flags."""
    entries, current, key = [], {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current:
                entries.append(current)
            current, key = {}, None
        elif line.startswith("#,"):
            current["flags"] = line[2:].strip()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return [e for e in entries if e.get("msgid")]


def test_chinese_catalog_is_complete():
    entries = parse_po(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 100
    missing = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", "")]
    assert not missing and not fuzzy, (missing, fuzzy)


def test_compiled_catalog_matches_the_source():
    entries = parse_po(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")
    with open(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    for entry in entries:
        if "msgid_plural" in entry:
            assert catalog.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr[0]"]
        else:
            context = entry.get("msgctxt")
            got = catalog.pgettext(context, entry["msgid"]) if context else catalog.gettext(entry["msgid"])
            assert got == entry["msgstr"], f"run `make messages`: {entry['msgid']!r} is stale in django.mo"
