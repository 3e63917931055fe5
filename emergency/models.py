"""Emergency readiness: supplies (warehouses, catalogue, stock, moves, allocation) and rescue teams (readiness,
pre-positioned forces). See docs/emergency-supplies.md and docs/emergency-rescue.md."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.choices import UnitKind
from organizations.models import Department, Region, phone_validator
from organizations.scope import Scope, ScopedQuerySet, ScopeFields, ScopeKind

from .rescue_choices import Readiness, TeamKind

# --- supplies ---
# Warehouses, the catalogue, stock and its moves, allocation plans and requests (docs/emergency-supplies.md).
# The workflow that changes them is `emergency/supplies.py`; nothing else writes these rows.

ZERO = Decimal(0)
QUANTITY = {"max_digits": 14, "decimal_places": 2}


class SuppliesQuerySet(ScopedQuerySet):
    """Supplies belong to the unit that keeps them, not to the industries it supervises: their scope fields say
    `own_department`, so a department sees only its own rows. A territory sees its subtree, the city office
    everything, an enterprise nothing."""


class Warehouse(models.Model):
    """An emergency supplies warehouse (应急物资储备库), owned by the city office, a regional government or a
    department; a government's warehouse stands in its own region."""

    OWNERS = [(k.value, k.label) for k in (UnitKind.CITY_OFFICE, UnitKind.GOVERNMENT, UnitKind.DEPARTMENT)]

    name = models.CharField(_("name"), max_length=100)
    owner_kind = models.CharField(_("owning unit"), max_length=16, choices=OWNERS)
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    region_path = models.CharField(_("region path"), max_length=255, editable=False)
    address = models.CharField(_("address"), max_length=200)
    keeper_name = models.CharField(_("keeper"), max_length=50)
    keeper_phone = models.CharField(_("keeper's phone"), max_length=30, validators=[phone_validator])
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # The day its owning unit was last told of its alerts (the daily notice, `supplies_alerts.sweep`): once a day.
    alerted_on = models.DateField(_("alerts last told on"), null=True, blank=True, editable=False)

    objects = SuppliesQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", department="department_id", own_department=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["region_path", "name", "id"]
        indexes = [models.Index(fields=["region_path"], name="warehouse_region", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_kind=UnitKind.DEPARTMENT, department__isnull=False)
                | (~Q(owner_kind=UnitKind.DEPARTMENT) & Q(department__isnull=True)),
                name="warehouse_department_iff_owned_by_one",
            ),
            models.UniqueConstraint(fields=["region", "name"], name="one_warehouse_name_per_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)

    @property
    def owner(self) -> str:
        """The owning unit's name."""
        if self.department_id:
            return str(self.department)
        return str(self.region) if self.owner_kind == UnitKind.GOVERNMENT else str(UnitKind.CITY_OFFICE.label)


class SupplyItem(models.Model):
    """An item of the supplies catalogue (物资目录): shared by every warehouse, seen by every government unit."""

    class Category(models.TextChoices):
        FLOOD = "flood", _("Flood control")
        FIRE = "fire", _("Fire fighting")
        CHEMICAL = "chemical", _("Hazardous chemicals")
        RESCUE = "rescue", _("Rescue equipment")
        LIVING = "living", _("Living supplies")
        MEDICAL = "medical", _("Medical")
        OTHER = "other", pgettext_lazy("supplies", "Other")

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit of measure"), max_length=20)
    specification = models.CharField(_("specification"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields()  # the government's: every government unit sees the catalogue

    class Meta:
        verbose_name = _("supply item")
        verbose_name_plural = _("supply items")
        ordering = ["category", "name", "specification", "id"]
        constraints = [models.UniqueConstraint(fields=["name", "specification"], name="one_item_per_name_and_spec")]

    def __str__(self) -> str:
        return f"{self.name}（{self.specification}）" if self.specification else self.name


class StockQuerySet(SuppliesQuerySet):
    def below_minimum(self) -> StockQuerySet:
        """Stock under its minimum (低于最低储备)."""
        return self.filter(quantity__lt=F("minimum"))

    def expiring(self, within_days: int | None = None) -> StockQuerySet:
        """Stock held whose expiry date falls within `within_days` (SUPPLY_EXPIRY_DAYS) from today, or has passed."""
        days = settings.SUPPLY_EXPIRY_DAYS if within_days is None else within_days
        return self.filter(quantity__gt=0, expires_on__lte=timezone.localdate() + timedelta(days=days))

    def alerts(self, within_days: int | None = None) -> StockQuerySet:
        """Below minimum or expiring: what the daily notice and the alert list show."""
        days = settings.SUPPLY_EXPIRY_DAYS if within_days is None else within_days
        soon = timezone.localdate() + timedelta(days=days)
        return self.filter(Q(quantity__lt=F("minimum")) | Q(quantity__gt=0, expires_on__lte=soon))


class Stock(models.Model):
    """What one warehouse holds of one item: one row per warehouse and item (the quantity of all its batches), with
    the minimum to keep and the dates of the batch that expires first."""

    warehouse = models.ForeignKey(Warehouse, models.PROTECT, related_name="stock", verbose_name=_("warehouse"))
    item = models.ForeignKey(
        SupplyItem, models.PROTECT, related_name="stock", verbose_name=pgettext_lazy("supplies", "item")
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY, default=ZERO, validators=[MinValueValidator(ZERO)])
    minimum = models.DecimalField(_("minimum stock"), **QUANTITY, default=ZERO, validators=[MinValueValidator(ZERO)])
    produced_on = models.DateField(_("production date"), null=True, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = StockQuerySet.as_manager()
    scope_fields = ScopeFields(
        region="warehouse__region_path", department="warehouse__department_id", own_department=True
    )

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["warehouse", "item__category", "item__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "item"], name="one_stock_row_per_warehouse_item"),
            # The last line behind the workflow's row lock: the database itself refuses a negative quantity.
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_quantity_not_negative"),
            models.CheckConstraint(condition=Q(minimum__gte=0), name="stock_minimum_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} {self.item}"

    @property
    def below_minimum(self) -> bool:
        return self.quantity < self.minimum

    @property
    def expiring(self) -> bool:
        soon = timezone.localdate() + timedelta(days=settings.SUPPLY_EXPIRY_DAYS)
        return bool(self.quantity > 0 and self.expires_on and self.expires_on <= soon)


class AllocationPlan(models.Model):
    """An allocation plan (调拨方案) for a scenario: which warehouses send which items where. Prepared by the city
    office or a department; a plan moves nothing by itself."""

    name = models.CharField(_("scenario"), max_length=100)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region concerned"))
    region_path = models.CharField(_("region path"), max_length=255, editable=False)
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("prepared by department")
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)

    objects = SuppliesQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", department="department_id", own_department=True)

    class Meta:
        verbose_name = _("allocation plan")
        verbose_name_plural = _("allocation plans")
        ordering = ["-prepared_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class AllocationPlanLine(models.Model):
    """One line of a plan: from a warehouse, an item and quantity, to a place (and its region)."""

    plan = models.ForeignKey(AllocationPlan, models.CASCADE, related_name="lines", verbose_name=_("allocation plan"))
    warehouse = models.ForeignKey(Warehouse, models.PROTECT, related_name="+", verbose_name=_("from warehouse"))
    item = models.ForeignKey(
        SupplyItem, models.PROTECT, related_name="+", verbose_name=pgettext_lazy("supplies", "item")
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    destination = models.CharField(pgettext_lazy("supplies", "to"), max_length=200)
    destination_region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("destination region")
    )

    class Meta:
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        ordering = ["plan", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="plan_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class AllocationRequestQuerySet(SuppliesQuerySet):
    def visible_to(self, user) -> models.QuerySet:
        """Who asked and who decides: a territory sees the requests of its subtree and those to its warehouses, a
        department those to its own warehouses, the city office all."""
        scope = Scope.for_user(user)
        if scope.kind == ScopeKind.REGION:
            path = scope.region_path
            return self.filter(Q(region_path__startswith=path) | Q(warehouse__region_path__startswith=path))
        return super().visible_to(user)


class AllocationRequest(models.Model):
    """A territory's request (调拨申请) for items from a warehouse to a destination; its owning unit approves it (the
    stock moves, all lines or none) or rejects it with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", pgettext_lazy("allocation", "Approved")
        REJECTED = "rejected", pgettext_lazy("allocation", "Rejected")

    warehouse = models.ForeignKey(Warehouse, models.PROTECT, related_name="requests", verbose_name=_("from warehouse"))
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("requesting territory"))
    region_path = models.CharField(_("region path"), max_length=255, editable=False)
    destination = models.CharField(pgettext_lazy("supplies", "to"), max_length=200)
    destination_region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("destination region")
    )
    destination_warehouse = models.ForeignKey(
        Warehouse, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("destination warehouse")
    )
    plan = models.ForeignKey(
        AllocationPlan, models.SET_NULL, null=True, blank=True, related_name="requests",
        verbose_name=_("allocation plan"),
    )  # fmt: skip
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason for rejection"), max_length=500, blank=True)

    objects = AllocationRequestQuerySet.as_manager()
    scope_fields = ScopeFields(region="region_path", department="warehouse__department_id", own_department=True)

    class Meta:
        verbose_name = _("allocation request")
        verbose_name_plural = _("allocation requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["region_path"], name="allocation_region", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.warehouse} → {self.destination}"

    def save(self, *args, **kwargs) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class AllocationRequestLine(models.Model):
    """One item and quantity of a request."""

    request = models.ForeignKey(AllocationRequest, models.CASCADE, related_name="lines", verbose_name=_("request"))
    item = models.ForeignKey(
        SupplyItem, models.PROTECT, related_name="+", verbose_name=pgettext_lazy("supplies", "item")
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)

    class Meta:
        verbose_name = _("request line")
        verbose_name_plural = _("request lines")
        ordering = ["request", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="request_line_quantity_positive"),
            models.UniqueConstraint(fields=["request", "item"], name="one_request_line_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class StockMove(models.Model):
    """One move of stock (出入库记录): in, out, allocation (out of the source, in at a destination) or scrap; who, when,
    why, and the balance it left."""

    class Kind(models.TextChoices):
        IN = "in", _("In")
        OUT = "out", _("Out")
        ALLOCATION_OUT = "allocation_out", _("Allocated out")
        ALLOCATION_IN = "allocation_in", _("Allocated in")
        SCRAP = "scrap", _("Scrapped")

    stock = models.ForeignKey(Stock, models.PROTECT, related_name="moves", verbose_name=_("stock"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    balance = models.DecimalField(_("balance after"), **QUANTITY)
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    allocation = models.ForeignKey(
        AllocationRequest, models.PROTECT, null=True, blank=True, related_name="moves",
        verbose_name=_("allocation request"),
    )  # fmt: skip

    objects = SuppliesQuerySet.as_manager()
    scope_fields = ScopeFields(
        region="stock__warehouse__region_path", department="stock__warehouse__department_id", own_department=True
    )

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stock_move_quantity_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="stock_move_reason_given"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.stock} {self.quantity}"


# --- rescue teams ---

MAX_HEADCOUNT = 100000


class RescueTeam(models.Model):
    """A fire and rescue or professional rescue team (救援队伍), owned by a department or, without one, by the
    government of its region."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=TeamKind.choices)
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="rescue_teams",
        verbose_name=_("owning department"), help_text=_("Empty: the government of its region owns the team."),
    )  # fmt: skip
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region"))
    region_path = models.CharField(_("region path"), max_length=255, editable=False)
    base_address = models.CharField(_("base address"), max_length=200)
    duty_phone = models.CharField(_("duty phone"), max_length=30, validators=[phone_validator])
    headcount = models.PositiveIntegerField(
        _("headcount"), validators=[MinValueValidator(1), MaxValueValidator(MAX_HEADCOUNT)]
    )
    equipment = models.TextField(_("main equipment"), max_length=2000, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)

    # A territory sees its subtree's teams, a department its own, the city office all; enterprises none.
    scope_fields = ScopeFields(region="region_path", department="department_id", own_department=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rescue team")
        verbose_name_plural = _("rescue teams")
        ordering = ["region_path", "kind", "name", "id"]
        indexes = [models.Index(fields=["region_path"], name="rescue_team_region", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="rescue_team_name_unique_in_region"),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="rescue_team_headcount_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.region_path = self.region.path
        super().save(*args, **kwargs)


class ReadinessPeriod(models.Model):
    """A team's raised readiness (勤务等级) for a period: from `starts_at` until `ends_at` (excluded)."""

    team = models.ForeignKey(RescueTeam, models.CASCADE, related_name="readiness_periods", verbose_name=_("team"))
    level = models.CharField(_("readiness level"), max_length=16, choices=Readiness.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("set at"), default=timezone.now, editable=False)
    ended_early_at = models.DateTimeField(_("ended early at"), null=True, blank=True)
    ended_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("ended early by"),
    )  # fmt: skip

    scope_fields = ScopeFields(region="team__region_path", department="team__department_id", own_department=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("readiness period")
        verbose_name_plural = _("readiness periods")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["team", "ends_at", "starts_at"], name="readiness_team_period")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="readiness_period_in_order"),
            models.CheckConstraint(condition=~Q(level=Readiness.NORMAL), name="readiness_period_raises"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.get_level_display()} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def covers(self, moment) -> bool:
        return self.starts_at <= moment < self.ends_at


class Prepositioning(models.Model):
    """Forces of a team (all or part: headcount, equipment) standing at an important place for a period (前置力量)."""

    team = models.ForeignKey(RescueTeam, models.CASCADE, related_name="prepositionings", verbose_name=_("team"))
    place = models.CharField(_("important place"), max_length=200)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("region of the place"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    headcount = models.PositiveIntegerField(
        _("headcount"), validators=[MinValueValidator(1), MaxValueValidator(MAX_HEADCOUNT)]
    )
    equipment = models.TextField(_("equipment"), max_length=2000, blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("set at"), default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("withdrawn by"),
    )  # fmt: skip

    scope_fields = ScopeFields(region="team__region_path", department="team__department_id", own_department=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pre-positioned force")
        verbose_name_plural = _("pre-positioned forces")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["team", "ends_at", "starts_at"], name="preposition_team_period")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="preposition_in_order"),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="preposition_headcount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.team} @ {self.place}"

    def covers(self, moment) -> bool:
        return self.starts_at <= moment < self.ends_at
