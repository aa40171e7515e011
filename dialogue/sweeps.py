"""What every worker does at start and then every PACK_SWEEP_INTERVAL seconds.

Apps register their sweeps (requeue work whose worker died) and warm-ups (build
caches once per machine) in their AppConfig.ready, so this module, and the
worker_ready hook in dialogue/tasks.py, import no app.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger("dialogue.tasks")

_sweeps: list[Callable[[], object]] = []
_warmups: list[Callable[[], object]] = []
_beats: list[Callable[[str], object]] = []


def register_sweep(sweep: Callable[[], object]) -> None:
    if sweep not in _sweeps:
        _sweeps.append(sweep)


def register_warmup(warmup: Callable[[], object]) -> None:
    if warmup not in _warmups:
        _warmups.append(warmup)


def register_beat(beat: Callable[[str], object]) -> None:
    """Call beat(node name) at every sweep: "this worker node is alive"."""
    if beat not in _beats:
        _beats.append(beat)


def run_beats(node: str) -> None:
    for beat in _beats:
        try:
            beat(node)
        except Exception:  # the next round may succeed
            logger.exception("Beat %s failed", beat.__qualname__)


def run_sweeps() -> None:
    """Run every registered sweep; one that fails does not stop the others."""
    for sweep in _sweeps:
        try:
            sweep()
        except Exception:  # the next round may succeed
            logger.exception("Sweep %s failed", sweep.__qualname__)


def run_warmups() -> None:
    for warmup in _warmups:
        try:
            warmup()
        except Exception:
            logger.exception("Warm-up %s failed", warmup.__qualname__)
