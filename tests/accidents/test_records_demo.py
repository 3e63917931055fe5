"""The demo's accident records: a closed autumn fire at the demo enterprise with its PDF report, a recent accident
under investigation at another enterprise, one accident elsewhere; a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accidents.demo import load_demo_accidents
from accidents.models import Accident
from organizations.models import User
from tests.conftest import reseed


@pytest.mark.django_db
def test_the_demo_city_has_two_records_from_incidents_and_one_elsewhere(settings, tmp_path):
    """GIVEN the demo loaded THEN three records: the demo enterprise's fire closed with a PDF report, another
    enterprise's under investigation (recent), one elsewhere (large, 其他爆炸, chemicals) seen by the district;
    the incidents not counted late; WHEN loaded again THEN nothing new."""
    settings.MEDIA_ROOT = tmp_path
    reseed()
    call_command("seed_demo", stdout=StringIO())
    closed, open_ = Accident.objects.filter(external=False).order_by("occurred_at")
    owner = User.objects.get(username="demo-enterprise")
    assert closed.enterprise_id == owner.enterprise_id and closed.investigation == "closed"
    assert closed.report.open("rb").read(5) == b"%PDF-" and closed.direct_causes
    assert open_.investigation == "investigating" and open_.enterprise_id != owner.enterprise_id
    assert (timezone.now() - open_.occurred_at).days < 7 and open_.deaths == 1
    assert closed.incident.delay_minutes == 0 and closed.department is not None
    external = Accident.objects.get(external=True)
    assert (external.grade, external.accident_type, external.industry.code) == ("large", "18", "1001")
    district = User.objects.get(username="demo-district")
    assert Accident.objects.visible_to(district).count() == 3
    assert not Accident.objects.visible_to(owner).filter(external=True).exists()
    assert load_demo_accidents() == {"accidents": 3, "accidents_created": 0}
