"""The files a fixture's credentials name, generated when the fixture loads.

A fixture carries rows, not files: the 2017 meeting's notes verbales are
small PDFs written here, from the row, the first time `loaddata` saves it
(a raw save). Nothing else saves credentials raw; the upload goes through
accreditation.services.credentials and its checks.
"""

import hashlib

from django.template.loader import render_to_string


def note_verbale_pdf(credentials) -> bytes:
    """Return a one-page bilingual note verbale made from the row alone (the
    fixture's delegations may not be loaded yet when it is saved)."""
    import weasyprint

    html = render_to_string(
        "accreditation/credentials/fixture_note_verbale.html",
        {"credentials": credentials, "number": credentials.original_name[:-4]},
    )
    return weasyprint.HTML(string=html).write_pdf()


def write_fixture_file(sender, instance, raw: bool = False, **kwargs) -> None:
    """post_save of Credentials: on a fixture load, write the file it names."""
    if not raw or not instance.file.name:
        return
    storage = instance.file.storage
    if storage.exists(instance.file.name):  # loaded before: the same file
        with storage.open(instance.file.name, "rb") as existing:
            data = existing.read()
    else:
        from django.core.files.base import ContentFile

        data = note_verbale_pdf(instance)
        storage.save(instance.file.name, ContentFile(data))
    type(instance).objects.filter(pk=instance.pk).update(
        size=len(data), pages=1, sha256=hashlib.sha256(data).hexdigest()
    )
