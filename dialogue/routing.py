"""Sending a task to the worker that did the same work last.

A worker process keeps what it laid out (the parts of a travel list, the
packs' shared pages) and reuses it; a re-render that lands on another worker
lays everything out again (a 74-page manifest: some 12 s instead of 1). With
CELERY_WORKER_DIRECT each worker node also consumes its own queue
(``<node name>.dq2``, Celery's worker_direct), and work that benefits goes
there while that node is alive.

Alive means its sweeper thread (dialogue/tasks.py) wrote a beat within
ALIVE_BEATS sweep intervals; a node that died is forgotten within seconds and
its work goes to the common queue again (what was already in its own queue is
put back by the packs' sweep once its claim lapses). With one worker node of
several processes, the node's own queue is shared by its processes, so
stickiness needs one process per node (scripts/production, README
"Workers").
"""

from django.conf import settings

ALIVE_BEATS = 3


def direct_routing_enabled() -> bool:
    return bool(getattr(settings, "CELERY_WORKER_DIRECT", False))


def alive_window_seconds() -> float:
    return ALIVE_BEATS * max(float(getattr(settings, "PACK_SWEEP_INTERVAL", 5)), 1.0)


def route_to(node: str) -> dict:
    """Return the apply_async options that deliver to this node's own queue."""
    return {"exchange": "C.dq2", "routing_key": node}
