"""The offline shell (issue #21) as an inspector's phone meets it: Chromium at 390×844 in Chinese, under Chrome
DevTools' "Slow 4G" preset, against the production stack (gunicorn, whitenoise's compressed and hashed static files,
DEBUG off) on a small database of its own with the demo data.

- The first load of the finding page in a fresh browser (no cache, no service worker): every byte over the wire for
  the page and for the service worker until the worker is active and has kept the shell (target <= 300 KB
  compressed), the same uncompressed, and the HTML as sent (not compressed: no GZipMiddleware, BREACH) and gzipped.
- The time from the navigation's start to the form being usable (the performance mark `offline-form-ready` that
  static/js/offline-form.js sets with `form.dataset.ready`), median of five fresh browsers: the cold first visit,
  and the installed case (the worker and the page kept, the worker stopped as on a phone that comes back later).

The finding page (/inspections/<pk>/findings/new/, the demo inspection under way today) is measured when it exists;
otherwise the hazard form /hazards/new/, which loads the same scripts and sets the same mark; the entries name which.
BENCH_OFFLINE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/safety_bench_offline) is created if missing,
migrated and given `seed_demo`. Run alone with `bench/run.py --only offline_shell`: 75-110 s on 2 CPUs (collectstatic,
which compresses every static file, takes 50 s of it, while the database is migrated and seeded).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/safety_bench_offline"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chrome DevTools' "Slow 4G" preset: 562.5 ms latency, 1.6 Mbps down and 750 kbps up, each × 0.9 (in bytes/s).
SLOW_4G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6 * 1000 * 1000 * 0.9 / 8,
    "uploadThroughput": 750 * 1000 * 0.9 / 8,
}
RUNS = 5
SHELL_TARGET_KB = 300
READY_TARGET_MS = 1000
READY_MARK = "offline-form-ready"
PASSWORD = "demo12345"  # the demo users' (seed_demo)
WAIT_S = 60


def run(args, median, entry) -> list[dict]:
    from bench.run import ensure_database

    url = os.environ.get("BENCH_OFFLINE_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    with tempfile.TemporaryDirectory(prefix="bench-offline-") as folder:
        env = server_env(url, Path(folder))
        prepare(env, Path(folder))
        with gunicorn(env, Path(folder)) as base:
            return measure(base, open_inspection(url), entry)


def server_env(url: str, folder: Path) -> dict[str, str]:
    """Production's settings (Dockerfile, docker-compose.yml) with a throw-away key, on plain HTTP at 127.0.0.1."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="safety_platform.settings",
        DEBUG="0",
        SECRET_KEY="bench-offline-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE="0",  # no HTTPS here: secure cookies would not be sent back
        STATIC_ROOT=str(folder / "static"),
        STATICFILES_STORAGE="whitenoise.storage.CompressedManifestStaticFilesStorage",
        WHITENOISE_USE_FINDERS="0",
        VAR_DIR=str(folder / "var"),
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare(env: dict[str, str], folder: Path) -> None:
    """collectstatic (compressing every file: the slow part) while the database is migrated and seeded."""

    def manage(*command: str, log: str) -> subprocess.Popen:
        with open(folder / log, "wb") as out:
            return subprocess.Popen(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    static = manage("collectstatic", "--noinput", "-v0", log="collectstatic.log")
    for command in (("migrate", "-v0"), ("seed_demo",)):
        check(manage(*command, log=f"{command[0]}.log"), folder / f"{command[0]}.log")
    check(static, folder / "collectstatic.log")


def check(process: subprocess.Popen, log: Path) -> None:
    if process.wait() != 0:
        raise RuntimeError(f"{' '.join(map(str, process.args[1:]))} failed:\n{log.read_text(errors='replace')[-3000:]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], folder: Path):
    """The Dockerfile's command on a free loopback port, stopped (its whole process group) at the end."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = folder / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "safety_platform.wsgi", "-b", f"127.0.0.1:{port}", "-w", "4",
               "--timeout", "30"]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + WAIT_S
        while not answers(f"{base}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def open_inspection(url: str) -> int | None:
    """The demo inspection under way today led by demo-inspector (inspections/demo.py: load_demo_inspection)."""
    import psycopg2

    parsed = urlparse(url)
    connection = psycopg2.connect(host=parsed.hostname, port=parsed.port or 5432, user=parsed.username,
                                  password=parsed.password, dbname=parsed.path.lstrip("/"))  # fmt: skip
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.id FROM inspections_inspection i JOIN organizations_user u ON u.id = i.lead_id"
                " WHERE u.username = 'demo-inspector' AND i.status IN ('planned', 'in_progress')"
                " ORDER BY i.date DESC, i.id DESC LIMIT 1"
            )
            row = cursor.fetchone()
    finally:
        connection.close()
    return row[0] if row else None


def measure(base: str, inspection: int | None, entry) -> list[dict]:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread; no ORM here
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            cookies, path, label = log_in(browser, base, inspection)
            runs = [visit(browser, base, path, cookies, record=i == 0) for i in range(RUNS)]
            wire = runs[0]["requests"]
            sizes = decoded_sizes(browser, base, cookies, wire)
        finally:
            browser.close()
    return entries(label, runs, wire, sizes, entry)


def log_in(browser, base: str, inspection: int | None) -> tuple[list[dict], str, str]:
    """demo-inspector's session cookie, logged in through the login form without opening a page (a page would
    register the service worker before the first visit that is measured); and the page to measure."""
    context = browser.new_context()
    try:
        form = context.request.get(f"{base}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text()).group(1)
        done = context.request.post(
            f"{base}/accounts/login/",
            form={"csrfmiddlewaretoken": token, "username": "demo-inspector", "password": PASSWORD},
            headers={"Referer": f"{base}/accounts/login/"},
        )
        if urlparse(done.url).path != "/":
            raise RuntimeError(f"demo-inspector could not log in (ended at {done.url}): run seed_demo")
        path, label = "/hazards/new/", "hazard form (/hazards/new/; the finding page is not there)"
        if inspection is not None:
            finding = f"/inspections/{inspection}/findings/new/"
            if context.request.get(f"{base}{finding}", max_redirects=0).status == 200:
                path, label = finding, "finding page"
        for _ in range(12):  # every gunicorn worker has rendered the page once: a server in use is warm
            if context.request.get(f"{base}{path}", max_redirects=0).status != 200:
                raise RuntimeError(f"{path} does not answer 200 for demo-inspector")
        return context.storage_state()["cookies"], path, label
    finally:
        context.close()


class SlowNetwork:
    """Slow 4G on the page's own requests and on those of any service worker started for it: the page's CDP
    session attaches to its workers before they run (waitForDebuggerOnStart), throttles them, then lets them go.
    The worker's script (/sw.js) is fetched by the browser before the worker exists, so only that one request of
    the worker may go unthrottled."""

    def __init__(self, context, page):
        self.session = context.new_cdp_session(page)
        self.workers = 0
        self.ids = 0
        self.session.on("Target.attachedToTarget", self.attached)
        self.session.send("Network.enable")
        self.session.send("Network.emulateNetworkConditions", SLOW_4G)
        self.session.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True,
                                                   "flatten": False})  # fmt: skip

    def attached(self, event):
        session = event["sessionId"]
        if event["targetInfo"]["type"] == "service_worker":
            self.tell(session, "Network.enable")
            self.tell(session, "Network.emulateNetworkConditions", SLOW_4G)
            self.workers += 1
        self.tell(session, "Runtime.runIfWaitingForDebugger")

    def tell(self, session: str, method: str, params: dict | None = None):
        self.ids += 1
        message = json.dumps({"id": self.ids, "method": method, "params": params or {}})
        self.session.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})

    def stop_workers(self):
        self.session.send("ServiceWorker.enable")
        self.session.send("ServiceWorker.stopAllWorkers")


def visit(browser, base: str, path: str, cookies: list[dict], record: bool) -> dict:
    """A fresh browser: the cold first visit (and, if `record`, every request until the shell is kept); then the page
    is kept by the worker (one visit under it, network first), the worker is stopped and the page opened again."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  storage_state={"cookies": cookies, "origins": []})  # fmt: skip
    try:
        page = context.new_page()
        network = SlowNetwork(context, page)
        requests: list[dict] = []

        def finished(request):
            requests.append(wire_size(request))

        if record:
            context.on("requestfinished", finished)
        start = time.monotonic()
        page.goto(f"{base}{path}", wait_until="commit")
        cold = ready_ms(page)
        kept = poll(page, SHELL_READY, "the service worker to control the page with the shell kept")
        installed_s = time.monotonic() - start
        if record:
            quiet(page, requests)
            context.remove_listener("requestfinished", finished)
            for request in requests:
                request["after_shell"] = after_shell(request, set(kept))
        page.goto(f"{base}{path}", wait_until="commit")  # now through the worker, which keeps the page
        ready_ms(page)
        poll(page, PAGE_KEPT, "the worker to keep the page", path)
        network.stop_workers()
        page.goto("about:blank")
        page.goto(f"{base}{path}", wait_until="commit")
        again = ready_ms(page)
        return {"cold_ms": cold, "installed_ms": again, "shell_s": installed_s, "requests": requests,
                "workers": network.workers}  # fmt: skip
    finally:
        context.close()


# Polled with page.evaluate: the site's CSP forbids eval, which page.wait_for_function with a string needs.
READY = f"""() => {{
  const mark = performance.getEntriesByName("{READY_MARK}")[0];
  const form = document.querySelector("form[data-offline]");
  return mark && form && form.dataset.ready === "1" ? mark.startTime : null;
}}"""
SHELL_READY = """async () => {
  if (!navigator.serviceWorker.controller) { return false; }
  const names = (await caches.keys()).filter((name) => name.startsWith("shell-"));
  if (names.length !== 1) { return false; }
  const kept = (await (await caches.open(names[0])).keys()).map((request) => request.url);
  return kept.length ? kept : false;
}"""
PAGE_KEPT = """async (path) => !!(await (await caches.open("pages")).match(path))"""


def poll(page, script: str, what: str, arg=None):
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        try:
            value = page.evaluate(script, arg)
        except Exception as error:  # the document is being replaced
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
            value = None
        if value:
            return value
        page.wait_for_timeout(20)  # lets Playwright deliver events (the worker's attach) meanwhile
    raise RuntimeError(f"timed out after {WAIT_S} s waiting for {what}")


def quiet(page, requests: list[dict], still_s: float = 1.5, bound_s: float = 20) -> None:
    """Wait until no request has finished for `still_s` (what offline.js asks for once the worker is ready)."""
    deadline = time.monotonic() + bound_s
    count, since = len(requests), time.monotonic()
    while time.monotonic() - since < still_s and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        if len(requests) != count:
            count, since = len(requests), time.monotonic()


def ready_ms(page) -> float:
    """Milliseconds from the navigation's start (performance.timeOrigin) to the form's readiness mark."""
    return poll(page, READY, "the form to be ready")


def wire_size(request) -> dict:
    """Bytes over the wire: headers and body as received (compressed when compressed), 0 from a cache. Chromium
    reports the worker's own script without its body: its Content-Length is added then."""
    sizes = request.sizes()
    response = request.response()
    headers = response.headers if response else {}
    wire = sizes["responseHeadersSize"] + sizes["responseBodySize"]
    length = int(headers.get("content-length") or 0)
    if wire > 0 and sizes["responseBodySize"] < length:
        wire = sizes["responseHeadersSize"] + length
    return {
        "url": request.url,
        "worker": request.service_worker is not None,
        "status": response.status if response else 0,
        "wire": max(wire, 0),
        "headers": sizes["responseHeadersSize"],
        "encoding": headers.get("content-encoding", ""),
        "html": headers.get("content-type", "").startswith("text/html"),
        "ms": request.timing["responseEnd"],  # from the request's start: >= 562.5 when throttled
    }


def after_shell(request: dict, shell: set[str]) -> bool:
    """What offline.js asks for once the worker is ready (the list of the inspector's pages, which the worker then
    fetches and keeps): not the shell, which is the page with what it loads, and the worker with what it precaches."""
    path = urlparse(request["url"]).path
    if request["worker"]:
        return path != "/sw.js" and request["url"] not in shell
    return path == "/inspections/offline-pages/"


def decoded_sizes(browser, base: str, cookies: list[dict], requests: list[dict]) -> dict[str, tuple[int, int]]:
    """Each address's body uncompressed and gzipped (level 6, as Django's GZipMiddleware would), fetched again
    outside the browser, not throttled."""
    context = browser.new_context(storage_state={"cookies": cookies, "origins": []})
    sizes = {}
    try:
        for url in {r["url"] for r in requests if r["wire"]}:
            body = context.request.get(url, max_redirects=0).body()
            sizes[url] = (len(body), len(gzip.compress(body, compresslevel=6, mtime=0)))
        return sizes
    finally:
        context.close()


def entries(label: str, runs: list[dict], wire: list[dict], sizes: dict[str, int], entry) -> list[dict]:
    shell = [r for r in wire if r["wire"] and not r["after_shell"]]
    later = [r for r in wire if r["wire"] and r["after_shell"]]
    compressed = sum(r["wire"] for r in shell) / 1000
    plain = sum(r["headers"] + sizes[r["url"]][0] for r in shell) / 1000
    html = [r for r in shell if r["html"]]
    html_sent = sum(r["wire"] for r in html) / 1000
    html_gzip = sum(r["headers"] + sizes[r["url"]][1] for r in html) / 1000
    encodings = "/".join(sorted({r["encoding"] for r in shell if r["encoding"]})) or "none"
    throttled = "page and worker" if all(r["workers"] for r in runs) else "page only (no worker attached)"
    cold = statistics.median(r["cold_ms"] for r in runs)
    again = statistics.median(r["installed_ms"] for r in runs)
    shell_s = statistics.median(r["shell_s"] for r in runs)
    for r in runs:
        print(f"offline shell run: cold {r['cold_ms']:.0f} ms, installed {r['installed_ms']:.0f} ms, shell kept after "
              f"{r['shell_s']:.1f} s")  # fmt: skip
    for r in wire:
        print(f"  {'worker' if r['worker'] else 'page  '} {r['status']} {r['wire']:>7} B {r['ms']:>6.0f} ms "
              f"{r['encoding'] or '-':<5} "
              f"{'(after the shell) ' if r['after_shell'] else ''}{r['url']}")  # fmt: skip
    name = f"offline shell, {label}, Slow 4G"
    results = [
        entry(
            f"{name}: first load over the wire until the shell is kept (compressed: {encodings}; requests of "
            f"the page and of the service worker)",
            compressed,
            "KB",
            f"<= {SHELL_TARGET_KB}",
            compressed <= SHELL_TARGET_KB,
        ),  # fmt: skip
        entry(f"{name}: the same first load uncompressed", plain, "KB", "info", True),
        entry(
            f"{name}: of which HTML as sent (not compressed: no GZipMiddleware, BREACH)", html_sent, "KB", "info", True
        ),  # fmt: skip
        entry(f"{name}: that HTML if it were gzipped", html_gzip, "KB", "info", True),
        entry(f"{name}: requests of the first load", len(shell), "requests", "info", True),
    ]
    if later:
        results.append(entry(f"{name}: after the shell until the network is quiet (offline.js asks for the "
                             f"inspector's pages to keep)",
                             sum(r["wire"] for r in later) / 1000, "KB", "info", True))  # fmt: skip
    results += [
        entry(
            f"{name} ({throttled} throttled): the shell kept, from the navigation's start (median of {RUNS})",
            shell_s * 1000,
            "ms",
            "info",
            True,
        ),  # fmt: skip
        entry(
            f"{name}: form usable after navigation start, cold first visit (no worker; median of {RUNS})",
            cold,
            "ms",
            "info (>= 2 latencies)",
            True,
        ),  # fmt: skip
        entry(
            f"{name}: form usable after navigation start, installed (worker and page kept, worker stopped; "
            f"median of {RUNS})",
            again,
            "ms",
            f"<= {READY_TARGET_MS}",
            again <= READY_TARGET_MS,
        ),  # fmt: skip
    ]
    return results
