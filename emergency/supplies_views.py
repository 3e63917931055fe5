"""Pages of the emergency supplies (应急物资): warehouses with their stock, a warehouse with its stock, moves and the
forms to move stock, the alerts, allocation requests (the approvers' inbox, a request and its decision, a new
request), plans, and the allocation ledger as Excel. Every change goes through `emergency.supplies`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from organizations.models import Region
from organizations.roles import is_city_office
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate

from . import supplies, supplies_ledger
from .models import AllocationPlan, AllocationRequest, Stock, StockMove, SupplyItem, Warehouse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- forms ------------------------------------------------------------------------------------------------------


class MoveForm(forms.Form):
    KINDS = [(StockMove.Kind.IN, gettext_lazy("In")), (StockMove.Kind.OUT, gettext_lazy("Out")),
             (StockMove.Kind.SCRAP, gettext_lazy("Scrapped"))]  # fmt: skip

    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=KINDS)
    item = forms.ModelChoiceField(label=pgettext_lazy("supplies", "item"), queryset=SupplyItem.objects.all())
    quantity = forms.DecimalField(label=gettext_lazy("quantity"), max_digits=14, decimal_places=2, min_value=0)
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=500)
    produced_on = forms.DateField(label=gettext_lazy("production date"), required=False, widget=DATE)
    expires_on = forms.DateField(label=gettext_lazy("expiry date"), required=False, widget=DATE)


class MinimumForm(forms.Form):
    item = forms.ModelChoiceField(label=pgettext_lazy("supplies", "item"), queryset=SupplyItem.objects.all())
    minimum = forms.DecimalField(label=gettext_lazy("minimum stock"), max_digits=14, decimal_places=2, min_value=0)


class WarehouseForm(forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = ["name", "owner_kind", "department", "region", "address", "keeper_name", "keeper_phone"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].required = False
        if not is_city_office(user):
            del self.fields["owner_kind"], self.fields["department"]
        else:
            self.fields["owner_kind"].required = False
        if user.department_id:  # a department's warehouse stands within its region
            self.fields["region"].queryset = Region.objects.filter(path__startswith=user.department.region.path)
        elif not is_city_office(user):  # a government's stands in its own region
            del self.fields["region"]

    def _post_clean(self):  # the workflow validates the whole row (owner, region) and reports each field
        pass


class RequestForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=gettext_lazy("from warehouse"), queryset=Warehouse.objects.none())
    item = forms.ModelChoiceField(label=pgettext_lazy("supplies", "item"), queryset=SupplyItem.objects.all())
    quantity = forms.DecimalField(label=gettext_lazy("quantity"), max_digits=14, decimal_places=2, min_value=0)
    item_2 = forms.ModelChoiceField(label=gettext_lazy("second item"), queryset=SupplyItem.objects.all(),
                                    required=False)  # fmt: skip
    quantity_2 = forms.DecimalField(label=gettext_lazy("quantity"), max_digits=14, decimal_places=2, min_value=0,
                                    required=False)  # fmt: skip
    destination = forms.CharField(label=pgettext_lazy("supplies", "to"), max_length=200)
    destination_region = forms.ModelChoiceField(label=gettext_lazy("destination region"),
                                                queryset=Region.objects.none(), required=False)  # fmt: skip
    destination_warehouse = forms.ModelChoiceField(label=gettext_lazy("destination warehouse"),
                                                   queryset=Warehouse.objects.none(), required=False)  # fmt: skip
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = supplies.requestable(user)
        if user.region_id:
            self.fields["destination_region"].queryset = Region.objects.filter(path__startswith=user.region.path)
        self.fields["destination_warehouse"].queryset = Warehouse.objects.visible_to(user).filter(active=True)

    def lines(self) -> list[supplies.Line]:
        v = self.cleaned_data
        lines = [supplies.Line(v["item"], v["quantity"])]
        if v.get("item_2") and v.get("quantity_2"):
            lines.append(supplies.Line(v["item_2"], v["quantity_2"]))
        return lines


class RejectForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("reason for rejection"), max_length=500)


def _run(request, form, call, done: str) -> bool:
    """Call the workflow; its 400 lands on the form, its 409 as a message."""
    try:
        call()
    except ValidationError as exc:
        add_errors(form, exc)
        return False
    except Conflict as exc:
        form.add_error(None, str(exc))
        return False
    messages.success(request, done)
    return True


# --- warehouses -------------------------------------------------------------------------------------------------


@login_required
def warehouse_list(request):
    low = Count("stock", filter=Q(stock__quantity__lt=F("stock__minimum")))
    held = Count("stock", filter=Q(stock__quantity__gt=0))
    houses = (
        Warehouse.objects.visible_to(request.user)
        .select_related("department", "region")
        .annotate(held=held, low=low)
        .order_by("-id")
    )
    expiring = Stock.objects.visible_to(request.user).expiring().count()
    below = Stock.objects.visible_to(request.user).below_minimum().count()
    context = {"page": paginate(request, houses), "may_create": supplies.may_keep_warehouses(request.user),
               "expiring": expiring, "below": below, "may_request": supplies.may_request(request.user)}  # fmt: skip
    return render(request, "emergency/supplies/warehouses.html", context)


@login_required
def warehouse_new(request):
    if not supplies.may_keep_warehouses(request.user):
        raise PermissionDenied(_("Only the city office, a regional government or a department registers warehouses."))
    form = WarehouseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        made = []
        call = lambda: made.append(supplies.create_warehouse(request.user, form.cleaned_data))  # noqa: E731
        if _run(request, form, call, _("Warehouse registered.")):
            return redirect("supplies:warehouse", pk=made[0].pk)
    status = 400 if form.errors else 200
    return render(request, "emergency/supplies/warehouse_form.html", {"form": form}, status=status)


@login_required
def warehouse_detail(request, pk: int):
    house = get_object_or_404(Warehouse.objects.visible_to(request.user).select_related("department", "region"), pk=pk)
    allowed = supplies.can(request.user, house)
    move_form, minimum_form = MoveForm(prefix="move"), MinimumForm(prefix="minimum")
    if request.method == "POST":
        if request.POST.get("do") == "minimum":
            minimum_form = MinimumForm(request.POST, prefix="minimum")
            if minimum_form.is_valid() and _set_minimum(request, house, minimum_form):
                return redirect("supplies:warehouse", pk=pk)
        else:
            move_form = MoveForm(request.POST, prefix="move")
            if move_form.is_valid() and _move(request, house, move_form):
                return redirect("supplies:warehouse", pk=pk)
    context = {
        "house": house, "allowed": allowed, "move_form": move_form, "minimum_form": minimum_form,
        "stock": house.stock.select_related("item").order_by("item__category", "item__name", "id"),
        "moves": StockMove.objects.filter(stock__warehouse=house).select_related("stock__item", "by")[:30],
    }  # fmt: skip
    status = 400 if move_form.errors or minimum_form.errors else 200
    return render(request, "emergency/supplies/warehouse.html", context, status=status)


def _move(request, house, form) -> bool:
    v = form.cleaned_data
    if v["kind"] == StockMove.Kind.IN:
        call = lambda: supplies.receive(request.user, house.pk, v["item"], v["quantity"], v["reason"],  # noqa: E731
                                        v.get("produced_on"), v.get("expires_on"))  # fmt: skip
    else:
        take = supplies.issue if v["kind"] == StockMove.Kind.OUT else supplies.scrap
        call = lambda: take(request.user, house.pk, v["item"], v["quantity"], v["reason"])  # noqa: E731
    return _run(request, form, call, _("Stock move recorded."))


def _set_minimum(request, house, form) -> bool:
    v = form.cleaned_data
    call = lambda: supplies.set_minimum(request.user, house.pk, v["item"], v["minimum"])  # noqa: E731
    return _run(request, form, call, _("Minimum stock set."))


@login_required
def alerts(request):
    """Stock below its minimum or expiring (`?kind=below_minimum|expiring`; both by default)."""
    kind = request.GET.get("kind", "")
    rows = Stock.objects.visible_to(request.user).select_related("item", "warehouse")
    rows = {"below_minimum": rows.below_minimum(), "expiring": rows.expiring()}.get(kind, rows.alerts())
    return render(request, "emergency/supplies/alerts.html", {"page": paginate(request, rows), "kind": kind})


# --- allocation -------------------------------------------------------------------------------------------------


@login_required
def request_list(request):
    """The approvers' inbox and the territories' own requests: `?status=` (awaiting approval by default)."""
    status = request.GET.get("status", AllocationRequest.Status.PENDING)
    if status not in AllocationRequest.Status.values:
        status = AllocationRequest.Status.PENDING
    rows = (
        AllocationRequest.objects.visible_to(request.user)
        .filter(status=status)
        .select_related("warehouse", "region", "requested_by")
        .prefetch_related("lines__item")
    )
    context = {"page": paginate(request, rows), "status": status, "statuses": AllocationRequest.Status.choices,
               "may_request": supplies.may_request(request.user)}  # fmt: skip
    return render(request, "emergency/supplies/requests.html", context)


@login_required
def request_new(request):
    if not supplies.may_request(request.user):
        raise PermissionDenied(_("Only a territory's government or the city office asks for an allocation."))
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        v, made = form.cleaned_data, []
        call = lambda: made.append(supplies.request_allocation(  # noqa: E731
            request.user, v["warehouse"], form.lines(), v["destination"], v["reason"], v.get("destination_region"),
            v.get("destination_warehouse")))  # fmt: skip
        if _run(request, form, call, _("Request sent; the warehouse's owning unit has been told.")):
            return redirect("supplies:request", pk=made[0].pk)
    return render(request, "emergency/supplies/request_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def request_detail(request, pk: int):
    rows = AllocationRequest.objects.visible_to(request.user).select_related(
        "warehouse", "region", "destination_region", "destination_warehouse", "requested_by", "decided_by"
    )
    req = get_object_or_404(rows, pk=pk)
    reject_form = RejectForm()
    if request.method == "POST":
        if request.POST.get("do") == "reject":
            reject_form = RejectForm(request.POST)
            call = lambda: supplies.reject(request.user, pk, reject_form.cleaned_data["note"])  # noqa: E731
            if reject_form.is_valid() and _run(request, reject_form, call, _("Request rejected.")):
                return redirect("supplies:request", pk=pk)
        else:
            call = lambda: supplies.approve(request.user, pk)  # noqa: E731
            if _run(request, reject_form, call, _("Approved: the stock has moved.")):
                return redirect("supplies:request", pk=pk)
    context = {"req": req, "lines": req.lines.select_related("item"), "allowed": supplies.can(request.user, req),
               "reject_form": reject_form}  # fmt: skip
    return render(request, "emergency/supplies/request.html", context, status=400 if reject_form.errors else 200)


@login_required
def plan_list(request):
    rows = AllocationPlan.objects.visible_to(request.user).select_related("region", "department")
    return render(request, "emergency/supplies/plans.html", {"page": paginate(request, rows)})


@login_required
def plan_detail(request, pk: int):
    plan = get_object_or_404(AllocationPlan.objects.visible_to(request.user).select_related("region"), pk=pk)
    lines = plan.lines.select_related("warehouse", "item", "destination_region")
    return render(request, "emergency/supplies/plan.html", {"plan": plan, "lines": lines})


@login_required
def ledger(request):
    """The allocation ledger (approved allocations in scope) as an Excel workbook, streamed."""
    response = StreamingHttpResponse(supplies_ledger.ledger_workbook(request.user), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="allocation-ledger.xlsx"'
    return response
