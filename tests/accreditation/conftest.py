# The live packs tests' real worker (this test's database and MEDIA_ROOT),
# for the badge sheets rendered by a worker.
from tests.integration.test_live_packs import live_worker  # noqa: F401
