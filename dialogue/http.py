"""Response helpers every app's link pages share."""


def private(response):
    """Mark a link page as personal: not cached by proxies, not indexed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
