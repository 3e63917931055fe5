"""Photos sent one per request with an upload key (#21: an offline queue retries on a bad network, perhaps from two
devices): a photo is stored once, with one timeline event; the API says 201 when stored, 200 when already there."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from hazards import workflow
from hazards.choices import Action
from hazards.models import HazardPhoto
from safety_platform.lib.errors import Conflict

from .conftest import advance, jpeg_bytes


def photo(name="p.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(), "image/jpeg")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def photo_events(hazard) -> int:
    return hazard.events.filter(action=Action.ADD_PHOTO).count()


def test_the_same_key_stores_one_photo_and_another_key_another(hz):
    hazard = advance(hz, "reported")
    inspector, key = hz.users["inspector"], uuid.uuid4()
    first, created = workflow.add_keyed_photo(inspector, hazard.pk, [photo()], "finding", key)
    again, created_again = workflow.add_keyed_photo(inspector, hazard.pk, [photo()], "finding", key)
    assert (created, created_again) == (True, False) and again.pk == first.pk
    assert workflow.add_keyed_photo(inspector, hazard.pk, [photo()], "finding", key) == (first, False)
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 1 and photo_events(hazard) == 1
    second, created = workflow.add_keyed_photo(inspector, hazard.pk, [photo()], "finding", uuid.uuid4())
    assert created and second.pk != first.pk
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 2 and photo_events(hazard) == 2


def test_a_key_takes_exactly_one_photo(hz):
    hazard = advance(hz, "reported")
    for files in ([], [photo("a.jpg"), photo("b.jpg")]):
        with pytest.raises(ValidationError) as caught:
            workflow.add_keyed_photo(hz.users["inspector"], hazard.pk, files, "finding", uuid.uuid4())
        assert set(caught.value.message_dict) == {"file"}
    assert not HazardPhoto.objects.filter(hazard=hazard).exists() and photo_events(hazard) == 0


def test_a_retry_once_the_hazard_is_closed_still_returns_the_photo(hz):
    hazard = advance(hz, "reported")
    key = uuid.uuid4()
    stored, _ = workflow.add_keyed_photo(hz.users["inspector"], hazard.pk, [photo()], "finding", key)
    workflow.dismiss(hz.users["county_dept"], hazard, "重复上报")
    again, created = workflow.add_keyed_photo(hz.users["inspector"], hazard.pk, [photo()], "finding", key)
    assert (again.pk, created) == (stored.pk, False)
    with pytest.raises(Conflict):  # a new photo on a closed hazard is refused as before
        workflow.add_keyed_photo(hz.users["inspector"], hazard.pk, [photo()], "finding", uuid.uuid4())


def test_the_api_answers_201_then_200_by_form_field_or_header(hz):
    hazard = advance(hz, "reported")
    client = api(hz.users["inspector"])
    url = f"/api/v1/hazards/{hazard.pk}/photos/"
    key = str(uuid.uuid4())
    sent = client.post(url, {"file": photo(), "photo_key": key}, format="multipart")
    assert sent.status_code == 201, sent.json()
    by_header = client.post(url, {"file": photo()}, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert by_header.status_code == 200 and by_header.json() == sent.json()
    assert len(sent.json()) == 1 and HazardPhoto.objects.get(hazard=hazard).upload_key == uuid.UUID(key)
    other = client.post(url, {"file": photo()}, format="multipart", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert other.status_code == 201 and HazardPhoto.objects.filter(hazard=hazard).count() == 2
    bad = client.post(url, {"file": photo()}, format="multipart", HTTP_IDEMPOTENCY_KEY="nope")
    assert bad.status_code == 400 and "photo_key" in bad.json()
    two = client.post(url, {"file": [photo("a.jpg"), photo("b.jpg")], "photo_key": str(uuid.uuid4())},
                      format="multipart")  # fmt: skip
    assert two.status_code == 400 and "file" in two.json()
    unkeyed = client.post(url, {"file": [photo("a.jpg"), photo("b.jpg")]}, format="multipart")
    assert unkeyed.status_code == 201 and len(unkeyed.json()) == 2  # without a key, as before


def test_an_empty_photo_key_is_refused_not_taken_as_none(hz):
    """GIVEN a multipart upload whose `photo_key` is sent empty WHEN posted THEN it is a 400 on `photo_key` (the
    schema says a UUID) and nothing is stored; left out, the photo is stored without a key as before."""
    client = api(hz.users["inspector"])
    hazard = advance(hz, "reported")
    url = f"/api/v1/hazards/{hazard.pk}/photos/"
    refused = client.post(url, {"file": photo(), "photo_key": ""}, format="multipart")
    assert refused.status_code == 400 and "photo_key" in refused.json()
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 0
    assert client.post(url, {"file": photo()}, format="multipart").status_code == 201
