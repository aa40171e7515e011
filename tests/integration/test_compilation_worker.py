"""A real worker renders the compilation of comments a drafter asked for: on
the broker the tests run with (the embedded default's file broker and SQLite,
or Redis and PostgreSQL with REQUIRE_SERVICES=1)."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from declaration.compilation import absolute
from declaration.models import Comment, Compilation
from declaration.services import add_comment, request_compilation
from dialogue.fonts import warm_fonts
from tests.declaration.factories import DeclarationFactory, version_with_text
from tests.factories import DelegationFactory
from tests.services import WorkerProcess, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_renders_the_compilation_in_both_languages(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    declaration = DeclarationFactory(title_en="Compilation Declaration")
    kazakhstan = DelegationFactory(meeting=declaration.meeting, country_code="KZ")
    version = version_with_text(declaration, 1, status="circulated")
    add_comment(
        version,
        delegation=kazakhstan,
        paragraph_id=version.paragraphs.get(position=3).pk,
        kind=Comment.Kind.INSERT,
        new_kind="operative",
        language="ru",
        text="призываем к обмену опытом в сфере финансовой разведки;",
    )
    warm_fonts()  # so the render is not the (once per machine) font build
    worker = WorkerProcess(extra_env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)}).start()
    try:
        # Queued at once (no transaction around it here): the worker takes it.
        compilation = request_compilation(version)
        ready = wait_for(
            lambda: (
                Compilation.objects.get(pk=compilation.pk).status in ("ready", "failed")
            ),
            timeout=120,
        )
    finally:
        worker.stop()
    log = worker.output()
    assert ready, log
    compilation.refresh_from_db()
    assert (compilation.status, compilation.progress, compilation.error) == (
        "ready",
        3,
        "",
    ), log
    assert "declaration.tasks.render_compilation" in log
    texts = {}
    for lang in ("en", "ru"):
        reader = PdfReader(absolute(getattr(compilation, f"pdf_{lang}")))
        texts[lang] = " ".join(
            " ".join(page.extract_text() for page in reader.pages).split()
        )
    assert "KZ-1" in texts["en"] and "new OP after OP1" in texts["en"]
    assert "новый пункт постановляющей части после п. 1" in texts["ru"]
    assert "призываем к обмену опытом в сфере финансовой разведки;" in texts["ru"]
    workbook = load_workbook(io.BytesIO(absolute(compilation.xlsx).read_bytes()))
    assert workbook["Comments v1"]["C4"].value == "KZ-1"
