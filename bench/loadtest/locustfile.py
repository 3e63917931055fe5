"""The load test's users, one class per role, over the API with token auth (`bench/loadtest/run.py` starts locust
with it; see docs/benchmarks.md, "Load").

- `HeadReader`: the read mix the saturation is measured with — a department head's hazard lists (filters: status,
  level, district, overdue, several at once; now and then the next page), hazard details, enterprise lists,
  notifications, and the dashboard in 2 % of requests.
- The full mix (at least 8 users: 2 inspectors, 2 enterprises, 1 city office, department heads for the rest)
  adds writes by every role, which keep one another going: `Inspector`s file findings with a small
  photo on their inspection under way, the `DepartmentHead` confirms reported hazards and accepts rectified ones,
  the `Enterprise` submits a plan for its confirmed hazards and a rectification for those under rectification, and
  the `CityOffice` watches the dashboard and the city-wide list and starts a ledger export now and then.

LOADTEST_ACCOUNTS names the JSON written by the driver: `accounts` (bench/loadtest/prepare.py) and `tokens`.
LOADTEST_USER_RATE (tasks per second per user) turns the closed loop into a constant throughput (`constant_throughput`).

Every answer is judged here: an expected status is a success; 503 with `Retry-After` is a failure named
`RETRY_AFTER` (the server refusing on purpose), 409 on a write a failure named `CONFLICT` (two users acting on the
same hazard), anything else a failure named by its status. The driver counts failures by those names.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import uuid
from datetime import date, timedelta
from urllib.parse import quote

from locust import FastHttpUser, constant, constant_throughput
from urllib3 import encode_multipart_formdata

RETRY_AFTER = "503 with Retry-After"
CONFLICT = "409 conflict"
API = "/api/v1"
# Every write acts on hazards the load test filed (their titles carry MARK), never on the bulk data.
MARK = "负载测试"
STATUSES = ("reported", "confirmed", "rectifying", "awaiting_acceptance", "closed")


def load_accounts() -> dict:
    path = os.environ.get("LOADTEST_ACCOUNTS")
    if not path:
        return {"accounts": {}, "tokens": {}}
    with open(path, encoding="utf-8") as file:
        return json.load(file)


DATA = load_accounts()
ACCOUNTS, TOKENS = DATA["accounts"], DATA["tokens"]
RATE = float(os.environ.get("LOADTEST_USER_RATE") or 0)


def small_jpeg() -> bytes:
    """A 320×240 photo as a phone's would be after the app shrinks it: some texture, a few KB."""
    from PIL import Image

    rng = random.Random(1)
    image = Image.new("RGB", (320, 240))
    image.putdata([(rng.randrange(256), 96, 128) for _ in range(320 * 240)])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


PHOTO = small_jpeg()


def judge(response, ok: tuple[int, ...]) -> None:
    """Mark a `catch_response` answer as success or as a failure named by its kind (see the module's text)."""
    status = response.status_code
    if status in ok:
        response.success()
    elif status == 503 and response.headers.get("Retry-After"):
        response.failure(RETRY_AFTER)
    elif status == 409:
        response.failure(CONFLICT)
    elif status == 400:
        response.failure(f"HTTP 400 {(response.text or '')[:200]}")
    else:
        response.failure(f"HTTP {status}")


TAKEN = itertools.count()


def take(accounts: list[dict]) -> dict:
    """The accounts in turn, so that each inspector and each enterprise of the prepare step is someone."""
    return accounts[next(TAKEN) % len(accounts)]


class ApiUser(FastHttpUser):
    abstract = True
    username = ""
    wait_time = constant_throughput(RATE) if RATE else constant(0)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Token {TOKENS[self.username]}", "Accept-Language": "zh-hans"}
        self.ids: list[int] = []

    def call(self, method: str, path: str, name: str, ok=(200,), body=None, multipart=None):
        """One request; answers the decoded JSON on success, else None."""
        headers = dict(self.headers)
        kwargs = {}
        if body is not None:
            headers["Content-Type"] = "application/json"
            kwargs["data"] = json.dumps(body)
        elif multipart is not None:
            data, content_type = encode_multipart_formdata(multipart)
            headers["Content-Type"] = content_type
            kwargs["data"] = data
        with self.client.request(method, path, name=name, headers=headers, catch_response=True, **kwargs) as answer:
            judge(answer, ok)
            if answer.status_code in ok and answer.text:
                try:
                    return answer.json()
                except ValueError:
                    answer.failure("not JSON")
        return None


