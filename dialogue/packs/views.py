"""Downloads of ready packs through a participant's personal or focal-point link."""

from django.http import FileResponse, Http404
from django.views import View

from delegations.selectors import active_link, link_delegation
from dialogue.http import private
from dialogue.packs.models import Pack
from dialogue.packs.selectors import downloadable_manifest, downloadable_pack

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def pdf_response(pack: Pack, filename: str) -> FileResponse:
    """Stream a pack's file (PDF, or a travel list's XLSX); 404 when it is not on
    disk (never a partial file)."""
    from dialogue.packs.files import absolute

    try:
        handle = absolute(pack.file).open("rb")
    except (OSError, ValueError):
        raise Http404("No such file.") from None
    response = FileResponse(
        handle,
        content_type=CONTENT_TYPES[pack.file_format],
        as_attachment=pack.file_format != "pdf",
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class PackDownloadView(View):
    """GET /l/<token>/pack/<language>.pdf: the link's delegation's pack.

    A wrong, revoked or expired link, an unknown language or a pack not yet
    rendered are the same 404. The file is streamed from MEDIA_ROOT; there is no
    public URL for it.
    """

    def get(self, request, token: str, language: str):
        link = active_link(token)
        if link is None or language not in Pack.Language.values:
            raise Http404("No such page.")
        pack = downloadable_pack(link_delegation(link), language)
        if pack is None:
            raise Http404("No such page.")
        return private(pdf_response(pack, f"briefing-pack-{language}.pdf"))


class ManifestDownloadView(View):
    """GET /l/<token>/manifest/<language>.pdf: the focal point's delegation's
    arrivals and departures manifest (its lines only).

    Only a focal-point link opens it; a delegate's link, a wrong, revoked or
    expired one, an unknown language or a manifest not yet rendered are the
    same 404.
    """

    def get(self, request, token: str, language: str):
        link = active_link(token)
        if link is None or link.kind != "focal_point" or language not in ("en", "ru"):
            raise Http404("No such page.")
        pack = downloadable_manifest(link.delegation, language)
        if pack is None:
            raise Http404("No such page.")
        return private(pdf_response(pack, f"manifest-{language}.pdf"))
