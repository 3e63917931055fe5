"""Chinese text uses full-width punctuation（，：；（））: no half-width , : ; ( ) next to a Chinese character in
the zh-hans catalogue's msgstrs, nor in a Python string that is Chinese text (seed data, demo content, fixed
wording). Allowed, because they are not prose: format placeholders (%(name)s, %s, {name}), URLs, times (08:30),
numbers (1,000 / 3.5), HTML tags, and the argument of Django's `yesno` filter ("是,否"), which is split on ASCII
commas. English msgids may name Chinese terms in parentheses; they are English text and are not checked."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

from django.urls import reverse

from .hazards.conftest import hz, media  # noqa: F401 - fixtures of the pages below
from .inspections.conftest import ins  # noqa: F401
from .test_translations import LOCALE, parse_po

ROOT = Path(__file__).resolve().parent.parent
CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"  # ideographs, CJK and full-width punctuation
HALF_WIDTH_NEXT_TO_CJK = re.compile(rf"[{CJK}]\s*[,:;()]|[,:;()]\s*[{CJK}]")
NOT_PROSE = re.compile(
    r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]"  # %(name)s, %(n)d
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdifr%]"  # %s, %d
    r"|\{[\w.]*\}"  # {name}
    r"|https?://\S+"  # URLs
    r"|<[^>]+>"  # HTML tags
    r"|\d{1,2}:\d{2}(?::\d{2})?"  # times
    r"|\d[\d,.]*\d"  # numbers with separators
)
YESNO_ARGUMENT = re.compile(r"^[^\s,]+(?:,[^\s,]+){1,2}$")


def offences(text: str) -> list[str]:
    """Each half-width , : ; ( ) next to a Chinese character, with a little context; placeholders and the rest
    of NOT_PROSE become a neutral "X" first, so "%(unit)s：" passes and "依据:%(basis)s" does not."""
    plain = NOT_PROSE.sub("X", text)
    return [plain[max(m.start() - 6, 0) : m.end() + 6] for m in HALF_WIDTH_NEXT_TO_CJK.finditer(plain)]


def test_the_checker_catches_what_it_should_and_nothing_else():
    assert offences("依据: %(basis)s") and offences("照片 (不合格时必须上传)") and offences("甲醇 20吨; 液氯 5吨")
    assert offences("是,否") and offences("（对方 %(d)s 的班)")
    good = ["依据：%(basis)s", "照片（不合格时必须上传）", "%(field)s：%(message)s", "截至 08:30", "共 1,000 元"]
    good += ["详见 https://example.cn/a,b", "%(a)s年和%(b)s年已录入", "<a href=x>查看</a>"]
    for text in good:
        assert not offences(text), text


def test_zh_hans_msgstrs_use_full_width_punctuation():
    found = {}
    for entry in parse_po(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"):
        if YESNO_ARGUMENT.match(entry["msgid"]):
            continue  # the yesno filter's argument: its commas are syntax, not prose
        for key, text in entry.items():
            if key.startswith("msgstr") and offences(text):
                found[entry["msgid"]] = (text, offences(text))
    assert not found, found


def chinese_strings(path: Path):
    """String constants in a Python file that are Chinese text (more CJK characters than Latin letters), except
    docstrings, which are English with Chinese terms."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            text = node.value
            if len(re.findall(f"[{CJK}]", text)) > len(re.findall("[A-Za-z]", text)):
                yield node.lineno, text


def test_chinese_strings_in_the_code_use_full_width_punctuation():
    files = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    checked, found = 0, []
    for name in files.stdout.split():
        if name.startswith("tests/"):
            continue  # tests quote wrong input on purpose
        for line, text in chinese_strings(ROOT / name):
            checked += 1
            if not YESNO_ARGUMENT.match(text) and offences(text):
                found.append(f"{name}:{line}: {text!r}")
    assert checked > 100  # the demo content, seed migrations and fixed wording were read
    assert not found, found


def visible_text(page: str) -> str:
    """What a reader sees (and a screen reader reads, SVG titles included): the page without scripts, styles,
    tags and attributes, entities decoded."""
    import html

    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_pages_glue_no_half_width_punctuation_to_chinese(client, ins):  # noqa: F811
    """Punctuation the templates put between translated pieces (依据：, 照片（不合格时必须上传）, 实测值（m）) and the
    charts' bar titles, as rendered in Chinese."""
    client.force_login(ins.users["inspector"])
    started = client.post(reverse("inspections:start"), {"enterprise": ins.e1.id, "version": ins.version.id,
                                                        "members": [ins.users["partner"].id]})  # fmt: skip
    first = client.get(started["Location"]).content.decode()
    second = client.get(started["Location"].replace("/fill/1/", "/fill/2/")).content.decode()
    text = visible_text(first) + visible_text(second)
    assert "依据：《消防法》第十六条" in text and "照片（不合格时必须上传）" in text and "实测值（m）" in text
    client.force_login(ins.users["city"])
    dashboard = visible_text(client.get(reverse("dashboards:dashboard")).content.decode())
    assert "·" in dashboard and "：" in dashboard  # the bars' titles are there, with full-width colons
    for page in (text, dashboard):
        assert not offences(page), offences(page)
