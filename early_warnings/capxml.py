"""Read a CAP 1.2 message (Common Alerting Protocol, as China's national early-warning release system sends it) into a
`CapAlert`, refusing what is malformed or hostile. See docs/warnings-cap.md for the mapping and every refusal.

1. The size: more than `settings.CAP_MAX_BYTES` is refused before a byte is parsed.
2. The XML: parsed by expat with any document type declaration refused, so no entity can be declared (no
   "billion laughs", no external entity, no external DTD fetched); an undeclared entity is malformed XML. This is
   what defusedxml does with `forbid_dtd=True` (defusedxml is not installed here; the rule is a few lines).
3. The shape: the root is `<alert>` in the CAP 1.2 namespace with its required elements; only `Actual` messages of
   type Alert, Update or Cancel are applied.
4. The meaning: one `<info>` block (zh-CN preferred), its event and colour mapped to a kind and a level, its areas'
   行政区划代码 collected.

Every refusal is a `ValidationError` keyed by the element it concerns, its message naming the element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .cap import CapAlert
from .choices import WarningKind, WarningLevel

NS = "urn:oasis:names:tc:emergency:cap:1.2"
DEFAULT_MAX_BYTES = 256 * 1024

MSG_TYPES = ("Alert", "Update", "Cancel")
SEVERITY_LEVEL = {
    "Extreme": WarningLevel.RED,
    "Severe": WarningLevel.ORANGE,
    "Moderate": WarningLevel.YELLOW,
    "Minor": WarningLevel.BLUE,
}
# The colour named in the event code, the event or the headline ("暴雨橙色预警") wins over <severity>.
COLOUR_LEVEL = (
    ("红色", WarningLevel.RED),
    ("橙色", WarningLevel.ORANGE),
    ("黄色", WarningLevel.YELLOW),
    ("蓝色", WarningLevel.BLUE),
)
# The first keyword found (in the event codes, then the event, then the headline) gives the kind. Longer and more
# specific words come first: 道路结冰 before 结冰, 森林火险 before 火险.
KIND_WORDS = (
    ("暴雨", WarningKind.RAINSTORM),
    ("台风", WarningKind.TYPHOON),
    ("大风", WarningKind.GALE),
    ("高温", WarningKind.HIGH_TEMPERATURE),
    ("寒潮", WarningKind.COLD_WAVE),
    ("大雾", WarningKind.FOG),
    ("雷电", WarningKind.THUNDER_HAIL),
    ("冰雹", WarningKind.THUNDER_HAIL),
    ("道路结冰", WarningKind.SNOW_ICE),
    ("暴雪", WarningKind.SNOW_ICE),
    ("森林火险", WarningKind.FOREST_FIRE),
    ("地质灾害", WarningKind.GEOLOGICAL),
    ("洪水", WarningKind.FLOOD),
)
# <geocode><valueName> that carries a 行政区划代码 (compared without case, spaces, slashes, dots or dashes).
ADMIN_CODE_NAMES = {"行政区划代码", "GBT2260", "GB2260", "ADCODE", "ADMINCODE"}
ADMIN_CODE = re.compile(r"[0-9]{6}([0-9]{3}([0-9]{3})?)?")
# CAP 1.2 forbids white space, commas and the XML specials in identifier and sender (references rely on it).
CAP_TOKEN = re.compile(r"[^\s,<&]+")
GB_DECLARATION = re.compile(rb"""<\?xml[^>]*?encoding=["'](gb2312|gbk|gb18030)["'][^>]*\?>""", re.IGNORECASE)
LIMITS = {"identifier": 200, "sender": 200, "senderName": 200, "headline": 200, "description": 5000,
          "instruction": 5000}  # fmt: skip


def max_bytes() -> int:
    return getattr(settings, "CAP_MAX_BYTES", DEFAULT_MAX_BYTES)


def parse(data: bytes) -> CapAlert:
    """The alert in `data`, or a ValidationError naming what is wrong."""
    root = _parse_xml(data)
    if root.tag != f"{{{NS}}}alert":
        message = _("This is not a CAP 1.2 alert: the root element must be <alert> in the namespace %(ns)s.")
        raise _error("alert", message % {"ns": NS})
    alert = _Reader(root)
    status = alert.required("status")
    if status != "Actual":
        raise _error("status", _("<status> is “%(value)s”: only Actual messages are applied; test, exercise, system "
                                 "and draft messages are refused.") % {"value": status})  # fmt: skip
    msg_type = alert.required("msgType")
    if msg_type not in MSG_TYPES:
        raise _error("msgType", _("<msgType> “%(value)s” is not applied: only Alert, Update and Cancel are.")
                     % {"value": msg_type})  # fmt: skip
    info = _Reader(_chosen_info(root), "info")
    return CapAlert(
        identifier=alert.token("identifier"),
        sender=alert.token("sender"),
        sent=alert.moment("sent", required=True),
        msg_type=msg_type,
        references=_references(alert.optional("references"), msg_type),
        kind=_kind(info),
        level=_level(info),
        issuer=info.optional("senderName") or alert.optional("sender"),
        headline=info.optional("headline"),
        description=info.optional("description"),
        instruction=info.optional("instruction"),
        expires=info.moment("expires"),
        area_codes=_area_codes(info.element),
        area_names=tuple(_Reader(area, "area").required("areaDesc") for area in _areas(info.element)),
    )


# --- the XML ------------------------------------------------------------------------------------------------------


def _parse_xml(data: bytes) -> Element:
    """The message's element tree, by defusedxml with DTDs forbidden: a document type, entities (billion laughs)
    and external references are refused before anything is expanded or fetched."""
    if not isinstance(data, bytes | bytearray):
        raise _error("cap", _("The CAP message must be sent as bytes."))
    if len(data) > max_bytes():
        raise _error("cap", _("The CAP message is %(size)s bytes; at most %(limit)s are accepted.")
                     % {"size": len(data), "limit": max_bytes()})  # fmt: skip
    if not data.strip():
        raise _error("cap", _("The CAP message is empty."))
    data = _as_utf8(bytes(data))
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise _error("cap", _("The CAP message declares a document type or entities, which are refused.")) from None
    except ParseError as exc:
        line, column = exc.position
        raise _error("cap", _("The CAP message is not well-formed XML (line %(line)s, column %(column)s: %(reason)s).")
                     % {"line": line, "column": column, "reason": expat.errors.messages[exc.code]}
                     ) from None  # fmt: skip
    except (ValueError, LookupError):  # an encoding unknown to Python, or a multi-byte one expat cannot take
        raise _error("cap", _("The CAP message is not in an encoding that can be read; send UTF-8.")) from None


def _as_utf8(data: bytes) -> bytes:
    """A message declared in GB2312, GBK or GB18030 (some Chinese senders use them), re-encoded as UTF-8: expat reads
    no multi-byte encoding but its own."""
    declaration = GB_DECLARATION.match(data)
    if not declaration:
        return data
    try:
        text = data[declaration.end() :].decode("gb18030")
    except UnicodeDecodeError:
        raise _error("cap", _("The CAP message is not in the encoding it declares.")) from None
    return data[: declaration.start(1)] + b"UTF-8" + data[declaration.end(1) : declaration.end()] + text.encode()


# --- reading elements ---------------------------------------------------------------------------------------------


@dataclass
class _Reader:
    """The CAP children of one element, each read as text, with the refusals named after the element."""

    element: Element
    where: str = "alert"

    def optional(self, name: str) -> str:
        child = self.element.find(f"{{{NS}}}{name}")
        text = (child.text or "").strip() if child is not None else ""
        if name in LIMITS and len(text) > LIMITS[name]:
            raise _error(name, _("<%(element)s> is longer than %(limit)s characters.")
                         % {"element": name, "limit": LIMITS[name]})  # fmt: skip
        return text

    def required(self, name: str) -> str:
        text = self.optional(name)
        if not text:
            raise _missing(name, self.where)
        return text

    def token(self, name: str) -> str:
        text = self.required(name)
        if not CAP_TOKEN.fullmatch(text):
            raise _error(name, _("<%(element)s> may not contain spaces, commas, “<” or “&”.") % {"element": name})
        return text

    def moment(self, name: str, required: bool = False) -> datetime | None:
        text = self.required(name) if required else self.optional(name)
        if not text:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            value = None
        if value is None or value.tzinfo is None or "T" not in text:
            raise _error(name, _("<%(element)s> “%(value)s” is not a CAP date and time with its offset "
                                 "(2026-07-20T08:30:00+08:00).") % {"element": name, "value": text})  # fmt: skip
        return value


def _chosen_info(root: Element) -> Element:
    """The <info> in zh-CN, else the first in another Chinese form (zh, zh-Hans…), else the first (CAP's default
    language is en-US)."""
    blocks = root.findall(f"{{{NS}}}info")
    if not blocks:
        raise _missing("info", "alert")

    def language(block: Element) -> str:
        return (block.findtext(f"{{{NS}}}language") or "").strip().lower()

    for wanted in (lambda lang: lang == "zh-cn", lambda lang: lang == "zh" or lang.startswith("zh-")):
        for block in blocks:
            if wanted(language(block)):
                return block
    return blocks[0]


def _references(text: str, msg_type: str) -> tuple[str, ...]:
    """The identifiers of the "sender,identifier,sent" triples, in the order given (CAP lists the oldest first)."""
    if msg_type != "Alert" and not text:
        raise _error("references", _("An %(type)s must name the message it updates or cancels in <references>.")
                     % {"type": msg_type})  # fmt: skip
    identifiers = []
    for triple in text.split():
        parts = triple.split(",")
        if len(parts) != 3 or not all(parts):
            raise _error("references", _("<references> holds “%(value)s”, which is not “sender,identifier,sent”.")
                         % {"value": triple})  # fmt: skip
        identifiers.append(parts[1])
    return tuple(identifiers)


def _codes_and_texts(info: _Reader) -> list[str]:
    """Where a kind or a colour may be named, in order of preference: the event codes, the event, the headline."""
    codes = [(code.findtext(f"{{{NS}}}value") or "").strip() for code in info.element.findall(f"{{{NS}}}eventCode")]
    return [*codes, info.optional("event"), info.optional("headline")]


def _kind(info: _Reader) -> str:
    info.required("event")
    for text in _codes_and_texts(info):
        for word, kind in KIND_WORDS:
            if word in text:
                return kind
    return WarningKind.OTHER


def _level(info: _Reader) -> str:
    severity = info.required("severity")
    if severity not in SEVERITY_LEVEL:
        raise _error("severity", _("<severity> “%(value)s” is not one of Extreme, Severe, Moderate and Minor.")
                     % {"value": severity})  # fmt: skip
    for text in _codes_and_texts(info):
        for word, level in COLOUR_LEVEL:
            if word in text:
                return level
    return SEVERITY_LEVEL[severity]


def _areas(info: Element) -> list[Element]:
    areas = info.findall(f"{{{NS}}}area")
    if not areas:
        raise _missing("area", "info")
    return areas


def _area_codes(info: Element) -> tuple[str, ...]:
    """Every 行政区划代码 of every area, in order, once each (normalised as `normal_code` says)."""
    codes: dict[str, None] = {}
    for area in _areas(info):
        found = False
        for geocode in area.findall(f"{{{NS}}}geocode"):
            name = re.sub(r"[\s/.\-_]", "", geocode.findtext(f"{{{NS}}}valueName") or "").upper()
            if name not in ADMIN_CODE_NAMES:
                continue
            codes[normal_code((geocode.findtext(f"{{{NS}}}value") or "").strip())] = None
            found = True
        if not found:
            raise _error("geocode", _("An <area> has no <geocode> whose <valueName> is 行政区划代码."))
    return tuple(codes)


def normal_code(value: str) -> str:
    """A 行政区划代码 as the regions carry it: 6 digits (county level), 9 (township) or 12 (village); a 12-digit code
    padded with zeros is the township's or the county's (110105000000 → 110105, 110105001000 → 110105001)."""
    if not ADMIN_CODE.fullmatch(value):
        raise _error("geocode", _("<geocode> value “%(value)s” is not a 行政区划代码 of 6, 9 or 12 digits.")
                     % {"value": value[:40]})  # fmt: skip
    if len(value) == 12 and value.endswith("000000"):
        return value[:6]
    if len(value) == 12 and value.endswith("000"):
        return value[:9]
    return value


# --- errors -------------------------------------------------------------------------------------------------------


def _missing(name: str, where: str) -> ValidationError:
    return _error(
        name, _("<%(parent)s> has no <%(element)s>, which CAP requires.") % {"parent": where, "element": name}
    )


def _error(element: str, message: str) -> ValidationError:
    return ValidationError({element: [message]})
