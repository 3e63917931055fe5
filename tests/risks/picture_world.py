"""Risk points for the four-colour picture's tests, and the points list's filter semantics they are held to."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

from organizations.models import Region
from risks.models import RiskPoint

from ..factories import EnterpriseFactory
from .factories import make_point


def seed_points(world) -> dict:
    """海滨化工 (海滨街道, chemicals, a key unit): 2 red (罐区), orange and blue (仓库); 新城建设 (新城街道,
    construction): 2 yellow and a red; 新城矿业 (mining): orange; 海滨储能 (no department's industry): blue; an
    enterprise filed at the city itself: yellow."""
    world.e1.is_key_unit = True
    world.e1.save(update_fields=["is_key_unit"])
    at_city = EnterpriseFactory(name="滨海市直属企业", region=world.city, industry=world.chem)
    return {
        "e1": [make_point(world.e1, "red", place="罐区"), make_point(world.e1, "red", place="罐区"),
               make_point(world.e1, "orange", place="仓库"), make_point(world.e1, "blue", place="仓库")],
        "e2": [make_point(world.e2, "yellow"), make_point(world.e2, "yellow"), make_point(world.e2, "red")],
        "e3": [make_point(world.e3, "orange")],
        "e4": [make_point(world.e4, "blue")],
        "city": [make_point(at_city, "yellow")],
    }  # fmt: skip


def list_count(user, query: str) -> int:
    """How many points the points list (/risks/) shows for this query: its filters' semantics (region: the subtree
    by region_path; department: the stored department_id; industry: industry_id; enterprise; colour; key_unit=1)."""
    params = dict(parse_qsl(query))
    points = RiskPoint.objects.visible_to(user)
    if "region" in params:
        points = points.filter(region_path__startswith=Region.objects.get(pk=params.pop("region")).path)
    fields = {"department": "department_id", "industry": "industry_id", "enterprise": "enterprise_id",
              "colour": "colour"}  # fmt: skip
    for key, field in fields.items():
        if key in params:
            points = points.filter(**{field: params.pop(key)})
    if params.pop("key_unit", None) == "1":
        points = points.filter(enterprise__is_key_unit=True)
    assert not params, f"a filter the list does not take: {params}"
    return points.count()


LINK = re.compile(r'<a href="(/risks/\?[^"]*)">(\d+)</a>')
SVG_LINK = re.compile(r'<a href="(/risks/\?[^"]*)"><rect [^>]*><title>[^<]*[:：] ?(\d+)</title>')


def linked_numbers(page: str, pattern=LINK) -> list[tuple[str, int]]:
    return [(urlsplit(unescape(href)).query, int(n)) for href, n in pattern.findall(page)]
