"""Loading data into the database for demos and benchmarks (`manage.py seed_demo`, `manage.py seed_bulk`).

The top layer: it may import every app. `copy` writes many rows fast; `enterprises`, `hazards` and `inspections`
generate bulk rows. The demo city's content stays with its apps (`organizations.demo`, `hazards.demo`, ...).
"""
