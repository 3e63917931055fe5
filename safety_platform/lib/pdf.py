"""HTML to A4 PDF with WeasyPrint, from a template and the server's Noto CJK fonts: every printed document (hazard
documents, the risk notice card, the inspection record, the warning circular, enforcement documents) goes through
`pdf_response`, at the bottom so that any app may print without importing another."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def pdf_response(request, template: str, context: dict, filename: str) -> HttpResponse:
    """Render the template to a PDF shown inline; 503 with a reason where Pango is missing."""
    try:
        from weasyprint import HTML  # imported here: only the PDF pages need Pango
    except OSError:
        message = _("PDF output needs the Pango library and Noto CJK fonts on the server (see README).")
        return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    html = render_to_string(template, context, request=request)
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
