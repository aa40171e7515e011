import logging

from django.http import JsonResponse
from django.views import View
from django.views.generic import TemplateView

from dialogue.health import check_broker, check_database

logger = logging.getLogger(__name__)


class HomeView(TemplateView):
    """The landing page: says who the portal is for and shows nothing private."""

    template_name = "dialogue/home.html"


class HealthView(View):
    """200 with JSON when the database and broker answer; 503 naming what failed."""

    def get(self, request):
        checks = {"database": check_database(), "broker": check_broker()}
        failed = [name for name, reason in checks.items() if reason]
        for name in failed:
            logger.error("healthz: %s does not answer: %s", name, checks[name])
        # The reasons name hosts and ports: only staff read them here.
        detailed = request.user.is_authenticated and request.user.is_staff
        body = {
            "status": "fail" if failed else "ok",
            "checks": {
                name: (reason if detailed else "fail") if reason else "ok"
                for name, reason in checks.items()
            },
        }
        if failed:
            body["failed"] = failed
        response = JsonResponse(body, status=503 if failed else 200)
        response["Cache-Control"] = "no-store"
        return response
