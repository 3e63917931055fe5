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

# --- unit groups (kinds of unit a user belongs to) ------------------------------------------------------------

GOVERNMENT_UNITS = (UnitKind.CITY_OFFICE, UnitKind.GOVERNMENT, UnitKind.DEPARTMENT)


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


def holds_any(user, *kinds: str) -> bool:
    """The superuser, or someone holding a current position of one of these kinds."""
    return bool(user.is_superuser or user.holds(*kinds))


def is_enterprise_staff_of(user, enterprise_id) -> bool:
    """The superuser, or the principal person or safety manager of this enterprise (its own hazards and
    self-checks)."""
    return bool(user.is_superuser or (user.enterprise_id == enterprise_id and user.holds(*ENTERPRISE_STAFF)))
