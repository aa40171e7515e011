"""Kinds of email, each composed and acknowledged by the app that owns it.

The outbox knows how to queue, send, retry and record an email; it does not
know what a circulation or an access link is. Each app registers its kinds in
its AppConfig.ready(), so imports point one way (apps → outbox → dialogue).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


class NotToBeSent(Exception):
    """The email should no longer go out (its link was revoked, its row deleted...).

    The message is the reason shown to staff in the outbox.
    """


@dataclass(frozen=True)
class Composed:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class EmailKind:
    name: str
    label: str | Promise
    # object id -> the email as it should go out now; raises NotToBeSent
    compose: Callable[[int], Composed]
    # (object id, sent at) -> record the delivery on the owner's row
    delivered: Callable[..., None] | None = None


_KINDS: dict[str, EmailKind] = {}


def register(kind: EmailKind) -> None:
    _KINDS[kind.name] = kind


def get_kind(name: str) -> EmailKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise NotToBeSent(f"unknown kind of email {name!r}") from None


def kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.label) if kind else name


def all_kinds() -> list[EmailKind]:
    return sorted(_KINDS.values(), key=lambda kind: str(kind.label))
