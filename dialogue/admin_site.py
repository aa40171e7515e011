"""The admin site: staff log in with a password and a one-time code.

When STAFF_TWO_FACTOR is on (always, when DEBUG is off), a staff member is let
in only once a TOTP code from their authenticator app, or one of their
recovery codes, has verified the session (django-otp). Devices are enrolled
and reset with `manage.py two_factor`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class StaffAuthenticationForm(OTPAdminAuthenticationForm):
    """Password and one code; the device is found from the code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].label = _("Code")
        self.fields["otp_token"].help_text = _(
            "The 6-digit code from your authenticator app, or one of your "
            "recovery codes."
        )
        self.fields["otp_token"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "text", "required": True}
        )

    def _chosen_device(self, user):
        """Return the device the code is for: six digits are the authenticator
        app's, anything else a recovery code (no one picks a device, and no
        other device counts a failed try)."""
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        token = (self.cleaned_data.get("otp_token") or "").strip()
        model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
        return model.objects.filter(user=user, confirmed=True).first()


@dataclass(frozen=True)
class AdminPage:
    """A page of the admin that is not a model's list (the dashboard, the board)."""

    url_name: str
    label: str
    permission: str | None = None  # None: every staff member who gets in
    # A page at the admin's home (/admin/) is linked as /admin/#fragment: the
    # navigation marks a link as current when it is part of the path.
    fragment: str = ""


class StaffAdminSite(OTPAdminSite):
    # No sidebar of every model: at 1366 px it took 280 px from every list,
    # which then clipped its last columns (the delegates' email, the comments'
    # text, the packs' seconds). The meeting's pages head every page instead
    # (each_context, templates/admin/base_site.html), and the home lists all.
    enable_nav_sidebar = False

    def __init__(self, name: str = "admin"):
        super().__init__(name)
        self.pages: list[AdminPage] = []

    def register_page(self, page: AdminPage) -> None:
        """Show a page in the admin's navigation, first, to those allowed.

        Apps register their pages (the dashboard app registers them all), so
        the site itself imports none of them.
        """
        self.pages.append(page)

    def page_links(self, request) -> list[dict]:
        links = []
        for page in self.pages:
            if page.permission and not request.user.has_perm(page.permission):
                continue
            try:
                url = reverse(page.url_name)
            except NoReverseMatch:
                continue
            if page.fragment:
                url = f"{url}#{page.fragment}"
            name = page.url_name.rsplit(":", 1)[-1]
            links.append(
                {
                    "name": page.label,
                    "object_name": name,
                    "admin_url": url,
                    "view_only": True,
                }
            )
        return links

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        links = self.page_links(request) if app_label is None else []
        if links:
            app_list.insert(
                0,
                {
                    "name": _("Overview"),
                    "app_label": "meeting-pages",
                    "app_url": links[0]["admin_url"],
                    "has_module_perms": True,
                    "models": links,
                },
            )
        return app_list

    def each_context(self, request):
        context = super().each_context(request)
        user = getattr(request, "user", None)
        staff = bool(user and user.is_active and user.is_staff)
        context["overview_links"] = self.page_links(request) if staff else []
        # Whose clock the admin's times are on (dialogue.middleware sets it).
        context["admin_clock"] = getattr(request, "admin_clock", "")
        return context

    @property
    def login_form(self):
        if settings.STAFF_TWO_FACTOR:
            return StaffAuthenticationForm
        return AdminAuthenticationForm

    @property
    def login_template(self):
        if settings.STAFF_TWO_FACTOR:
            return "admin/login_two_factor.html"
        return None

    def has_permission(self, request) -> bool:
        allowed = AdminSite.has_permission(self, request)
        if not settings.STAFF_TWO_FACTOR:
            return allowed
        return allowed and request.user.is_verified()