def next_path(url: str) -> str:
    """The path and query of an absolute `next` link."""
    return "/" + url.split("://", 1)[-1].partition("/")[2]


# --- the department head's reads (the read mix) ---------------------------------------------------------------


def hazard_list(user: ApiUser) -> None:
    region = random.choice(ACCOUNTS["regions"]) if ACCOUNTS.get("regions") else None
    choice = random.random()
    if choice < 0.3:
        query, name = "", "hazards: list"
    elif choice < 0.55:
        query, name = f"&status={random.choice(STATUSES)}", "hazards: list by status"
    elif choice < 0.7 and region:
        query, name = f"&region={region}", "hazards: list by district"
    elif choice < 0.85:
        query, name = "&is_overdue=true", "hazards: list overdue"
    else:
        query = f"&status={random.choice(STATUSES[1:4])}&level=general" + (f"&region={region}" if region else "")
        name = "hazards: list, three filters"
    page = user.call("GET", f"{API}/hazards/?page_size=50{query}", name) or {}
    results = page.get("results") or []
    if results:
        user.ids = [row["id"] for row in results]
    if page.get("next") and random.random() < 0.15:
        user.call("GET", next_path(page["next"]), "hazards: next page")


def hazard_detail(user: ApiUser) -> None:
    if not user.ids:  # the first page of whatever the user sees (an enterprise sees no other district)
        page = user.call("GET", f"{API}/hazards/?page_size=50", "hazards: list") or {}
        user.ids = [row["id"] for row in page.get("results") or []]
    if user.ids:
        user.call("GET", f"{API}/hazards/{random.choice(user.ids)}/", "hazards: detail")


def enterprise_list(user: ApiUser) -> None:
    region = random.choice(ACCOUNTS["regions"]) if ACCOUNTS.get("regions") and random.random() < 0.4 else None
    page = user.call("GET", f"{API}/enterprises/?page_size=50" + (f"&region={region}" if region else ""),
                     "enterprises: list")  # fmt: skip
    if page and page.get("next") and random.random() < 0.15:
        user.call("GET", next_path(page["next"]), "enterprises: next page")


def notifications(user: ApiUser) -> None:
    user.call("GET", f"{API}/notifications/", "notifications: mine")


def dashboard(user: ApiUser) -> None:
    user.call("GET", f"{API}/dashboard/", "dashboard")


# Weights out of 100 tasks: the dashboard is 2 % of the tasks (a little less of the requests, as a list sometimes
# follows its next page).
READS = {hazard_list: 40, hazard_detail: 26, enterprise_list: 16, notifications: 16, dashboard: 2}


class HeadReader(ApiUser):
    """The read mix alone: the saturation throughput is measured with it."""

    weight = 70
    tasks = READS

    def on_start(self) -> None:
        self.username = ACCOUNTS["head"]
        super().on_start()


# --- the full mix's writes ---------------------------------------------------------------------------------------


def enterprise_hazards(user: ApiUser, enterprise: int, status: str) -> list[dict]:
    page = user.call("GET", f"{API}/hazards/?page_size=10&enterprise={enterprise}&status={status}&q={quote(MARK)}",
                     "hazards: list of one enterprise by status")  # fmt: skip
    return (page or {}).get("results") or []


def confirm(user: ApiUser) -> None:
    enterprise = random.choice(ACCOUNTS["enterprises"])["enterprise"]
    for hazard in enterprise_hazards(user, enterprise, "reported")[:1]:
        deadline = (date.today() + timedelta(days=30)).isoformat()
        user.call("POST", f"{API}/hazards/{hazard['id']}/confirm/", "hazards: confirm", body={"deadline": deadline})


def accept(user: ApiUser) -> None:
    enterprise = random.choice(ACCOUNTS["enterprises"])["enterprise"]
    for hazard in enterprise_hazards(user, enterprise, "awaiting_acceptance")[:1]:
        user.call("POST", f"{API}/hazards/{hazard['id']}/accept/", "hazards: accept", body={"comment": "已复核"})


