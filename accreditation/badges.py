"""What a badge's category is, and how it looks: one rule each, in one place.

The category follows from the delegation and the delegate's role unless staff
choose another (a journalist, a security officer): a UN official is United
Nations whatever the delegation, the organiser's people are secretariat staff,
and the rest take their delegation's kind. Each category prints in its own
colour and always with its name in words, so colour is never the only sign.
"""

from django.utils.translation import gettext_lazy as _

from accreditation.models import Badge

Category = Badge.Category

# Background of the category band and the ink printed on it (contrast >= 4.5:1).
COLOURS: dict[str, tuple[str, str]] = {
    Category.MEMBER_STATE: ("#0b5394", "#ffffff"),  # blue
    Category.OBSERVER: ("#2e7d32", "#ffffff"),  # green
    Category.UNITED_NATIONS: ("#5b92e5", "#000000"),  # UN light blue
    Category.SECRETARIAT: ("#6a1b9a", "#ffffff"),  # purple
    Category.MEDIA: ("#ef6c00", "#000000"),  # orange
    Category.SECURITY: ("#c62828", "#ffffff"),  # red
}

# The English and Russian words printed on the band, whatever the interface's
# language: a badge is read by people of both.
LABELS = {
    Category.MEMBER_STATE: ("MEMBER STATE", "ГОСУДАРСТВО-ЧЛЕН"),
    Category.OBSERVER: ("OBSERVER", "НАБЛЮДАТЕЛЬ"),
    Category.UNITED_NATIONS: ("UNITED NATIONS", "ОРГАНИЗАЦИЯ ОБЪЕДИНЕННЫХ НАЦИЙ"),
    Category.SECRETARIAT: ("SECRETARIAT", "СЕКРЕТАРИАТ"),
    Category.MEDIA: ("MEDIA", "СМИ"),
    Category.SECURITY: ("SECURITY", "БЕЗОПАСНОСТЬ"),
}

CATEGORY_HELP = _(
    "Left empty, the category follows the delegation: Member State, observer, "
    "or secretariat staff for the organiser; a UN official is United Nations."
)


def default_category(delegate) -> str:
    """Return the category a delegate's badge takes unless staff choose one."""
    if delegate.role == "un_official":
        return Category.UNITED_NATIONS
    kind = delegate.delegation.kind
    if kind == "organiser":
        return Category.SECRETARIAT
    if kind == "observer":
        return Category.OBSERVER
    return Category.MEMBER_STATE
