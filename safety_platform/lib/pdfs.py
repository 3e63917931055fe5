"""Uploaded PDFs (evaluation documents), checked by parsing them with pypdf rather than by their first bytes.

A file that starts `%PDF-` and goes on as HTML or anything else is not a PDF: it has no cross-reference table, no
trailer and no pages, and pypdf says so. The file is stored as it came (it may carry a signature); only its
structure is checked here, without decoding any content stream.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from pypdf import PdfReader

PDF_MAGIC = b"%PDF-"


class PdfRejected(ValueError):
    """A file we refuse as a PDF: `message` is a translated sentence for the person who uploaded it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def looks_like_pdf(content: bytes) -> bool:
    """Whether the file announces itself as a PDF; `check_pdf` then decides whether it is one."""
    return content.startswith(PDF_MAGIC)


def check_pdf(content: bytes) -> int:
    """The number of pages of a PDF that parses; raises PdfRejected otherwise."""
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise PdfRejected(_("The PDF is protected by a password; attach one that opens without it."))
        pages = len(reader.pages)
    except PdfRejected:
        raise
    except Exception as exc:  # pypdf raises many kinds (its own, ValueError, KeyError, RecursionError) on bad input
        raise PdfRejected(_("The file is not a readable PDF.")) from exc
    if pages < 1:
        raise PdfRejected(_("The PDF has no pages."))
    return pages
