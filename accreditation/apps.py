from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccreditationConfig(AppConfig):
    """Accreditation: focal points' nominations and the secretariat's review,
    credentials (notes verbales), badges with a signed QR code, and check-in
    at the door.

    Accreditation reads and writes delegations through their services and
    selectors; delegations never import accreditation.
    """

    name = "accreditation"
    verbose_name = _("Accreditation")
    default_auto_field = "django.db.models.BigAutoField"
