"""The CAP 1.2 parser: the samples read as the platform needs them, and every malformed or hostile message is
refused with a ValidationError naming the element, in the user's language. No database is needed."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from early_warnings import capxml
from early_warnings.choices import WarningKind, WarningLevel

from .cap_samples import (
    ALERT,
    BILLION_LAUGHS,
    CANCEL,
    EXTERNAL_DTD,
    EXTERNAL_ENTITY,
    PARAMETER_ENTITY,
    UNDECLARED_ENTITY,
    UPDATE,
    oversized,
    replaced,
)


def refusal(data: bytes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        capxml.parse(data)
    return caught.value.message_dict


def test_the_orange_alert_reads_in_chinese():
    alert = capxml.parse(ALERT)
    assert alert.identifier == "99010041600000_20260720083000"
    assert alert.sender == "99010041600000"
    assert alert.sent == datetime(2026, 7, 20, 0, 30, tzinfo=UTC)
    assert alert.msg_type == "Alert" and alert.references == ()
    assert alert.kind == WarningKind.RAINSTORM and alert.level == WarningLevel.ORANGE
    assert alert.issuer == "滨海市气象台"
    assert alert.headline == "滨海市气象台发布暴雨橙色预警信号"  # the zh-CN block, not the en-US one after it
    assert alert.description.startswith("滨海市气象台2026年7月20日")
    assert alert.instruction.startswith("1. 政府及相关部门")
    assert alert.expires == datetime(2026, 7, 21, 0, 30, tzinfo=UTC)
    assert alert.area_codes == ("990102", "990103")
    assert alert.area_names == ("海滨区", "新城区")


def test_the_update_references_the_alert_and_pads_no_codes():
    alert = capxml.parse(UPDATE)
    assert alert.msg_type == "Update"
    assert alert.references == ("99010041600000_20260720083000",)
    assert alert.level == WarningLevel.RED
    # 12-digit codes padded with zeros are the districts' 6-digit codes.
    assert alert.area_codes == ("990102", "990103", "990104")


def test_the_cancel_references_both_versions_oldest_first():
    alert = capxml.parse(CANCEL)
    assert alert.msg_type == "Cancel"
    assert alert.references == ("99010041600000_20260720083000", "99010041600000_20260720113000")
    assert alert.expires is None


def test_a_namespace_prefix_reads_the_same():
    declaration, body = ALERT.decode().split("\n", 1)
    body = re.sub(r"<(/?)([A-Za-z]+)", r"<\1cap:\2", body).replace(' xmlns="', ' xmlns:cap="', 1)
    assert "<cap:identifier>" in body and "</cap:alert>" in body
    assert capxml.parse(f"{declaration}\n{body}".encode()) == capxml.parse(ALERT)


def test_the_first_block_is_read_when_none_is_chinese():
    alert = capxml.parse(replaced("<language>zh-CN</language>", "<language>fr-FR</language>"))
    assert alert.headline == "滨海市气象台发布暴雨橙色预警信号"  # still the first block
    english_first = replaced("<language>zh-CN</language>", "<language>en-GB</language>")
    english_first = english_first.replace(b"<language>en-US</language>", b"<language>zh</language>")
    assert capxml.parse(english_first).headline.startswith("Binhai")  # a Chinese language tag wins over the first


@pytest.mark.parametrize(
    ("severity", "level"),
    [("Extreme", WarningLevel.RED), ("Severe", WarningLevel.ORANGE), ("Moderate", WarningLevel.YELLOW),
     ("Minor", WarningLevel.BLUE)],
)  # fmt: skip
def test_severity_gives_the_level_when_no_colour_is_named(severity, level):
    data = replaced("<severity>Severe</severity>", f"<severity>{severity}</severity>")
    data = data.replace("暴雨橙色".encode(), "暴雨".encode())
    assert capxml.parse(data).level == level


def test_a_colour_named_in_the_event_wins_over_severity():
    data = replaced("<severity>Severe</severity>", "<severity>Minor</severity>")
    assert capxml.parse(data).level == WarningLevel.ORANGE  # 暴雨橙色 in the event code and the event


def test_the_event_code_wins_over_the_event():
    data = replaced("<value>暴雨橙色</value>", "<value>暴雨黄色</value>")
    assert capxml.parse(data).level == WarningLevel.YELLOW


@pytest.mark.parametrize(
    ("event", "kind"),
    [("台风蓝色预警", WarningKind.TYPHOON), ("大风黄色预警", WarningKind.GALE),
     ("高温橙色预警", WarningKind.HIGH_TEMPERATURE), ("寒潮蓝色预警", WarningKind.COLD_WAVE),
     ("大雾黄色预警", WarningKind.FOG), ("雷电黄色预警", WarningKind.THUNDER_HAIL),
     ("冰雹橙色预警", WarningKind.THUNDER_HAIL), ("道路结冰橙色预警", WarningKind.SNOW_ICE),
     ("暴雪蓝色预警", WarningKind.SNOW_ICE), ("森林火险红色预警", WarningKind.FOREST_FIRE),
     ("地质灾害气象风险黄色预警", WarningKind.GEOLOGICAL), ("洪水蓝色预警", WarningKind.FLOOD),
     ("霾黄色预警", WarningKind.OTHER)],
)  # fmt: skip
def test_the_event_gives_the_kind(event, kind):
    data = ALERT.replace("<value>暴雨橙色</value>".encode(), b"<value>-</value>")
    data = data.replace("暴雨橙色预警信号".encode(), "预警信号".encode())
    data = replaced("<event>暴雨橙色预警</event>", f"<event>{event}</event>", data)
    assert capxml.parse(data).kind == kind


def test_sender_name_missing_falls_back_to_the_sender():
    data = replaced("<senderName>滨海市气象台</senderName>", "")
    assert capxml.parse(data).issuer == "99010041600000"


@pytest.mark.parametrize("code", ["990102001", "990102001000", "990102001003"])
def test_township_and_village_codes(code):
    data = replaced("<value>990102</value>", f"<value>{code}</value>")
    expected = code[:9] if code.endswith("000") else code
    assert capxml.parse(data).area_codes == (expected, "990103")


# --- hostile and oversized ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
                         ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity"])  # fmt: skip
def test_document_types_and_entities_are_refused(data):
    started = time.process_time()
    errors = refusal(data)
    assert list(errors) == ["cap"]
    assert "entities" in errors["cap"][0] or "实体" in errors["cap"][0]
    assert time.process_time() - started < 1  # refused at the declaration, never expanded


def test_an_undeclared_entity_is_malformed():
    with translation.override("en"):
        errors = refusal(UNDECLARED_ENTITY)
    assert "not well-formed" in errors["cap"][0] and "line 4" in errors["cap"][0]


def test_a_message_over_the_limit_is_refused_unread(settings):
    settings.CAP_MAX_BYTES = len(ALERT) + 100
    assert capxml.parse(oversized(len(ALERT) + 99)).identifier  # exactly at the limit: read
    errors = refusal(oversized(len(ALERT) + 100))
    assert str(len(ALERT) + 101) in errors["cap"][0] and str(len(ALERT) + 100) in errors["cap"][0]


def test_the_default_limit_is_256_kib():
    assert capxml.max_bytes() == 256 * 1024
    assert list(refusal(oversized(256 * 1024))) == ["cap"]


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"not xml at all", b"{\"identifier\": 1}", b"<alert>", "<alert>暴雨</alert>".encode("gb18030"),
     b"\xff\xfe\x00garbage"],
)  # fmt: skip
def test_what_is_not_xml_is_refused(data):
    assert list(refusal(data)) == ["cap"]


def test_a_chinese_national_encoding_is_read():
    text = ALERT.decode().replace('encoding="UTF-8"', 'encoding="GB2312"')
    assert capxml.parse(text.encode("gb2312")).issuer == "滨海市气象台"
    assert capxml.parse(text.replace("GB2312", "gbk").encode("gbk")).headline == "滨海市气象台发布暴雨橙色预警信号"
    assert list(refusal(text.encode("utf-16"))) == ["cap"]  # declared GB2312, is not
    assert list(refusal(text.encode("gb2312")[:-40] + b"\xff\xff")) == ["cap"]


def test_an_unreadable_encoding_is_refused():
    data = replaced('encoding="UTF-8"', 'encoding="x-unknown-8"')
    assert list(refusal(data)) == ["cap"]


# --- shape and meaning --------------------------------------------------------------------------------------------


def test_another_namespace_or_root_is_refused():
    for data in (
        replaced("urn:oasis:names:tc:emergency:cap:1.2", "urn:oasis:names:tc:emergency:cap:1.1"),
        replaced('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">', "<alert>").replace(b"</alert>", b"</alert>"),
        b'<feed xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>',
    ):
        errors = refusal(data)
        assert list(errors) == ["alert"] and "urn:oasis:names:tc:emergency:cap:1.2" in errors["alert"][0]


@pytest.mark.parametrize(
    ("old", "element"),
    [("<identifier>99010041600000_20260720083000</identifier>", "identifier"),
     ("<sender>99010041600000</sender>", "sender"),
     ("<sent>2026-07-20T08:30:00+08:00</sent>", "sent"),
     ("<status>Actual</status>", "status"),
     ("<msgType>Alert</msgType>", "msgType"),
     ("<event>暴雨橙色预警</event>", "event"),
     ("<severity>Severe</severity>", "severity")],
)  # fmt: skip
def test_a_missing_required_element_is_named(old, element):
    errors = refusal(replaced(old, ""))
    assert list(errors) == [element]
    assert f"<{element}>" in errors[element][0]


def test_no_info_no_area_no_geocode():
    start, end = ALERT.index(b"<info>"), ALERT.rindex(b"</info>") + len(b"</info>")
    assert list(refusal(ALERT[:start] + ALERT[end:])) == ["info"]
    no_area = ALERT
    while b"<area>" in no_area:
        a, b = no_area.index(b"<area>"), no_area.index(b"</area>") + len(b"</area>")
        no_area = no_area[:a] + no_area[b:]
    assert list(refusal(no_area)) == ["area"]
    other_code = replaced("<valueName>行政区划代码</valueName>", "<valueName>邮政编码</valueName>")
    assert list(refusal(other_code)) == ["geocode"]


@pytest.mark.parametrize("value", ["99010", "9901021", "abcdef", "９９０１０２", "990102 990103", ""])
def test_a_geocode_that_is_not_an_admin_code_is_refused(value):
    errors = refusal(replaced("<value>990102</value>", f"<value>{value}</value>"))
    assert list(errors) == ["geocode"]


def test_admin_code_value_names_are_read_loosely():
    for name in ("GB/T 2260", "adcode", "GB2260"):
        data = ALERT.replace("<valueName>行政区划代码</valueName>".encode(), f"<valueName>{name}</valueName>".encode())
        assert capxml.parse(data).area_codes == ("990102", "990103")


@pytest.mark.parametrize("severity", ["Unknown", "severe", "Catastrophic"])
def test_an_unknown_severity_is_refused(severity):
    errors = refusal(replaced("<severity>Severe</severity>", f"<severity>{severity}</severity>"))
    assert list(errors) == ["severity"] and severity in errors["severity"][0]


@pytest.mark.parametrize("status", ["Test", "Exercise", "System", "Draft"])
def test_only_actual_messages_are_applied(status):
    errors = refusal(replaced("<status>Actual</status>", f"<status>{status}</status>"))
    assert list(errors) == ["status"] and status in errors["status"][0]


@pytest.mark.parametrize("msg_type", ["Ack", "Error", "alert"])
def test_acks_and_errors_are_not_applied(msg_type):
    assert list(refusal(replaced("<msgType>Alert</msgType>", f"<msgType>{msg_type}</msgType>"))) == ["msgType"]


def test_an_update_without_references_is_refused():
    start = UPDATE.index(b"<references>")
    end = UPDATE.index(b"</references>") + len(b"</references>")
    assert list(refusal(UPDATE[:start] + UPDATE[end:])) == ["references"]
    bad = UPDATE.replace(b",2026-07-20T08:30:00+08:00</references>", b"</references>")
    assert list(refusal(bad)) == ["references"]


@pytest.mark.parametrize("sent", ["2026-07-20 08:30:00", "2026-07-20T08:30:00", "20 July 2026", "2026-07-20"])
def test_a_time_without_offset_or_not_iso_is_refused(sent):
    errors = refusal(replaced("<sent>2026-07-20T08:30:00+08:00</sent>", f"<sent>{sent}</sent>"))
    assert list(errors) == ["sent"]


def test_identifiers_with_spaces_or_commas_are_refused():
    errors = refusal(replaced("<identifier>99010041600000_20260720083000</identifier>", "<identifier>a,b</identifier>"))
    assert list(errors) == ["identifier"]


def test_overlong_texts_are_refused():
    errors = refusal(
        replaced("<headline>滨海市气象台发布暴雨橙色预警信号</headline>", f"<headline>{'雨' * 201}</headline>")
    )
    assert list(errors) == ["headline"]


def test_messages_are_in_the_users_language():
    with translation.override("zh-hans"):
        chinese = refusal(replaced("<severity>Severe</severity>", "<severity>Unknown</severity>"))["severity"][0]
    with translation.override("en"):
        english = refusal(replaced("<severity>Severe</severity>", "<severity>Unknown</severity>"))["severity"][0]
    assert "<severity>" in chinese and "<severity>" in english
    assert chinese != english and "不是" in chinese
