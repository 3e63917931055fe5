"""What is attached to a hazard: photos (from the workflow's people, or from an inspection's failed items) and the
evaluation document of a major hazard's rectification. Each attachment writes the hazard's timeline event."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from organizations.choices import UnitKind
from organizations.models import User
from safety_platform.lib import pdfs
from safety_platform.lib.images import ImageRejected, clean_image, clean_images

from ..choices import Action, PhotoKind
from ..models import EvaluationDocument, Hazard, HazardPhoto
from ._common import _discard_files, _event, _locked, _store_photos
from .permissions import check


def add_photos(actor: User, hazard: Hazard | int, files, kind: str = PhotoKind.FINDING) -> list[HazardPhoto]:
    """Photos can be added while a hazard is open, by whoever may see it and works on it. A photo sent under an
    upload key (an offline device's, which may send it again) goes through `add_keyed_photo`."""
    return _add(actor, hazard, clean_images(files, "file"), kind)[0]


def add_keyed_photo(actor: User, hazard: Hazard | int, files, kind: str, key: uuid.UUID) -> tuple[HazardPhoto, bool]:
    """One photo under its upload key; returns (photo, created). When the hazard already has a photo with this key
    (a retry on a bad network, or the same queue sent from a second device) that photo is returned and nothing is
    stored, with no new timeline event, even once the hazard is closed."""
    if len(files) != 1:
        raise ValidationError({"file": _("Send exactly one photo with an upload key.")})
    stored, created = _add(actor, hazard, clean_images(files, "file"), kind, key)
    return stored[0], created


def _add(
    actor: User, hazard: Hazard | int, images: list, kind: str, key: uuid.UUID | None = None
) -> tuple[list[HazardPhoto], bool]:
    stored: list[HazardPhoto] = []
    try:
        with transaction.atomic():
            hazard = _locked(actor, hazard)
            if key is not None:
                earlier = HazardPhoto.objects.filter(hazard=hazard, upload_key=key).first()
                if earlier is not None:
                    return [earlier], False
            check(actor, hazard, "add_photos")
            if actor.unit_kind == UnitKind.ENTERPRISE:
                kind = PhotoKind.EVIDENCE
            stored = _store_photos(hazard, actor, images, kind, key)
            _event(hazard, actor, Action.ADD_PHOTO, hazard.status, photos=len(stored), kind=kind)
            return stored, True
    except Exception:
        _discard_files(stored)
        raise


def attach_inspection_photos(actor: User, hazard: Hazard, photos: Iterable) -> list[HazardPhoto]:
    """An inspection's photos of a failed item become the finding photos of the hazard it filed: the same stored
    files (`image`, `thumbnail`, `content_type`, `width`, `height`, `uploaded_by` of each), each attached once,
    and one timeline event when any is new. Called by the inspection's submit, inside its transaction, for the
    hazard the actor has just filed."""
    with transaction.atomic():
        attached = []
        for photo in photos:
            hazard_photo, created = HazardPhoto.objects.get_or_create(
                hazard=hazard,
                image=photo.image.name,
                defaults={
                    "kind": PhotoKind.FINDING,
                    "thumbnail": photo.thumbnail.name,
                    "content_type": photo.content_type,
                    "width": photo.width,
                    "height": photo.height,
                    "uploaded_by": photo.uploaded_by,
                },  # fmt: skip
            )
            if created:
                attached.append(hazard_photo)
        if attached:
            _event(hazard, actor, Action.ADD_PHOTO, hazard.status, photos=len(attached), kind=PhotoKind.FINDING)
        return attached


def attach_evaluation(actor: User, hazard: Hazard | int, upload, note: str = "") -> EvaluationDocument:
    """The evaluation of a major hazard's rectification: a PDF or a photo of the signed document."""
    content, content_type, extension = _evaluation_content(upload)
    with transaction.atomic():
        hazard = _locked(actor, hazard)
        check(actor, hazard, "attach_evaluation")
        document = EvaluationDocument(hazard=hazard, content_type=content_type, note=note, uploaded_by=actor)
        document.file.save(f"evaluation-{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
        document.save()
        _event(hazard, actor, Action.ADD_EVALUATION, hazard.status, note=note)
        return document


def _evaluation_content(upload) -> tuple[bytes, str, str]:
    limit = getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    head = upload.read(len(pdfs.PDF_MAGIC))
    upload.seek(0)
    if pdfs.looks_like_pdf(head):
        content = upload.read(limit + 1)
        if len(content) > limit:
            raise ValidationError({"file": _("The file is larger than %(limit)s MB.") % {"limit": limit // 2**20}})
        try:
            pdfs.check_pdf(content)
        except pdfs.PdfRejected as exc:
            raise ValidationError({"file": exc.message}) from exc
        return content, "application/pdf", "pdf"
    try:
        image = clean_image(upload)
    except ImageRejected as exc:
        raise ValidationError({"file": _("Attach a PDF or a photo of the evaluation.") + " " + exc.message}) from exc
    return image.content, image.content_type, image.extension
