"""The informant's identity is found nowhere but in the handler's informant view (issue #20, point 6).

A report with a known informant (a distinctive name, phone and contact address) is accepted, becomes a hazard, is
verified, answered and rewarded (approved and paid). Then EVERY URL pattern of the project (pages and /api/v1/,
enumerated from the resolver, so the endpoints added later are walked too) is fetched with GET as every role of the
`world` (and anonymously), its path parameters filled with the pks of real rows: the report, its hazard, its reward
and the other rows of the world, guessed from the path's words and the API view's model, else tried in turn. Every
answer (HTML, JSON decoded, a workbook's cells, a PDF's text, CSV) must not carry the phone, the name, the contact
address or the receipt secret; nor may the notices, the e-mails sent, the audit records or the hazard. Only POST to
the informant view (page and API) shows it, and only to the report's handlers.

The patterns that cannot be filled (rows of a kind the world has none of) or that the roles cannot open (the admin:
none of them is staff) are counted and printed: run with `-s` to see them.
"""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from audit.models import AuditEvent
from hazards.models import Hazard, HazardCategory
from notifications.models import Notification
from tipoffs import handling, identity, rewards
from tipoffs.intake import submit
from tipoffs.models import Report, ReportEvent, Reward

from .factories import submission

pytestmark = pytest.mark.django_db

NAME = "欧阳灵犀"
PHONE = "13912345678"
ADDRESS = "幸福里小区七栋三单元"
ROLES = ("city", "district", "dept_head", "county_dept", "inspector", "enterprise", "outsider", None)
HANDLERS = {"city", "county_dept"}  # the city office's staff and the handling department's (access.is_handler)
# Words of a path that name the row its parameter is, where the model's name does not say it.
ALIASES = {"tipoffs": Report, "tipoff": Report, "rewards": Reward, "hazard-photos": None}
ONCE = {"/api/schema/"}  # the OpenAPI schema: the same text for everyone, made from no row
MIN_COVERED = 250  # URL patterns fetched with every parameter filled (379 non-admin patterns when written)


@dataclass
class Walk:
    fetched: dict = field(default_factory=dict)  # url -> {role: status}
    skipped: list = field(default_factory=list)  # (pattern, why)
    covered: int = 0
    leaks: list = field(default_factory=list)


def secret_words(secret: str) -> tuple[str, ...]:
    return (PHONE, PHONE[-8:], NAME, ADDRESS, secret)


def found_in(text: str, words) -> list[str]:
    return [w for w in words if w and w in text]


def text_of(response) -> str:
    """Everything a person could read in the answer: decoded JSON, a workbook's cells, a PDF's text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind or content[:2] == b"PK":
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        except Exception:  # noqa: BLE001 - a zip that is no workbook: read its bytes
            return content.decode("utf-8", "replace")
        return "\n".join(
            str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell
        )
    if "pdf" in kind or content[:4] == b"%PDF":
        import pypdf

        return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    text = content.decode("utf-8", "replace")
    if "json" in kind:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def patterns() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every URL pattern as a route with `{name}` holes and its parameters [(name, converter)]."""
    found = []

    def walk(entries, prefix: str) -> None:
        for entry in entries:
            piece = route_of(entry.pattern)
            if piece is None:
                found.append((prefix + str(entry.pattern), None))
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + piece)
            elif isinstance(entry, URLPattern):
                found.append((prefix + piece, None))

    walk(get_resolver().url_patterns, "")
    result = []
    for route, _none in found:
        params = re.findall(r"\{(\w+):(\w+)\}", route)
        result.append((route, params))
    return result


def route_of(pattern) -> str | None:
    """`a/{converter:name}/` from a route or a plain regex; None for a regex that is more than groups."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "{" + (m.group(1) or "str") + ":" + m.group(2) + "}",
                      str(pattern))  # fmt: skip
    if isinstance(pattern, RegexPattern):
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{regex:\1}", str(pattern)).lstrip("^").rstrip("$")
        text = text.replace(r"\.", ".")
        return None if re.search(r"[\\()\[\]*+?|^$]", text) else text
    return None


def model_for(word: str) -> type[models.Model] | None:
    word = word.lower()
    if word in ALIASES:
        return ALIASES[word]
    names = {word, word.rstrip("s"), word[:-2] if word.endswith("es") else word, word.replace("-", ""),
             word.rstrip("s").replace("-", "")}  # fmt: skip
    for model in apps.get_models():
        if model._meta.model_name in names:
            return model
    return None


def view_model(route: str):
    """The model of a DRF view's serializer, if the pattern is one."""
    try:
        match = get_resolver().resolve("/" + re.sub(r"\{\w+:\w+\}", "1", route))
    except Exception:  # noqa: BLE001
        return None
    cls = getattr(match.func, "cls", None)
    serializer = getattr(cls, "serializer_class", None)
    return getattr(getattr(serializer, "Meta", None), "model", None)


