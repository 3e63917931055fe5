"""Files a program gets back with its token: the photo `url`s and evaluation documents the API names answer with the
bytes in the hazard's scope, and 404 outside it."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hazards import workflow
from hazards.models import EvaluationDocument, HazardPhoto

from .conftest import advance, filing, jpeg_bytes


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.get_or_create(user=user)[0].key)
    return client


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (255, 255, 255)).save(buffer, "PDF")
    return buffer.getvalue()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_photo_urls_answer_the_token_with_the_bytes(hz):
    photo = SimpleUploadedFile("x.jpg", jpeg_bytes((320, 240)), "image/jpeg")
    hazard, _ = workflow.file_hazard(hz.users["inspector"], filing(hz, photos=(photo,)))
    stored = HazardPhoto.objects.get(hazard=hazard)
    client = token_client(hz.users["enterprise"])
    detail = client.get(f"/api/v1/hazards/{hazard.pk}/").json()
    shown = detail["photos"][0]
    assert shown["url"] == f"/api/v1/hazard-photos/{stored.pk}/"

    image = client.get(shown["url"], HTTP_ACCEPT="image/*")
    assert image.status_code == 200
    assert image["Content-Type"] == stored.content_type
    assert body(image) == stored.image.open("rb").read()
    thumbnail = client.get(shown["thumbnail_url"])
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    assert body(thumbnail) == stored.thumbnail.open("rb").read()

    # Another scope (the construction bureau, an enterprise elsewhere) is a 404; no credentials is a 401.
    assert token_client(hz.users["dept_head"]).get(shown["url"]).status_code == 404
    assert token_client(hz.users["dept_head"]).get(shown["thumbnail_url"]).status_code == 404
    assert APIClient().get(shown["url"]).status_code == 401
    assert client.get(f"/api/v1/hazard-photos/{stored.pk + 1000}/").status_code == 404


def test_evaluation_documents_download_in_scope(hz):
    hazard = advance(hz, "rectifying", level="major")
    content = pdf_bytes()
    workflow.attach_evaluation(
        hz.users["enterprise"], hazard, SimpleUploadedFile("e.pdf", content, "application/pdf"), "专家评估"
    )
    document = EvaluationDocument.objects.get(hazard=hazard)
    client = token_client(hz.users["county_dept"])
    shown = client.get(f"/api/v1/hazards/{hazard.pk}/").json()["evaluations"]
    assert shown == [
        {
            "id": document.pk,
            "note": "专家评估",
            "content_type": "application/pdf",
            "uploaded_at": shown[0]["uploaded_at"],
            "url": f"/api/v1/hazard-evaluations/{document.pk}/",
        }
    ]
    download = client.get(shown[0]["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert body(download) == document.file.open("rb").read()
    assert token_client(hz.users["enterprise"]).get(shown[0]["url"]).status_code == 200  # its own enterprise

    assert token_client(hz.users["dept_head"]).get(shown[0]["url"]).status_code == 404
    assert APIClient().get(shown[0]["url"]).status_code == 401
    # The page links the same download, which the session opens.
    page = APIClient()
    page.force_login(hz.users["county_dept"])
    assert shown[0]["url"] in page.get(f"/hazards/{hazard.pk}/").content.decode()
    assert page.get(shown[0]["url"]).status_code == 200
