"""Files a client gets back through the API, with its token: hazard photos (and their thumbnails) and evaluation
documents. The same scope as the hazard: a file of a hazard outside the user's scope is a 404."""

from __future__ import annotations

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from safety_platform.lib.files import FILE_RESPONSES, AnyAccept

from .models import EvaluationDocument, Hazard, HazardPhoto

CACHE = "private, max-age=3600"


def photo_url(photo: HazardPhoto, thumbnail: bool = False) -> str:
    return reverse("hazard-photo-thumbnail" if thumbnail else "hazard-photo-file", args=[photo.pk])


def evaluation_url(document: EvaluationDocument) -> str:
    return reverse("hazard-evaluation-file", args=[document.pk])


class ScopedFileView(generics.GenericAPIView):
    content_negotiation_class = AnyAccept
    pagination_class = None
    filter_backends = []

    def visible_hazards(self):
        return Hazard.objects.visible_to(self.request.user)


class PhotoFileView(ScopedFileView):
    """A hazard photo (or its JPEG thumbnail): what the `url` and `thumbnail_url` of a photo point to."""

    thumbnail = False

    def get_queryset(self):
        return HazardPhoto.objects.filter(hazard__in=self.visible_hazards())

    @extend_schema(responses=FILE_RESPONSES)
    def get(self, request, pk: int):
        photo = self.get_object()
        field = photo.thumbnail if self.thumbnail else photo.image
        content_type = "image/jpeg" if self.thumbnail else photo.content_type
        response = FileResponse(field.open("rb"), content_type=content_type)
        response["Cache-Control"] = CACHE
        return response


class ThumbnailFileView(PhotoFileView):
    thumbnail = True


class EvaluationFileView(ScopedFileView):
    """An evaluation document of a major hazard's rectification (a PDF or a photo of the signed document)."""

    def get_queryset(self):
        return EvaluationDocument.objects.filter(hazard__in=self.visible_hazards()).select_related("hazard")

    @extend_schema(responses=FILE_RESPONSES)
    def get(self, request, pk: int):
        document = self.get_object()
        extension = document.file.name.rsplit(".", 1)[-1]
        response = FileResponse(
            document.file.open("rb"),
            content_type=document.content_type,
            as_attachment=True,
            filename=f"{document.hazard.code}-evaluation-{document.pk}.{extension}",
        )
        response["Cache-Control"] = CACHE
        return response
