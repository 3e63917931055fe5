"""The demo's warning circular (`accidents.demo_circulars`): nothing without a published lesson; with one, its circular
issued by demo-city, some units acknowledged, demo-enterprise's not; a second run changes nothing."""

from __future__ import annotations

from accidents.demo_circulars import load_demo_circulars
from accidents.models import Circular
from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind
from tests.factories import PositionFactory, UserFactory, assign

from .circulars_fixtures import *  # noqa: F403  (the fixtures)
from .circulars_fixtures import published_lesson


def test_without_a_published_lesson_the_demo_does_nothing(world):
    """GIVEN no lesson WHEN the demo loads THEN zero counts, no circular."""
    assert load_demo_circulars() == {"circulars": 0, "circulars_created": 0, "circulars_acknowledged": 0,
                                     "circulars_acknowledged_created": 0}  # fmt: skip


def test_the_running_lessons_circular_is_issued_and_partly_acknowledged_once(world, posts):
    """GIVEN demo-city and a published lesson WHEN the demo loads twice THEN one circular, issued by demo-city with
    the draft's title, some notices acknowledged and some not; the second run adds nothing."""
    city = UserFactory(username="demo-city", unit_kind=UnitKind.CITY_OFFICE, region=world.city)
    assign(
        city, PositionFactory(kind=PositionKind.CITY_OFFICE_STAFF, unit_kind=UnitKind.CITY_OFFICE, region=world.city)
    )
    published_lesson(world)
    counts = load_demo_circulars()
    circular = Circular.objects.get()
    assert circular.issued_by == city and circular.title.startswith("关于") and counts["circulars_created"] == 1
    notices = Notification.objects.filter(key__startswith=f"circular:{circular.pk}:")
    done = notices.filter(acknowledged_at__isnull=False).count()
    assert done == counts["circulars_acknowledged"] > 0 and notices.filter(acknowledged_at__isnull=True).exists()
    again = load_demo_circulars()
    assert again["circulars_created"] == again["circulars_acknowledged_created"] == 0
    assert Circular.objects.count() == 1 and again["circulars_acknowledged"] == done
