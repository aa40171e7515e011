"""Ids that arrive in URLs and forms."""


def parse_id(value) -> int | None:
    """Return a positive database id from user input, or None.

    str.isdigit() accepts "²" and other Unicode digits that int() refuses, so a
    check with it alone turns odd input into a server error.
    """
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number < 2**63 else None
