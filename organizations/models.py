"""The city's organisation: regions, industries, departments, enterprises, people and positions."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import POSITION_UNIT, LicenceState, OperatingState, PositionKind, RegionLevel, UnitKind
from .creditcode import normalize, validate_credit_code
from .scope import ScopedQuerySet, ScopeFields

phone_validator = RegexValidator(
    r"^[0-9+\-() ]{5,30}$", _("Enter a telephone number: digits, spaces, +, - and brackets only.")
)


class RegionQuerySet(ScopedQuerySet):
    def subtree(self, region: Region) -> RegionQuerySet:
        return self.filter(path__startswith=region.path)


class Region(models.Model):
    """A city, a county / district / development zone, or a township / street, as a materialised-path tree."""

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent region")
    )
    # "/<root code>/<county code>/.../" so that a subtree is one indexed prefix match.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)

    objects = RegionQuerySet.as_manager()
    scope_fields = ScopeFields(region="path", region_code="code", reference=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        indexes = [models.Index(fields=["path"], name="region_path_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        self.path = f"{self.parent.path if self.parent else '/'}{self.code}/"
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # A region moved or was renumbered: its whole subtree follows, in the same transaction.
                Region.objects.filter(path__startswith=old_path).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1))
                )

    def clean(self) -> None:
        if self.parent and f"/{self.code}/" in self.parent.path:
            raise ValidationError({"parent": _("A region cannot sit inside itself.")})

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def indented_name(self) -> str:
        """For dropdowns: the tree shown by indentation (full-width spaces line up with CJK text)."""
        return "\u3000" * (self.depth - 1) + self.name

    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.split("/") if code]

    def ancestors(self) -> models.QuerySet[Region]:
        return Region.objects.filter(code__in=self.ancestor_codes()).order_by("path")


class Industry(models.Model):
    """An industry (行业) with a code; a two-level tree of sectors and industries."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("sector")
    )

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(industry="id", reference=True)

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A government department that supervises the safety of the industries it is in charge of (三管三必须)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="departments", verbose_name=_("region"), help_text=_("Where it sits.")
    )
    industries = models.ManyToManyField(
        Industry, blank=True, related_name="departments", verbose_name=_("supervised industries")
    )
    mirrors = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="mirrored_by",
        verbose_name=_("city department mirrored"),
    )
    is_default_supervisor = models.BooleanField(
        _("default supervisor"),
        default=False,
        help_text=_("Supervises, in its region, every industry that no department is in charge of."),
    )
    duty_phone = models.CharField(_("duty phone"), max_length=30, blank=True, validators=[phone_validator])

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(region="region__path", region_code="region__code", reference=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["region__path", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"], condition=Q(is_default_supervisor=True), name="one_default_supervisor_per_region"
            )
        ]

    def __str__(self) -> str:
        return self.name


class EnterpriseQuerySet(ScopedQuerySet):
    def in_region(self, region: Region) -> EnterpriseQuerySet:
        return self.filter(region__path__startswith=region.path)


