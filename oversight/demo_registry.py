"""The registry flags of the demo city that its generator does not draw: two construction and mining enterprises of
新城区 found working under a borrowed qualification (卖资质), set through the registry's writer as demo-city.
Idempotent: a flag already set is left."""

from __future__ import annotations

from organizations.models import Enterprise, User
from organizations.registry import save_enterprise

BORROWED = 2


def load_demo_registry_flags() -> dict[str, int]:
    actor = User.objects.filter(username="demo-city").first()
    if actor is None:
        return {"borrowed_qualification": 0, "borrowed_qualification_created": 0}
    flagged = Enterprise.objects.filter(is_borrowed_qualification=True)
    created = 0
    if not flagged.exists():
        candidates = Enterprise.objects.filter(industry__name__in=("建筑施工", "非煤矿山"), operating_state="operating")
        for enterprise in candidates.order_by("pk")[:BORROWED]:
            enterprise.is_borrowed_qualification = True
            save_enterprise(actor, enterprise, "专项整治中发现借用他人资质承揽工程")
            created += 1
    return {"borrowed_qualification": flagged.count(), "borrowed_qualification_created": created}
