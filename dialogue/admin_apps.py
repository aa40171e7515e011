"""Django's admin, on a site that asks staff for a second factor."""

import axes.apps
import django_otp.plugins.otp_static.apps as otp_static
import django_otp.plugins.otp_totp.apps as otp_totp
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class DialogueAdminConfig(AdminConfig):
    default_site = "dialogue.admin_site.StaffAdminSite"


# Third-party apps named in the interface's language on the admin's index
# (their own configs give none, so the admin printed AXES, OTP_STATIC, OTP_TOTP).
class AxesConfig(axes.apps.AppConfig):
    verbose_name = _("Login throttling")


class StaticDevicesConfig(otp_static.DefaultConfig):
    verbose_name = _("Recovery codes")

    def ready(self):
        super().ready()
        name_models(self, _("set of recovery codes"), _("sets of recovery codes"))


class TOTPDevicesConfig(otp_totp.DefaultConfig):
    verbose_name = _("Authenticator apps")

    def ready(self):
        super().ready()
        name_models(self, _("authenticator app"), _("authenticator apps"))


def name_models(config, singular, plural) -> None:
    """Give the app's one model names in the interface's language.

    django-otp's device models have plain English verbose names, not marked for
    translation, so the Russian admin said "TOTP devices" and "Static devices".
    """
    for model in config.get_models():
        model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural
