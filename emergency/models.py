"""Emergency readiness: supplies (warehouses, catalogue, stock, moves, allocation) and rescue teams (readiness,
pre-positioned forces). See docs/emergency.md."""
