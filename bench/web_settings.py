"""Settings of the gunicorn that bench/pages.py starts: the portal's own, with
bench/web_urls.py (the portal's URLs plus a hello-world view). Bench only: the
portal's own settings and URLs never name it."""

from dialogue.settings import *  # noqa: F403

ROOT_URLCONF = "bench.web_urls"
