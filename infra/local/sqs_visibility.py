"""Which received messages had their visibility set by the function itself.

Lambda leaves a failed SQS message alone: it comes back when its visibility timeout ends, and a function
may choose that moment (the sender backs off a transient failure with ChangeMessageVisibility). Local mode
makes failed messages visible again after a short delay (PollerSettings.retry_delay_seconds) so that a
developer does not wait out the queue's timeout, but doing that to a message the function had postponed
overrode the function's choice: under load a postponed delivery came back every second, used up its
maxReceiveCount in seconds and went to the dead-letter queue. Installed into moto's SQS backend, this notes
the receipt handles whose visibility a request changed; the pollers leave those as the function set them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from typing import Any

_MARK = "_aduan_visibility_notes"
_KEPT = 10_000  # receipt handles remembered at most (each batch takes its own out)
_changed: set[str] = set()
_guard = threading.Lock()


def install_visibility_notes() -> None:
    """Note every receipt handle given to ChangeMessageVisibility(Batch) (idempotent, process-wide)."""
    from moto.sqs.models import SQSBackend

    original = SQSBackend.change_message_visibility
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def noted(self: Any, queue_name: str, receipt_handle: str, visibility_timeout: int) -> None:
        original(self, queue_name, receipt_handle, visibility_timeout)
        with _guard:
            if len(_changed) >= _KEPT:
                _changed.clear()  # a forgotten note only means a quick local retry, as before
            _changed.add(receipt_handle)

    setattr(noted, _MARK, True)
    SQSBackend.change_message_visibility = noted  # type: ignore[method-assign]


def set_by_function(receipt_handles: Iterable[str]) -> set[str]:
    """Those of the batch's receipt handles whose visibility was changed since they were received;
    the notes of the whole batch are dropped (call once per delivered batch, before retrying any)."""
    handles = set(receipt_handles)
    with _guard:
        found = handles & _changed
        _changed.difference_update(handles)
    return found
