from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    DISTRICT = "district", _("District")
    ZONE = "zone", _("Development zone")
    TOWNSHIP = "township", _("Township")
    STREET = "street", _("Street")


class LicenceState(models.TextChoices):
    LICENSED = "licensed", _("Licensed")
    UNLICENSED = "unlicensed", _("Unlicensed")


class OperatingState(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    DEREGISTERED = "deregistered", _("Deregistered")
    CLOSED_MINE = "closed_mine", _("Closed mine")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    OIL_GAS_STORAGE = "oil_gas_storage", _("Oil and gas storage")


class UnitKind(models.TextChoices):
    CITY_OFFICE = "city_office", _("City safety office")
    GOVERNMENT = "government", _("Regional government")
    DEPARTMENT = "department", _("Department")
    ENTERPRISE = "enterprise", _("Enterprise")


class PositionKind(models.TextChoices):
    TERRITORIAL_LEADER = "territorial_leader", _("Territorial leader")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    INSPECTOR = "inspector", _("Inspector")
    ENTERPRISE_PRINCIPAL = "enterprise_principal", _("Enterprise principal person")
    ENTERPRISE_SAFETY_MANAGER = "enterprise_safety_manager", _("Enterprise safety manager")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    CITY_OFFICE_STAFF = "city_office_staff", _("City safety office staff")


# Which unit kind each position belongs to; a position in the wrong kind of unit is refused.
POSITION_UNIT = {
    PositionKind.TERRITORIAL_LEADER: {UnitKind.GOVERNMENT},
    PositionKind.DEPARTMENT_HEAD: {UnitKind.DEPARTMENT},
    PositionKind.DEPARTMENT_STAFF: {UnitKind.DEPARTMENT},
    PositionKind.INSPECTOR: {UnitKind.DEPARTMENT},
    PositionKind.ENTERPRISE_PRINCIPAL: {UnitKind.ENTERPRISE},
    PositionKind.ENTERPRISE_SAFETY_MANAGER: {UnitKind.ENTERPRISE},
    PositionKind.DUTY_OFFICER: set(UnitKind),
    PositionKind.CITY_OFFICE_STAFF: {UnitKind.CITY_OFFICE},
}
