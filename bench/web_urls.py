"""The portal's URLs and /bench/hello/, the baseline bench/pages.py measures
against: the same gunicorn, the same middleware, no template and no query."""

from django.http import HttpResponse
from django.urls import path

from dialogue.urls import urlpatterns as portal


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *portal]
