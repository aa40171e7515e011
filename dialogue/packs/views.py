"""Downloads of ready packs through a participant's personal or focal-point link."""

from django.http import FileResponse, Http404
from django.views import View

from delegations.selectors import active_link, link_delegation
from dialogue.http import private
from dialogue.packs.models import Pack
from dialogue.packs.selectors import downloadable_pack


def pdf_response(pack: Pack, filename: str) -> FileResponse:
    """Stream a pack's file; 404 when it is not on disk (never a partial file)."""
    from dialogue.packs.files import absolute

    try:
        handle = absolute(pack.file).open("rb")
    except (OSError, ValueError):
        raise Http404("No such file.") from None
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=False, filename=filename
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