class DepartmentHead(ApiUser):
    """The read mix, and moving the bench enterprises' hazards: confirming what was found, accepting what was fixed."""

    weight = 70
    tasks = {**READS, confirm: 4, accept: 3}

    def on_start(self) -> None:
        self.username = ACCOUNTS["head"]
        super().on_start()


class Inspector(ApiUser):
    """Files findings with a photo on the inspection under way, and looks at what was filed."""

    fixed_count = 2  # locust starts these first, then shares the other users out by weight

    def on_start(self) -> None:
        mine = take(ACCOUNTS["inspectors"])
        self.username, self.inspection = mine["username"], mine["inspection"]
        super().on_start()

    def file_finding(self) -> None:
        fields = {
            "title": f"{MARK}：消防通道堆放杂物 {random.randrange(10**6)}",
            "place": random.choice(("一号车间东侧", "仓库北门", "配电室", "锅炉房")),
            "category": random.choice(ACCOUNTS["categories"]),
            "level": "general",
            "description": "检查中发现，现场拍照。",
            "idempotency_key": str(uuid.uuid4()),
            "photos": ("finding.jpg", PHOTO, "image/jpeg"),
        }
        found = self.call("POST", f"{API}/inspections/{self.inspection}/findings/", "inspections: file a finding",
                          ok=(201,), multipart=fields)  # fmt: skip
        if found:
            self.ids = [found["id"], *self.ids][:20]

    def findings(self) -> None:
        self.call("GET", f"{API}/inspections/{self.inspection}/findings/", "inspections: findings")

    def my_queue(self) -> None:
        self.call("GET", f"{API}/me/queue/", "me: queue")

    tasks = {file_finding: 4, findings: 3, hazard_detail: 3, my_queue: 2}


class Enterprise(ApiUser):
    """An enterprise's principal: a plan for each confirmed hazard, a rectification for each under way."""

    fixed_count = 2

    def on_start(self) -> None:
        mine = take(ACCOUNTS["enterprises"])
        self.username, self.enterprise = mine["username"], mine["enterprise"]
        super().on_start()

    def submit_plan(self) -> None:
        for hazard in enterprise_hazards(self, self.enterprise, "confirmed")[:1]:
            deadline = (hazard.get("deadline") or (date.today() + timedelta(days=20)).isoformat())[:10]
            plan = {"responsible_person": "张安全", "measures": "清理通道，设置警示标识。", "funds": "2000.00",
                    "deadline": deadline, "contingency_plan": "整改期间专人看守。"}  # fmt: skip
            self.call("POST", f"{API}/hazards/{hazard['id']}/submit_plan/", "hazards: submit plan", body=plan)

    def submit_rectification(self) -> None:
        for hazard in enterprise_hazards(self, self.enterprise, "rectifying")[:1]:
            self.call("POST", f"{API}/hazards/{hazard['id']}/submit_rectification/", "hazards: submit rectification",
                      body={"description": "已清理完毕，现场复查无杂物。"})  # fmt: skip

    def own_list(self) -> None:
        page = self.call("GET", f"{API}/hazards/?page_size=50", "hazards: enterprise's own list") or {}
        self.ids = [row["id"] for row in page.get("results") or []]

    tasks = {submit_plan: 3, submit_rectification: 3, own_list: 3, hazard_detail: 2, notifications: 2}


class CityOffice(ApiUser):
    """The city office: the dashboard, the city-wide list, and now and then a ledger export (run by the worker)."""

    fixed_count = 1

    def on_start(self) -> None:
        self.username = ACCOUNTS["city"]
        super().on_start()

    def export(self) -> None:
        filters = {"status": "closed", "level": ["major"]}
        if ACCOUNTS.get("regions"):
            filters["region"] = random.choice(ACCOUNTS["regions"])
        job = self.call("POST", f"{API}/exports/", "exports: start", ok=(200, 201, 202),
                        body={"format": "csv", "filters": filters})  # fmt: skip
        if job and job.get("id"):
            self.call("GET", f"{API}/exports/{job['id']}/", "exports: poll")

    tasks = {hazard_list: 6, dashboard: 2, export: 1, notifications: 1}