class Enterprise(models.Model):
    """A production and business unit (生产经营单位), licensed or not: the law supervises both."""

    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="enterprises", verbose_name=_("region"))
    industry = models.ForeignKey(Industry, models.PROTECT, related_name="enterprises", verbose_name=_("industry"))
    licence_state = models.CharField(
        _("licence state"), max_length=16, choices=LicenceState.choices, default=LicenceState.LICENSED
    )
    operating_state = models.CharField(
        _("operating state"), max_length=24, choices=OperatingState.choices, default=OperatingState.OPERATING
    )
    is_key_unit = models.BooleanField(_("key unit"), default=False)
    principal_name = models.CharField(_("principal person"), max_length=50, blank=True)
    principal_phone = models.CharField(_("principal's phone"), max_length=30, blank=True, validators=[phone_validator])
    safety_manager_name = models.CharField(_("safety manager"), max_length=50, blank=True)
    safety_manager_phone = models.CharField(
        _("safety manager's phone"), max_length=30, blank=True, validators=[phone_validator]
    )
    is_subcontracting = models.BooleanField(_("subcontracting"), default=False)
    is_hosted_operation = models.BooleanField(_("hosted operation"), default=False)
    # 卖资质 / 借用资质: works under another's qualification, or lends its own (#19).
    is_borrowed_qualification = models.BooleanField(_("borrowed qualification"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()
    scope_fields = ScopeFields(region="region__path", industry="industry_id", enterprise="id")

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["industry", "region"], name="enterprise_industry_region"),
            models.Index(fields=["region", "id"], name="enterprise_region_id"),
            models.Index(fields=["name"], name="enterprise_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.credit_code = normalize(self.credit_code)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.credit_code = normalize(self.credit_code)


class User(AbstractUser):
    """A person who logs in; belongs to one unit (city office, regional government, department or enterprise)."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    unit_kind = models.CharField(_("unit kind"), max_length=16, choices=UnitKind.choices, blank=True)
    region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("region")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("department")
    )
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("enterprise")
    )

    # A person is visible when their unit is; an enterprise sees only its own people (`scope.visible_people`).
    scope_fields = ScopeFields(
        enterprise="enterprise_id",
        through=(
            ("region", {"unit_kind__in": [UnitKind.CITY_OFFICE, UnitKind.GOVERNMENT]}),
            ("department", {"unit_kind": UnitKind.DEPARTMENT}),
            ("enterprise", {"unit_kind": UnitKind.ENTERPRISE}),
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        check_unit(self)

    @property
    def unit(self) -> Region | Department | Enterprise | None:
        return unit_of(self)

    def position_kinds(self) -> set[str]:
        """The kinds of position the user holds now, cached on the instance for the request."""
        if not hasattr(self, "_position_kinds"):
            self._position_kinds = set(
                PositionAssignment.objects.current().filter(user=self).values_list("position__kind", flat=True)
            )
        return self._position_kinds

    def holds(self, *kinds: str) -> bool:
        return bool(self.position_kinds() & set(kinds))


def unit_of(obj: User | Position) -> Region | Department | Enterprise | None:
    match obj.unit_kind:
        case UnitKind.CITY_OFFICE | UnitKind.GOVERNMENT:
            return obj.region
        case UnitKind.DEPARTMENT:
            return obj.department
        case UnitKind.ENTERPRISE:
            return obj.enterprise
    return None


def check_unit(obj: User | Position) -> None:
    """Exactly the foreign key that the unit kind names is set; the city office sits at the root region."""
    needed = {
        UnitKind.CITY_OFFICE: "region",
        UnitKind.GOVERNMENT: "region",
        UnitKind.DEPARTMENT: "department",
        UnitKind.ENTERPRISE: "enterprise",
    }.get(obj.unit_kind)
    errors = {}
    for field in ("region", "department", "enterprise"):
        has = getattr(obj, f"{field}_id") is not None
        if field == needed and not has:
            errors[field] = _("This unit kind needs a %(field)s.") % {"field": obj._meta.get_field(field).verbose_name}
        elif field != needed and has:
            errors[field] = _("Leave this empty for this unit kind.")
    if obj.unit_kind == UnitKind.CITY_OFFICE and obj.region_id and obj.region.parent_id is not None:
        errors["region"] = _("The city safety office sits at the city, the root region.")
    if errors:
        raise ValidationError(errors)


class Position(models.Model):
    """A post that carries responsibility (leader of a region, head of a department, principal of an enterprise).

    Records point at positions, never at people: a change of holder changes who is told without touching them.
    """

    kind = models.CharField(pgettext_lazy("position", "kind"), max_length=32, choices=PositionKind.choices)
    title = models.CharField(pgettext_lazy("position", "title"), max_length=100)
    unit_kind = models.CharField(_("unit kind"), max_length=16, choices=UnitKind.choices)
    region = models.ForeignKey(
        Region, models.CASCADE, null=True, blank=True, related_name="positions", verbose_name=_("region")
    )
    department = models.ForeignKey(
        Department, models.CASCADE, null=True, blank=True, related_name="positions", verbose_name=_("department")
    )
    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, null=True, blank=True, related_name="positions", verbose_name=_("enterprise")
    )
    superior = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="subordinates", verbose_name=_("superior position")
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["unit_kind", "kind", "id"]
        indexes = [models.Index(fields=["kind", "region"]), models.Index(fields=["kind", "enterprise"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        check_unit(self)
        if self.kind and self.unit_kind and self.unit_kind not in POSITION_UNIT[self.kind]:
            raise ValidationError({"kind": _("This kind of position does not exist in this kind of unit.")})

    @property
    def unit(self) -> Region | Department | Enterprise | None:
        return unit_of(self)

    def current_holders(self) -> models.QuerySet[User]:
        return User.objects.filter(
            is_active=True, assignments__in=PositionAssignment.objects.current().filter(position=self)
        ).distinct()


class PositionAssignmentQuerySet(models.QuerySet):
    def current(self, at=None) -> PositionAssignmentQuerySet:
        at = at or timezone.now()
        return self.filter(Q(started_at__lte=at), Q(ended_at__isnull=True) | Q(ended_at__gt=at))


class PositionAssignment(models.Model):
    """Who holds a position, from when until when; history is kept, never overwritten."""

    position = models.ForeignKey(Position, models.CASCADE, related_name="assignments", verbose_name=_("position"))
    user = models.ForeignKey(User, models.CASCADE, related_name="assignments", verbose_name=_("holder"))
    started_at = models.DateTimeField(pgettext_lazy("assignment", "from"), default=timezone.now)
    ended_at = models.DateTimeField(pgettext_lazy("assignment", "until"), null=True, blank=True)

    objects = PositionAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("position assignment")
        verbose_name_plural = _("position assignments")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=models.F("started_at")),
                name="assignment_ends_later",
            )
        ]

    def __str__(self) -> str:
        return f"{self.position} — {self.user}"
