from django.core.management.base import BaseCommand, CommandError

from dialogue.health import check_broker, check_database


class Command(BaseCommand):
    help = "Check that the database and the Celery broker answer; one line each."

    def handle(self, *args, **options):
        from django.conf import settings

        from dialogue.config import redact_url

        problems = []
        if reason := check_database():
            problems.append(f"DATABASE_URL: the database does not answer ({reason})")
        if reason := check_broker():
            url = redact_url(settings.CELERY_BROKER_URL)
            problems.append(
                f"CELERY_BROKER_URL: the broker {url} does not answer ({reason})"
            )
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write("database and broker answer")
