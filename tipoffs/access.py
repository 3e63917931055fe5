"""Who handles a tip-off, asked in one place: the pages, the API, the identity reader and the workflow all use these.

A report is handled by one unit at a time: its `department` (a department's inspectors, staff and head), else its
`handler_region` (that territory's government: its leader and duty officers), else the city safety office. The city
office's staff handle every report (they triage, and they approve rewards). Only handlers see the informant.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from organizations.choices import PositionKind, UnitKind
from organizations.models import Position
from organizations.roles import (
    DEPARTMENT_STAFF,
    GOVERNMENT_PUBLISHERS,
    GOVERNMENT_STAFF,
    GOVERNMENT_UNITS,
    holds_in,
    is_city_office_staff,
    member_of,
)

# Who registers a report received by phone, letter or in person: the government's staff and the territories'.
REGISTRARS = (*GOVERNMENT_STAFF, PositionKind.TERRITORIAL_LEADER, PositionKind.DUTY_OFFICER)


def may_register(actor) -> bool:
    return bool(actor.is_authenticated and holds_in(actor, GOVERNMENT_UNITS, *REGISTRARS))


def is_handler(actor, report) -> bool:
    """The city office's staff, or the staff of the unit now handling the report."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if is_city_office_staff(actor):
        return True
    if report.department_id is not None:
        return member_of(
            actor, (UnitKind.DEPARTMENT,),
            lambda u: u.department_id == report.department_id and u.holds(*DEPARTMENT_STAFF),
        )  # fmt: skip
    if report.handler_region_id is not None:
        return member_of(
            actor, (UnitKind.GOVERNMENT,),
            lambda u: u.region_id == report.handler_region_id and u.holds(*GOVERNMENT_PUBLISHERS),
        )  # fmt: skip
    return False


def handler_positions(report):
    """The positions told about the report: its unit's staff (see the module's docstring)."""
    if report.department_id is not None:
        return Position.objects.filter(
            department_id=report.department_id,
            kind__in=(PositionKind.DEPARTMENT_HEAD, PositionKind.DEPARTMENT_STAFF),
        )
    if report.handler_region_id is not None:
        return Position.objects.filter(
            unit_kind=UnitKind.GOVERNMENT, region_id=report.handler_region_id, kind__in=GOVERNMENT_PUBLISHERS
        )
    return Position.objects.filter(unit_kind=UnitKind.CITY_OFFICE, kind=PositionKind.CITY_OFFICE_STAFF)


def head_positions(report):
    """Who answers for the unit when a time limit passes: the department's head, the territory's leader, or the
    city office's staff; the notice then climbs their superiors (notifications' pass-up)."""
    if report.department_id is not None:
        return Position.objects.filter(department_id=report.department_id, kind=PositionKind.DEPARTMENT_HEAD)
    if report.handler_region_id is not None:
        return Position.objects.filter(
            unit_kind=UnitKind.GOVERNMENT, region_id=report.handler_region_id, kind=PositionKind.TERRITORIAL_LEADER
        )
    return Position.objects.filter(unit_kind=UnitKind.CITY_OFFICE, kind=PositionKind.CITY_OFFICE_STAFF)


def unit_label(report) -> str:
    """The handling unit's name."""
    if report.department_id is not None:
        return str(report.department)
    if report.handler_region_id is not None:
        return str(report.handler_region)
    return _("City safety office")
