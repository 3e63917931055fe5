"""The import graph of the platform's own code has no cycle (issue #13; docs/architecture.md, "Layers").

import-linter (`make lint`) holds the layers and the independence of the domain apps; its `acyclic_siblings`
contract sees cycles between the direct children of a package only. This test is stricter: it builds the whole
graph with grimp (import-linter's own library; imports inside functions count, `if TYPE_CHECKING:` ones do not)
and finds every strongly connected set of modules. Tests and migrations are outside the graph."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "safety_platform",
    "audit",
    "workdays",
    "organizations",
    "notifications",
    "hazards",
    "inspections",
    "duty_roster",
    "dashboards",
    "work",
    "ops",
)


def import_graph() -> dict[str, set[str]]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    modules = {m for m in graph.modules if ".migrations" not in m}
    return {m: {d for d in graph.find_modules_directly_imported_by(m) if d in modules} for m in modules}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(root: str) -> None:
        nonlocal counter
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_the_finder_finds_a_cycle():
    # The test can fail: a cycle of three and a self-import are found, a chain is not.
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_the_platform():
    edges = import_graph()
    assert len(edges) > 150  # the graph really holds the platform
    assert cycles(edges) == []


WRITES_HAZARD_EVENT = re.compile(r"(?<!class )HazardEvent\(|HazardEvent\.objects\.(bulk_)?create")


def test_the_hazard_timeline_has_one_writer():
    assert WRITES_HAZARD_EVENT.search("HazardEvent.objects.create(") and WRITES_HAZARD_EVENT.search("x = HazardEvent(")
    assert not WRITES_HAZARD_EVENT.search("class HazardEvent(models.Model):")
    # docs/architecture.md, "One writer per state change": a HazardEvent is built and written in hazards/events.py
    # only; every other module calls it (the workflow package, the escalation sweep, an answered notice).
    writers = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "var/")) or "/migrations/" in relative:
            continue
        text = path.read_text(encoding="utf-8")
        if WRITES_HAZARD_EVENT.search(text):
            writers.append(relative)
    assert sorted(writers) == ["hazards/events.py"]
