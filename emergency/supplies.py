"""The emergency supplies workflow: one function per change (warehouses, stock moves, minimums, allocation plans and
requests), each of which locks its row in scope, checks its rule from `RULES`, validates, and writes its rows and
the audit record (`audit.models.record`) in one transaction. Pages and the API only call these.

Refusals: out of scope 404, not allowed 403 (`PermissionDenied`), wrong state or short stock 409 (`Conflict`), bad
input 400 naming the field (`ValidationError`), in that order.

Stock never goes negative: every move re-reads its stock row with SELECT … FOR UPDATE, so two moves of one row
queue behind each other and the second sees what the first left; a CHECK constraint (quantity >= 0) is the last
line. An approval locks all the rows it touches (source and destination) in one statement, in id order, so two
approvals never wait for each other crosswise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from audit.models import record
from notifications.outbox import notify
from organizations.choices import PositionKind, UnitKind
from organizations.models import Position, PositionAssignment, Region, User
from organizations.roles import DEPARTMENT_STAFF, TERRITORIAL_UNITS, is_city_office, member_of
from organizations.scope import Scope, ScopeKind
from safety_platform.lib.errors import Conflict

from .models import (
    AllocationPlan,
    AllocationPlanLine,
    AllocationRequest,
    AllocationRequestLine,
    Stock,
    StockMove,
    SupplyItem,
    Warehouse,
)

MAX_QUANTITY = Decimal("999999999999.99")
Status = AllocationRequest.Status
Kind = StockMove.Kind

# --- who (403) ------------------------------------------------------------------------------------------------


def is_owner_staff(actor: User, warehouse: Warehouse) -> bool:
    """The city office, or the owning unit's people: the department's staff (head, staff, inspectors) for a
    department's warehouse, anyone of the regional government for the government's own."""
    if is_city_office(actor):
        return True
    if warehouse.department_id:
        return member_of(
            actor,
            (UnitKind.DEPARTMENT,),
            lambda u: u.department_id == warehouse.department_id and u.holds(*DEPARTMENT_STAFF),
        )
    if warehouse.owner_kind == UnitKind.GOVERNMENT:
        return member_of(actor, (UnitKind.GOVERNMENT,), lambda u: u.region_id == warehouse.region_id)
    return False


def may_keep_warehouses(actor: User) -> bool:
    """Who registers warehouses: the city office (for any unit), a regional government (its own) and a department's
    staff (their department's)."""
    return is_city_office(actor) or member_of(actor, (UnitKind.GOVERNMENT,)) or member_of(
        actor, (UnitKind.DEPARTMENT,), lambda u: u.holds(*DEPARTMENT_STAFF)
    )  # fmt: skip


def may_request(actor: User) -> bool:
    """A territory asks for an allocation: a regional government's people, or the city office."""
    return member_of(actor, TERRITORIAL_UNITS)


def may_plan(actor: User) -> bool:
    """The city office or a department's staff prepare allocation plans."""
    return is_city_office(actor) or member_of(actor, (UnitKind.DEPARTMENT,), lambda u: u.holds(*DEPARTMENT_STAFF))


def _active(warehouse: Warehouse) -> None:
    if not warehouse.active:
        raise Conflict(_("The warehouse %(name)s is no longer in use.") % {"name": warehouse.name})


def _source_active(request: AllocationRequest) -> None:
    _active(request.warehouse)


def _pending(request: AllocationRequest) -> None:
    if request.status != Status.PENDING:
        raise Conflict(_("This request has already been %(status)s.") % {"status": request.get_status_display()})


@dataclass(frozen=True)
class Rule:
    """Who may (`who(actor, obj)`, else 403 with `message`) and in which states (`when`, each raising 409)."""

    who: Callable[[User, object], bool]
    message: str
    when: tuple[Callable[[object], None], ...] = ()


def _owner(obj) -> Warehouse:
    return obj if isinstance(obj, Warehouse) else obj.warehouse


def _owner_staff(actor: User, obj) -> bool:
    return is_owner_staff(actor, _owner(obj))


OWNER_ONLY = gettext_noop("Only the warehouse's owning unit or the city safety office can do this.")
DECIDER_ONLY = gettext_noop("Only the source warehouse's owning unit or the city safety office decides a request.")

# The rules table: every action on a warehouse (its stock) or on an allocation request. Messages are translated
# when raised.
RULES: dict[str, Rule] = {
    "receive": Rule(_owner_staff, OWNER_ONLY, (_active,)),
    "issue": Rule(_owner_staff, OWNER_ONLY, (_active,)),
    "scrap": Rule(_owner_staff, OWNER_ONLY, (_active,)),
    "set_minimum": Rule(_owner_staff, OWNER_ONLY),
    "edit_warehouse": Rule(_owner_staff, OWNER_ONLY),
    "approve": Rule(_owner_staff, DECIDER_ONLY, (_pending, _source_active)),
    "reject": Rule(_owner_staff, DECIDER_ONLY, (_pending,)),
}
WAREHOUSE_ACTIONS = ("receive", "issue", "scrap", "set_minimum", "edit_warehouse")
REQUEST_ACTIONS = ("approve", "reject")


def check(actor: User, obj, action: str) -> None:
    rule = RULES[action]
    if not rule.who(actor, obj):
        raise PermissionDenied(_(rule.message))
    for guard in rule.when:
        guard(obj)


def can(actor: User, obj) -> set[str]:
    """The actions the actor may take on a warehouse or a request now: the same table the functions check."""
    names = WAREHOUSE_ACTIONS if isinstance(obj, Warehouse) else REQUEST_ACTIONS
    allowed = set()
    for name in names:
        try:
            check(actor, obj, name)
        except (PermissionDenied, Conflict):
            continue
        allowed.add(name)
    return allowed


# --- input (400) ----------------------------------------------------------------------------------------------


def _quantity(value, field: str = "quantity", allow_zero: bool = False) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite() or number > MAX_QUANTITY:
        raise ValidationError({field: _("Enter a number.")})
    if number < 0 or (number == 0 and not allow_zero):
        message = _("Enter zero or more.") if allow_zero else _("Enter a quantity greater than zero.")
        raise ValidationError({field: message})
    return number


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Give a reason.")})
    if len(reason) > 500:
        raise ValidationError({field: _("At most 500 characters.")})
    return reason


def _item(item: SupplyItem | int | None) -> SupplyItem:
    if isinstance(item, SupplyItem):
        return item
    found = SupplyItem.objects.filter(pk=item).first() if isinstance(item, int) else None
    if found is None:
        raise ValidationError({"item": _("Choose an item of the catalogue.")})
    return found


def _dates(produced_on: date | None, expires_on: date | None) -> None:
    if produced_on and expires_on and expires_on < produced_on:
        raise ValidationError({"expires_on": _("The expiry date is before the production date.")})
    if produced_on and produced_on > timezone.localdate():
        raise ValidationError({"produced_on": _("The production date is in the future.")})


# --- locked re-reads (404) ------------------------------------------------------------------------------------


def _locked_warehouse(actor: User, warehouse: Warehouse | int, lock: bool = False) -> Warehouse:
    pk = warehouse.pk if isinstance(warehouse, Warehouse) else warehouse
    rows = Warehouse.objects.visible_to(actor).select_related("department", "region")
    if lock:
        rows = rows.select_for_update(of=("self",))
    try:
        return rows.get(pk=pk)
    except Warehouse.DoesNotExist:
        raise Http404 from None


def _locked_request(actor: User, request: AllocationRequest | int) -> AllocationRequest:
    pk = request.pk if isinstance(request, AllocationRequest) else request
    rows = AllocationRequest.objects.visible_to(actor).select_related("warehouse", "destination_warehouse")
    try:
        return rows.select_for_update(of=("self",)).get(pk=pk)
    except AllocationRequest.DoesNotExist:
        raise Http404 from None


def _stock_rows(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Stock]:
    """The stock rows of these (warehouse id, item id) pairs, created empty when missing, locked in id order."""
    pairs = sorted(set(pairs))  # inserted in one order too, so two callers never wait for each other crosswise
    Stock.objects.bulk_create([Stock(warehouse_id=w, item_id=i) for w, i in pairs], ignore_conflicts=True)
    cut = Q()
    for w, i in pairs:
        cut |= Q(warehouse_id=w, item_id=i)
    rows = Stock.objects.filter(cut).select_related("item").select_for_update(of=("self",)).order_by("pk")
    return {(row.warehouse_id, row.item_id): row for row in rows}


# --- stock moves ----------------------------------------------------------------------------------------------


def _move(actor: User, stock: Stock, kind: str, quantity: Decimal, reason: str, allocation=None) -> StockMove:
    """Change the (locked) stock row by one move, write the move and its audit record."""
    before = stock.quantity
    incoming = kind in (Kind.IN, Kind.ALLOCATION_IN)
    if not incoming and stock.quantity < quantity:
        raise Conflict(
            _("Not enough %(item)s in stock: %(have)s %(unit)s held, %(want)s asked.")
            % {"item": stock.item, "have": plain(stock.quantity), "want": plain(quantity), "unit": stock.item.unit}
        )
    stock.quantity = before + quantity if incoming else before - quantity
    if stock.quantity == 0:
        stock.produced_on = stock.expires_on = None
    stock.updated_at = timezone.now()
    stock.save(update_fields=["quantity", "produced_on", "expires_on", "updated_at"])
    move = StockMove.objects.create(stock=stock, kind=kind, quantity=quantity, balance=stock.quantity, reason=reason,
                                    by=actor, allocation=allocation)  # fmt: skip
    record(actor, f"supplies.{kind}", stock, {"quantity": [str(before), str(stock.quantity)]}, reason)
    return move


def plain(number: Decimal) -> str:
    """12.50 -> 12.5, 60.00 -> 60."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _take_dates(stock: Stock, produced_on: date | None, expires_on: date | None) -> None:
    """The row keeps the dates of the batch that expires first (the alert is never late)."""
    held = stock.quantity > 0
    if expires_on and (not held or stock.expires_on is None or expires_on < stock.expires_on):
        stock.expires_on, stock.produced_on = expires_on, produced_on
    elif not held and produced_on:
        stock.produced_on = produced_on


def receive(actor: User, warehouse: Warehouse | int, item, quantity, reason: str,
            produced_on: date | None = None, expires_on: date | None = None) -> StockMove:  # fmt: skip
    """Stock in (入库): the quantity is added to the warehouse's row of the item."""
    with transaction.atomic():
        house = _locked_warehouse(actor, warehouse)
        check(actor, house, "receive")
        item, quantity, reason = _item(item), _quantity(quantity), _reason(reason)
        _dates(produced_on, expires_on)
        stock = _stock_rows([(house.pk, item.pk)])[(house.pk, item.pk)]
        _take_dates(stock, produced_on, expires_on)
        return _move(actor, stock, Kind.IN, quantity, reason)


def issue(actor: User, warehouse: Warehouse | int, item, quantity, reason: str) -> StockMove:
    """Stock out (出库) for use; refused (409) when the warehouse holds less."""
    return _take(actor, warehouse, item, quantity, reason, Kind.OUT, "issue")


def scrap(actor: User, warehouse: Warehouse | int, item, quantity, reason: str) -> StockMove:
    """Stock scrapped (报废): expired or damaged; refused (409) when the warehouse holds less."""
    return _take(actor, warehouse, item, quantity, reason, Kind.SCRAP, "scrap")


def _take(actor: User, warehouse, item, quantity, reason: str, kind: str, action: str) -> StockMove:
    with transaction.atomic():
        house = _locked_warehouse(actor, warehouse)
        check(actor, house, action)
        item, quantity, reason = _item(item), _quantity(quantity), _reason(reason)
        stock = (
            Stock.objects.filter(warehouse=house, item=item).select_related("item").select_for_update(of=("self",))
        ).first()
        if stock is None:
            raise Conflict(_("The warehouse holds no %(item)s.") % {"item": item})
        return _move(actor, stock, kind, quantity, reason)


def set_minimum(actor: User, warehouse: Warehouse | int, item, minimum) -> Stock:
    """The minimum stock (最低储备) of an item in a warehouse; below it the item is an alert."""
    with transaction.atomic():
        house = _locked_warehouse(actor, warehouse)
        check(actor, house, "set_minimum")
        item, minimum = _item(item), _quantity(minimum, "minimum", allow_zero=True)
        stock = _stock_rows([(house.pk, item.pk)])[(house.pk, item.pk)]
        if stock.minimum != minimum:
            before, stock.minimum = stock.minimum, minimum
            stock.save(update_fields=["minimum"])
            record(actor, "supplies.set_minimum", stock, {"minimum": [str(before), str(minimum)]})
        return stock


# --- warehouses -----------------------------------------------------------------------------------------------

WAREHOUSE_FIELDS = ("name", "address", "keeper_name", "keeper_phone", "active")


def create_warehouse(actor: User, values: dict) -> Warehouse:
    """Register a warehouse. Its owner is the actor's unit (a regional government's in its own region, a department's
    in its region's subtree); the city office names the owner (`owner_kind`, `department`) and the region."""
    unplaced = Scope.for_user(actor).kind not in (ScopeKind.ALL, ScopeKind.REGION, ScopeKind.DEPARTMENT)
    if unplaced or not may_keep_warehouses(actor):  # a unit's person with no region or department owns nothing
        raise PermissionDenied(_("Only the city office, a regional government or a department registers warehouses."))
    with transaction.atomic():
        house = Warehouse(**{name: values[name] for name in WAREHOUSE_FIELDS if name in values})
        _place_owner(actor, house, values)
        house.full_clean()
        house.save()
        names = (*WAREHOUSE_FIELDS, "owner_kind", "region")
        record(actor, "supplies.warehouse_created", house, {name: [None, str(getattr(house, name))] for name in names})
        return house


def _place_owner(actor: User, house: Warehouse, values: dict) -> None:
    region, scope = values.get("region"), Scope.for_user(actor)
    if scope.kind == ScopeKind.ALL:
        house.owner_kind = values.get("owner_kind") or UnitKind.CITY_OFFICE
        house.department = values.get("department") if house.owner_kind == UnitKind.DEPARTMENT else None
        if house.owner_kind == UnitKind.DEPARTMENT and house.department is None:
            raise ValidationError({"department": _("Choose the department that owns the warehouse.")})
        house.region = region or (house.department.region if house.department else Region.objects.get(parent=None))
        return
    if scope.kind == ScopeKind.REGION:
        house.owner_kind, house.region = UnitKind.GOVERNMENT, actor.region
        return
    house.owner_kind, house.department = UnitKind.DEPARTMENT, actor.department
    house.region = region or actor.department.region
    if not house.region.path.startswith(actor.department.region.path):
        raise ValidationError({"region": _("Choose a region within your unit's.")})


def edit_warehouse(actor: User, warehouse: Warehouse | int, values: dict) -> Warehouse:
    """Change a warehouse's name, address, keeper and phone, or take it out of use; an edit that changes nothing
    writes nothing."""
    with transaction.atomic():
        house = _locked_warehouse(actor, warehouse, lock=True)
        check(actor, house, "edit_warehouse")
        changes = {}
        for name in WAREHOUSE_FIELDS:
            if name in values and values[name] != getattr(house, name):
                changes[name] = [str(getattr(house, name)), str(values[name])]
                setattr(house, name, values[name])
        if changes:
            house.full_clean()
            house.save()
            record(actor, "supplies.warehouse_edited", house, changes)
        return house


# --- allocation plans ----------------------------------------------------------------------------------------


@dataclass
class Line:
    """One line of a plan or a request as given (a plan line also names its warehouse and destination)."""

    item: SupplyItem | int
    quantity: Decimal | str | int
    warehouse: Warehouse | int | None = None
    destination: str = ""
    destination_region: Region | None = None


def prepare_plan(actor: User, name: str, region: Region, lines: list[Line], note: str = "") -> AllocationPlan:
    """An allocation plan for a scenario, by the city office or a department; its warehouses must be in the actor's
    scope and its regions within the region concerned."""
    if not may_plan(actor):
        raise PermissionDenied(_("Only the city office or a department prepares allocation plans."))
    if not (name or "").strip():
        raise ValidationError({"name": _("Name the scenario.")})
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    with transaction.atomic():
        plan = AllocationPlan.objects.create(name=name.strip(), region=region, note=note, prepared_by=actor,
                                             department=actor.department if actor.department_id else None)  # fmt: skip
        visible = Warehouse.objects.visible_to(actor)
        rows = []
        for n, line in enumerate(lines):
            house = visible.filter(pk=getattr(line.warehouse, "pk", line.warehouse)).first()
            if house is None:
                raise ValidationError(
                    {"lines": _("Line %(n)d: choose a warehouse you keep or oversee.") % {"n": n + 1}}
                )
            target = line.destination_region
            if target is not None and not target.path.startswith(region.path):
                raise ValidationError({"lines": _("Line %(n)d: the destination is outside the region concerned.")
                                       % {"n": n + 1}})  # fmt: skip
            if not (line.destination or "").strip():
                raise ValidationError({"lines": _("Line %(n)d: say where the items go.") % {"n": n + 1}})
            rows.append(AllocationPlanLine(plan=plan, warehouse=house, item=_item(line.item),
                                           quantity=_quantity(line.quantity, "lines"),
                                           destination=line.destination.strip()[:200],
                                           destination_region=target))  # fmt: skip
        AllocationPlanLine.objects.bulk_create(rows)
        record(actor, "supplies.plan_prepared", plan, {"lines": [None, len(rows)]})
        return plan


# --- allocation requests -------------------------------------------------------------------------------------


def requestable(actor: User):
    """The warehouses a territory may ask from: those in use in its region's subtree and above it (the city's and
    its county's), whoever owns them."""
    scope = Scope.for_user(actor)
    houses = Warehouse.objects.filter(active=True).select_related("department", "region")
    if scope.kind == ScopeKind.ALL:
        return houses
    if scope.kind != ScopeKind.REGION:
        return houses.none()
    return houses.filter(Q(region_path__startswith=scope.region_path) | Q(region__code__in=scope.ancestor_codes))


def request_allocation(actor: User, warehouse: Warehouse | int, lines: list[Line], destination: str, reason: str,
                       destination_region: Region | None = None, destination_warehouse: Warehouse | int | None = None,
                       plan: AllocationPlan | None = None) -> AllocationRequest:  # fmt: skip
    """A territory asks a warehouse for items to a destination; the owning unit's heads are told."""
    if not may_request(actor):
        raise PermissionDenied(_("Only a territory's government or the city office asks for an allocation."))
    source = requestable(actor).filter(pk=getattr(warehouse, "pk", warehouse)).first()
    if source is None:
        raise ValidationError({"warehouse": _("Choose a warehouse in use in your region or above it.")})
    home = actor.region or Region.objects.get(parent=None)
    target = _destination(actor, home, source, destination, destination_region, destination_warehouse)
    reason = _reason(reason)
    wanted = _request_lines(lines)
    with transaction.atomic():
        req = AllocationRequest.objects.create(
            warehouse=source, region=home, destination=destination.strip()[:200], destination_region=target[0],
            destination_warehouse=target[1], plan=plan, reason=reason, requested_by=actor,
        )  # fmt: skip
        AllocationRequestLine.objects.bulk_create(
            [AllocationRequestLine(request=req, item=item, quantity=qty) for item, qty in wanted]
        )
        record(actor, "supplies.allocation_requested", req,
               {"lines": [None, [f"{item} × {plain(qty)}" for item, qty in wanted]]}, reason)  # fmt: skip
        _tell_owner(req)
        return req


def _destination(actor, home, source, destination, region, warehouse) -> tuple[Region | None, Warehouse | None]:
    if not (destination or "").strip():
        raise ValidationError({"destination": _("Say where the items go.")})
    if region is not None and not region.path.startswith(home.path):
        raise ValidationError({"destination_region": _("Choose a region within your own.")})
    if warehouse is None:
        return region, None
    house = Warehouse.objects.visible_to(actor).filter(pk=getattr(warehouse, "pk", warehouse), active=True).first()
    if house is None or house.pk == source.pk:
        raise ValidationError({"destination_warehouse": _("Choose another warehouse in use within your region.")})
    return region, house


def _request_lines(lines: list[Line]) -> list[tuple[SupplyItem, Decimal]]:
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    wanted: dict[int, tuple[SupplyItem, Decimal]] = {}
    for line in lines:
        item = _item(line.item)
        if item.pk in wanted:
            raise ValidationError({"lines": _("%(item)s is asked for twice.") % {"item": item}})
        wanted[item.pk] = (item, _quantity(line.quantity, "lines"))
    return list(wanted.values())


def approve(actor: User, request: AllocationRequest | int) -> AllocationRequest:
    """Approve a request: every line moves out of the source (and into the destination warehouse when one is named)
    in this one transaction, or, when any line is short, nothing moves and the answer is 409 naming the shortages."""
    with transaction.atomic():
        req = _locked_request(actor, request)
        check(actor, req, "approve")
        lines = list(req.lines.select_related("item"))
        dest = req.destination_warehouse_id
        pairs = [(req.warehouse_id, line.item_id) for line in lines]
        stocks = _stock_rows(pairs + ([(dest, line.item_id) for line in lines] if dest else []))
        short = [(line, stocks[(req.warehouse_id, line.item_id)].quantity) for line in lines
                 if stocks[(req.warehouse_id, line.item_id)].quantity < line.quantity]  # fmt: skip
        if short:
            raise Conflict(_("Not enough in stock; nothing was allocated: %(lines)s.") % {"lines": "；".join(
                _("%(item)s %(have)s held, %(want)s asked") % {"item": line.item, "have": plain(have),
                                                              "want": plain(line.quantity)}
                for line, have in short)})  # fmt: skip
        why = _("Allocation to %(place)s") % {"place": req.destination}
        for line in lines:
            source = stocks[(req.warehouse_id, line.item_id)]
            dates = (source.produced_on, source.expires_on)
            _move(actor, source, Kind.ALLOCATION_OUT, line.quantity, why, req)
            if dest:
                target = stocks[(dest, line.item_id)]
                _take_dates(target, *dates)
                _move(actor, target, Kind.ALLOCATION_IN, line.quantity, why, req)
        return _decide(actor, req, Status.APPROVED, "")


def reject(actor: User, request: AllocationRequest | int, note: str) -> AllocationRequest:
    """Reject a request, with a reason; nothing moves."""
    with transaction.atomic():
        req = _locked_request(actor, request)
        check(actor, req, "reject")
        return _decide(actor, req, Status.REJECTED, _reason(note, "note"))


def _decide(actor: User, req: AllocationRequest, status: str, note: str) -> AllocationRequest:
    req.status, req.decided_by, req.decided_at, req.decision_note = status, actor, timezone.now(), note
    req.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record(actor, f"supplies.allocation_{status}", req, {"status": [Status.PENDING, status]}, note)
    people = [(req.requested_by, None)] if req.requested_by.is_active else []
    with override(settings.LANGUAGE_CODE):
        title = _("Allocation request %(status)s: %(place)s") % {"status": req.get_status_display(),
                                                                 "place": req.destination}  # fmt: skip
        notify(people, f"supplies:decided:{req.pk}", title, note or title, link=f"/emergency/requests/{req.pk}/")
    return req


# --- notices --------------------------------------------------------------------------------------------------


def owner_posts(warehouses: Iterable[Warehouse]) -> dict[int, list[Position]]:
    """The posts told about each warehouse: its department's head, its government's territorial leader, or the city
    office's staff posts; one query."""
    houses = list(warehouses)
    posts = Position.objects.filter(
        Q(kind=PositionKind.DEPARTMENT_HEAD, department_id__in={h.department_id for h in houses if h.department_id})
        | Q(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT,
            region_id__in={h.region_id for h in houses if h.owner_kind == UnitKind.GOVERNMENT})
        | Q(kind=PositionKind.CITY_OFFICE_STAFF, unit_kind=UnitKind.CITY_OFFICE)
    )  # fmt: skip
    found: dict[int, list[Position]] = {h.pk: [] for h in houses}
    for post in posts:
        for house in houses:
            if _tells(post, house):
                found[house.pk].append(post)
    return found


def _tells(post: Position, house: Warehouse) -> bool:
    if house.department_id:
        return post.department_id == house.department_id
    if house.owner_kind == UnitKind.GOVERNMENT:
        return post.kind == PositionKind.TERRITORIAL_LEADER and post.region_id == house.region_id
    return post.kind == PositionKind.CITY_OFFICE_STAFF


def holders_of(posts: list[Position]) -> list[tuple[User, Position]]:
    rows = PositionAssignment.objects.current().filter(position__in=posts, user__is_active=True)
    by_post = {p.pk: p for p in posts}
    return [(a.user, by_post[a.position_id]) for a in rows.select_related("user")]


def _tell_owner(req: AllocationRequest) -> None:
    """The source warehouse's owning unit is told a request waits for it."""
    posts = owner_posts([req.warehouse])[req.warehouse.pk]
    with override(settings.LANGUAGE_CODE):
        title = _("Allocation request to %(warehouse)s") % {"warehouse": req.warehouse}
        body = _("%(region)s asks for supplies to %(place)s: %(reason)s") % {
            "region": req.region, "place": req.destination, "reason": req.reason}  # fmt: skip
        notify(holders_of(posts), f"supplies:request:{req.pk}", title, body, link=f"/emergency/requests/{req.pk}/")
