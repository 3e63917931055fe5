"""Files a client downloads through the API: the content negotiation that lets a file answer any `Accept`, and the
schema's description of a file response."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.negotiation import DefaultContentNegotiation


class AnyAccept(DefaultContentNegotiation):
    """A file answers whatever the client accepts (`Accept: image/*` from an image loader must not be a 406);
    errors are still JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


FILE_RESPONSES = {
    (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file's bytes."),
}
