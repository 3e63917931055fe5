"""Who someone is is asked in `organizations/roles.py` only: no view, API, admin or report spells out "the superuser
or someone of such a unit" again (issue #13), nor compares a unit kind with a bare string."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "migrations", "node_modules", "var", "artifacts", ".git"}
HOME = ROOT / "organizations" / "roles.py"


def sources():
    for path in sorted(ROOT.rglob("*.py")):
        if path != HOME and not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


def attributes(node: ast.AST) -> set[str]:
    return {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}


def spelled_out_roles(tree: ast.AST) -> list[int]:
    """Lines of `x.is_superuser or ... x.unit_kind ...` (in either order), and of a unit kind compared with a
    string literal such as "city_office"."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            alone = [v for v in node.values if isinstance(v, ast.Attribute) and v.attr == "is_superuser"]
            if alone and any("unit_kind" in attributes(v) for v in node.values):
                found.append(node.lineno)
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr == "unit_kind" for s in sides) and any(
                isinstance(s, ast.Constant) and isinstance(s.value, str) and s.value for s in sides
            ):
                found.append(node.lineno)
    return found


def test_the_spelled_out_checks_are_found():
    """The detector itself: it sees the forms this test forbids, and passes the predicates."""
    bad = [
        "ok = user.is_superuser or user.unit_kind == UnitKind.CITY_OFFICE",
        "ok = (user.unit_kind in (A, B) or user.is_superuser)",
        'ok = user.is_superuser or (user.unit_kind in UNITS and user.holds("x"))',
        'ok = user.unit_kind == "city_office"',
    ]
    for line in bad:
        assert spelled_out_roles(ast.parse(line)), line
    assert not spelled_out_roles(ast.parse("ok = is_city_office(user) or user.unit_kind == UnitKind.ENTERPRISE"))


def test_roles_are_asked_only_in_roles_py():
    """GIVEN the project's source (tests and migrations aside) THEN no role check is spelled out outside
    `organizations/roles.py`: use its predicates (`is_city_office`, `is_government`, `member_of`, ...)."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sources()
        for line in spelled_out_roles(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == [], "use the predicates of organizations/roles.py"
