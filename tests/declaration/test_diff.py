"""The paragraph-aware diff on known inputs, with exact expected structures."""

from declaration.diff import Para, diff_paragraphs, diff_words, summary


def paras(*items):
    return [Para(label, kind, text) for label, kind, text in items]


OLD = paras(
    ("PP1", "preambular", "Recalling the Global Strategy,"),
    ("PP2", "preambular", "Welcoming the Joint Plan of Action,"),
    ("PP3", "preambular", "Taking note of the Plan of Action,"),
    ("OP1", "operative", "Commit to cooperate closely;"),
    ("OP2", "operative", "Decide to meet again in 2018;"),
    ("OP3", "operative", "Thank the host."),
)
NEW = paras(
    ("PP1", "preambular", "Taking note of the Plan of Action,"),
    ("PP2", "preambular", "Recalling the Global Strategy,"),
    ("PP3", "preambular", "Welcoming the Joint Plan of Action,"),
    ("OP1", "operative", "Commit to cooperate very closely;"),
    ("OP2", "operative", "Call upon donors to support the third phase;"),
    ("OP3", "operative", "Thank the host."),
)


def test_diff_paragraphs_detects_moved_changed_added_removed():
    result = [entry.as_tuple() for entry in diff_paragraphs(OLD, NEW)]
    assert result == [
        ("moved", "PP3", "PP1", [("equal", "Taking note of the Plan of Action,")]),
        ("unchanged", "PP1", "PP2", [("equal", "Recalling the Global Strategy,")]),
        (
            "unchanged",
            "PP2",
            "PP3",
            [("equal", "Welcoming the Joint Plan of Action,")],
        ),
        (
            "changed",
            "OP1",
            "OP1",
            [
                ("equal", "Commit to cooperate "),
                ("insert", "very "),
                ("equal", "closely;"),
            ],
        ),
        ("removed", "OP2", None, [("delete", "Decide to meet again in 2018;")]),
        (
            "added",
            None,
            "OP2",
            [("insert", "Call upon donors to support the third phase;")],
        ),
        ("unchanged", "OP3", "OP3", [("equal", "Thank the host.")]),
    ]
    assert summary(diff_paragraphs(OLD, NEW)) == {
        "changed": 1,
        "moved": 1,
        "added": 1,
        "removed": 1,
        "unchanged": 3,
    }


def test_diff_paragraphs_moved_and_reworded_paragraph_is_moved_with_word_changes():
    old = paras(
        ("OP1", "operative", "Agree to strengthen regional cooperation;"),
        ("OP2", "operative", "Request a report;"),
        ("OP3", "operative", "Thank the host."),
    )
    new = paras(
        ("OP1", "operative", "Request a report;"),
        ("OP2", "operative", "Thank the host."),
        ("OP3", "operative", "Agree to strengthen regional cooperation further;"),
    )
    result = [entry.as_tuple() for entry in diff_paragraphs(old, new)]
    assert result == [
        ("unchanged", "OP2", "OP1", [("equal", "Request a report;")]),
        ("unchanged", "OP3", "OP2", [("equal", "Thank the host.")]),
        (
            "moved",
            "OP1",
            "OP3",
            [
                ("equal", "Agree to strengthen regional cooperation"),
                ("insert", " further"),
                ("equal", ";"),
            ],
        ),
    ]


def test_diff_paragraphs_kind_change_counts_as_change():
    old = paras(("PP1", "preambular", "Welcoming the plan,"))
    new = paras(("OP1", "operative", "Welcoming the plan,"))
    (entry,) = diff_paragraphs(old, new)
    assert (entry.status, entry.kind_changed, entry.text_changed) == (
        "changed",
        True,
        False,
    )


def test_diff_paragraphs_removed_first_paragraph_goes_first():
    old = paras(("PP1", "preambular", "Gone,"), ("PP2", "preambular", "Kept,"))
    new = paras(("PP1", "preambular", "Kept,"))
    result = [entry.as_tuple() for entry in diff_paragraphs(old, new)]
    assert result == [
        ("removed", "PP1", None, [("delete", "Gone,")]),
        ("unchanged", "PP2", "PP1", [("equal", "Kept,")]),
    ]


def test_diff_words_replacement_in_cyrillic():
    segments = diff_words(
        "обязуемся тесно сотрудничать;", "обязуемся активно сотрудничать;"
    )
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "обязуемся "),
        ("delete", "тесно"),
        ("insert", "активно"),
        ("equal", " сотрудничать;"),
    ]


def test_diff_html_escapes_markup_before_wrapping():
    markup = '<script>alert(1)</script> <img src="file:///etc/passwd">'
    old = paras(("OP1", "operative", "Commit to act <b>now</b>;"))
    new = paras(("OP1", "operative", f"Commit to act {markup};"))
    html = "".join(str(entry.html()) for entry in diff_paragraphs(old, new))
    assert "<script>" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert (
        set(
            html.replace("<ins>", "")
            .replace("</ins>", "")
            .replace("<del>", "")
            .replace("</del>", "")
        )
        & set("<>")
        == set()
    )
