"""Who someone is, asked in one place: the role groups of positions and the predicates every layer uses.

A check such as "the superuser or anyone of the city office" is written here once (`is_city_office`), never spelled
out in a view, a workflow or a template context; a superuser passes every predicate. What a person may *see* is
scope (`organizations.scope`); what they may *do* to an object is the owning app's workflow, built from these.
"""

from __future__ import annotations

from .choices import PositionKind, UnitKind

# --- role groups (kinds of position) -------------------------------------------------------------------------

GOVERNMENT_STAFF = (
    PositionKind.INSPECTOR,
    PositionKind.DEPARTMENT_STAFF,
    PositionKind.DEPARTMENT_HEAD,
    PositionKind.CITY_OFFICE_STAFF,
)
ENTERPRISE_STAFF = (PositionKind.ENTERPRISE_PRINCIPAL, PositionKind.ENTERPRISE_SAFETY_MANAGER)
DEPARTMENT_STAFF = (PositionKind.INSPECTOR, PositionKind.DEPARTMENT_STAFF, PositionKind.DEPARTMENT_HEAD)
SUPERVISORS = (PositionKind.DEPARTMENT_HEAD, PositionKind.CITY_OFFICE_STAFF)
# Who may issue and print official documents: the government's staff and the territorial leaders.
ISSUERS = (*GOVERNMENT_STAFF, PositionKind.TERRITORIAL_LEADER)
# Who keeps the enterprise registry: the city office, regional governments and department leaders and staff.
REGISTRY_KEEPERS = (
    PositionKind.CITY_OFFICE_STAFF,
    PositionKind.TERRITORIAL_LEADER,
    PositionKind.DEPARTMENT_HEAD,
    PositionKind.DEPARTMENT_STAFF,
)

# --- unit groups (kinds of unit a user belongs to) ------------------------------------------------------------

GOVERNMENT_UNITS = (UnitKind.CITY_OFFICE, UnitKind.GOVERNMENT, UnitKind.DEPARTMENT)
# Units that answer for a territory (people seen by their region; circulars issued).
TERRITORIAL_UNITS = (UnitKind.CITY_OFFICE, UnitKind.GOVERNMENT)
# Units that inspect and supervise industries (inspections, supervision gaps).
SUPERVISING_UNITS = (UnitKind.CITY_OFFICE, UnitKind.DEPARTMENT)


# --- predicates -----------------------------------------------------------------------------------------------


def is_city_office(user) -> bool:
    """The superuser or anyone of the city safety office (the city-wide view and the city's settings)."""
    return bool(user.is_superuser or user.unit_kind == UnitKind.CITY_OFFICE)


def is_government(user) -> bool:
    """The superuser or anyone of a government unit: the city office, a regional government or a department."""
    return bool(user.is_superuser or user.unit_kind in GOVERNMENT_UNITS)


def is_enterprise(user) -> bool:
    """Someone of an enterprise (never the superuser, who acts for the government side)."""
    return user.unit_kind == UnitKind.ENTERPRISE and not user.is_superuser


def is_supervising_unit(user) -> bool:
    """The superuser or anyone of the city office or a department (who inspect and look for supervision gaps)."""
    return member_of(user, SUPERVISING_UNITS)


def is_city_office_staff(user) -> bool:
    """The superuser or the city office's staff (who call the roll)."""
    return holds_in(user, (UnitKind.CITY_OFFICE,), PositionKind.CITY_OFFICE_STAFF)


def member_of(user, units, condition=None) -> bool:
    """The superuser, or someone of one of these kinds of unit for whom `condition(user)` holds (asked only then,
    so a costly condition such as the user's scope is computed only for members)."""
    return bool(user.is_superuser or (user.unit_kind in units and (condition is None or condition(user))))


def holds_in(user, units, *kinds: str) -> bool:
    """The superuser, or someone of one of these kinds of unit holding a current position of one of these kinds."""
    return member_of(user, units, lambda person: person.holds(*kinds))


def holds_any(user, *kinds: str) -> bool:
    """The superuser, or someone holding a current position of one of these kinds."""
    return bool(user.is_superuser or user.holds(*kinds))


def is_enterprise_staff_of(user, enterprise_id) -> bool:
    """The superuser, or the principal person or safety manager of this enterprise (its own hazards and
    self-checks)."""
    return bool(user.is_superuser or (user.enterprise_id == enterprise_id and user.holds(*ENTERPRISE_STAFF)))


# Who sends a unit's publications to enterprises (risk themes, accident lessons and their warning circulars): a
# regional government's territorial leader or duty officer, a department's head or staff, the city office's staff.
GOVERNMENT_PUBLISHERS = (PositionKind.TERRITORIAL_LEADER, PositionKind.DUTY_OFFICER)
DEPARTMENT_PUBLISHERS = (PositionKind.DEPARTMENT_HEAD, PositionKind.DEPARTMENT_STAFF)


def may_publish(user) -> bool:
    """Whether the user publishes for a unit at all (the superuser too)."""
    return bool(
        is_city_office_staff(user)
        or (user.region_id and holds_in(user, (UnitKind.GOVERNMENT,), *GOVERNMENT_PUBLISHERS))
        or (user.department_id and holds_in(user, (UnitKind.DEPARTMENT,), *DEPARTMENT_PUBLISHERS))
    )


def publishes_for(user, department_id: int | None, maker) -> bool:
    """Whether the user speaks for the unit a publication belongs to: its department's head or staff (a department's
    publication), the government of its maker's region (a government's: its leader or duty officer); the city
    office's staff for every one (and the superuser)."""
    if is_city_office_staff(user):
        return True
    if department_id is not None:
        return member_of(
            user, (UnitKind.DEPARTMENT,), lambda u: u.department_id == department_id and u.holds(*DEPARTMENT_PUBLISHERS)
        )
    return maker.unit_kind == UnitKind.GOVERNMENT and member_of(
        user, (UnitKind.GOVERNMENT,), lambda u: u.region_id == maker.region_id and u.holds(*GOVERNMENT_PUBLISHERS)
    )