def candidates(route: str, name: str, converter: str, known: dict, rows: list[int]) -> list[str]:
    """Values to try for one parameter: the row its path names (a known object's, else the first of its table),
    then every known row's pk."""
    if converter in ("str", "slug", "regex", "path"):
        strings = {"code": [known["report"].code, known["hazard"].code], "day": [known["day"]]}
        return strings.get(name, [])
    before = route.split("{" + converter + ":" + name + "}")[0].rstrip("/").split("/")
    word = before[-1] if before and before[-1] else ""
    guess = None
    model = model_for(word) if word else None
    if model is None and name == "pk":
        model = view_model(route)
    if name.endswith("_pk"):
        model = model_for(name[:-3])
    if model is not None:
        if model in known["objects"]:
            guess = known["objects"][model].pk
        else:
            first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            if first is None:
                return []  # a kind of row the world has none of
            guess = first
    values = [guess] if guess is not None else []
    return [str(v) for v in dict.fromkeys(values + ([] if guess is not None else rows))]


@pytest.fixture
def known(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    handler, city = world.users["county_dept"], world.users["city"]
    receipt = submit(submission(world, name=NAME, phone=PHONE, contact_address=ADDRESS))
    report = receipt.report
    assert report.department == world.d1_yjj
    handling.accept(handler, report, note="派员核查")
    category = HazardCategory.objects.filter(is_active=True).order_by("pk").first()
    handling.file_hazard(handler, report, title="仓库堵塞消防通道", description="现场核实仓库堆放易燃物品",
                         category=category)  # fmt: skip
    handling.verify(handler, report, "substantiated", "现场核实属实")
    handling.answer(handler, report, "经核查，举报属实，已责令企业立即整改并依法处罚。")
    reward = rewards.propose(handler, report, "fine", fine=100_000)
    rewards.decide(city, reward, True)
    rewards.pay(city, reward, "JL-0001")
    identity.reveal(handler, report)  # one audited view, so the audit trail has one
    report.refresh_from_db()
    hazard = Hazard.objects.get(pk=report.hazard_id)
    notice = Notification.objects.order_by("pk").first()
    objects = {Report: report, Reward: reward, Hazard: hazard, ReportEvent: report.events.first()}
    for row in (world.e1, world.t1, world.d1_yjj, world.chem, world.users["county_dept"]):
        objects[type(row)] = row
    if notice is not None:
        objects[Notification] = notice
    from django.utils import timezone

    return {"report": report, "hazard": hazard, "reward": reward, "secret": receipt.secret, "objects": objects,
            "day": timezone.localdate().isoformat()}  # fmt: skip


def test_the_informant_is_nowhere_but_in_the_handlers_view(world, known):
    words = secret_words(known["secret"])
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        if role:
            clients[role].force_login(world.users[role])
    rows = sorted({obj.pk for obj in known["objects"].values()})
    walk = Walk()
    for route, params in patterns():
        if route.startswith("admin/") and params:
            walk.skipped.append((route, "admin: none of the roles is staff"))
            continue
        values = [candidates(route, name, conv, known, rows) for conv, name in params]
        if any(not v for v in values):
            walk.skipped.append((route, "no row of its kind"))
            continue
        url = None
        for attempt in _combinations(values):
            tried = "/" + _fill(route, params, attempt)
            if not values or attempt == _last(values) or clients["city"].get(tried).status_code < 400:
                url = tried
                break
        walk.covered += 1
        page = _fetch_as_everyone(url, clients, words, walk)
        for link in _exports(page, url):  # the page's downloads and its own views (tabs, filters, next page)
            if link not in walk.fetched:
                _fetch_as_everyone(link, clients, words, walk)
    print(f"\nidentity fuzz: {walk.covered} patterns fetched as {len(ROLES)} roles, {len(walk.fetched)} URLs; "
          f"{len(walk.skipped)} skipped:")  # fmt: skip
    for route, why in walk.skipped:
        if not route.startswith("admin/"):
            print(f"  skipped {route}: {why}")
    assert walk.leaks == []
    assert walk.covered >= MIN_COVERED, walk.covered
    # the report, its hazard and its reward were among them, as their handlers and as the others
    for must in (f"/hazards/{known['hazard'].pk}/", f"/api/v1/hazards/{known['hazard'].pk}/",
                 f"/api/v1/tipoffs/rewards/{known['reward'].pk}/", "/tipoffs/rewards/"):  # fmt: skip
        assert walk.fetched[must]["county_dept"] == 200, (must, walk.fetched.get(must))

    # Nor in what the platform wrote: notices, e-mails, audit records, the hazard, the staff's events.
    stored = [f"{n.title} {n.body} {n.link}" for n in Notification.objects.all()]
    stored += [f"{m.subject} {m.body} {m.to}" for m in mail.outbox]
    stored += [
        f"{a.object_repr} {json.dumps(a.changes, ensure_ascii=False)} {a.reason}" for a in AuditEvent.objects.all()
    ]
    hazard = known["hazard"]
    stored += [str(getattr(hazard, f.attname)) for f in Hazard._meta.concrete_fields]
    stored += [f"{e.note} {e.public_text} {json.dumps(e.data, ensure_ascii=False)}" for e in ReportEvent.objects.all()]
    assert Notification.objects.exists() and AuditEvent.objects.filter(action="tipoff.reward").exists()
    assert [s for s in stored if found_in(s, words)] == []

    # The one place: the handler's informant view (POST, audited), page and API, for the handlers only.
    report = known["report"]
    views = []
    try:
        views.append(reverse("tipoffs:informant", args=[report.pk]))
    except NoReverseMatch:
        print("  tipoffs:informant does not exist yet")
    api = f"/api/v1/tipoffs/{report.pk}/informant/"
    try:
        get_resolver().resolve(api)
    except Resolver404:
        print(f"  {api} does not exist yet")
    else:
        views.append(api)
    for url in views:
        for role in ROLES:
            response = clients[role].post(url)
            shown = response.status_code == 200 and PHONE in text_of(response) and NAME in text_of(response)
            assert shown == (role in HANDLERS), (url, role, response.status_code)
            assert known["secret"] not in text_of(response)
    assert identity.reveal(world.users["county_dept"], report).phone == PHONE


EXPORT = re.compile(r'href="(/[^"#]*(?:format=|\.xlsx|\.csv|\.pdf|export)[^"#]*)"')


SAME_PAGE = re.compile(r'href="(\?[^"#]+)"')


def _exports(response, url: str) -> list[str]:
    """The downloads a page links to and the links to itself with a query (a state's tab, a filter, the next page),
    as the city office sees it (which sees most)."""
    if response is None or response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    text = response.content.decode()
    links = {html.unescape(link) for link in EXPORT.findall(text)}
    links |= {url + html.unescape(query) for query in SAME_PAGE.findall(text)}
    links |= {html.unescape(link) for link in re.findall(r'href="(' + re.escape(url) + r'\?[^"#]+)"', text)}
    return sorted(links)


def _fetch_as_everyone(url: str, clients: dict, words, walk: Walk):
    """GET as every role, the city office first: a POST-only endpoint (405 to it) answers no one's GET, and the
    schema, the same for everyone and built from no row, once."""
    statuses = {}
    for role, client in clients.items():
        if role != "city" and (statuses["city"] == 405 or url in ONCE):
            continue
        response = client.get(url)
        if role == "city":
            first = response
        statuses[role] = response.status_code
        if response.status_code < 300:
            leaked = found_in(text_of(response), words)
            if leaked:
                walk.leaks.append((url, role, leaked))
    walk.fetched[url] = statuses
    return first


def _combinations(values: list[list[str]]):
    """Each value of the first parameter with the first of the others (a path names one row; its sub-rows follow)."""
    if not values:
        yield ()
        return
    for first in values[0]:
        yield (first, *(v[0] for v in values[1:]))


def _last(values):
    return (values[0][-1], *(v[0] for v in values[1:])) if values else ()


def _fill(route: str, params, attempt) -> str:
    for (conv, name), value in zip(params, attempt, strict=True):
        route = route.replace("{" + conv + ":" + name + "}", value, 1)
    return route
