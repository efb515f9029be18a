"""Work moto and botocore repeat on every request although its answer never changes, done once.

Profiled in a drained run (infra/bench/profile_drained.py), four pure computations stood out:
- every request lists its handler class's methods with `inspect.getmembers` to check that the action exists
  (about 1.5 ms a request): the list is kept per class;
- `camelcase_to_underscores` turns the action name, and every SQS queue attribute name, into snake case one
  character at a time: its answers are kept (a pure function of a short string);
- every SQS message received is checked against its queue's retention period by building the queue's whole
  attribute map twice (each attribute's name converted, the visible and in-flight messages counted): the
  period is read from the queue instead, the value that map would have given;
- botocore cleans each component of the User-Agent header character by character on every call a function
  or poller makes (a dozen components, the same strings every time): the cleaned strings are kept;
- DynamoDB: building an item (every put, update, transaction, stream image) checks the 400 KB limit as each
  attribute goes in by re-measuring every attribute already there (quadratic in the attributes): a running
  total gives the same sums, since nothing else holds the fresh values while the item is built.
Answers are unchanged; `uninstall` puts moto back as shipped (later tests in the process use mock_aws).
"""

from __future__ import annotations

import functools
from typing import Any

_PATCHED: list[tuple[Any, str, Any]] = []  # (owner, attribute, original)


def _replace(owner: Any, attribute: str, replacement: Any) -> None:
    _PATCHED.append((owner, attribute, getattr(owner, attribute)))
    setattr(owner, attribute, replacement)


def install_memoised() -> None:
    import botocore.useragent
    import moto.core.responses
    import moto.dynamodb.models.dynamo_type
    import moto.sqs.models
    from moto.core.utils import camelcase_to_underscores, method_names_from_class

    if _PATCHED:
        return
    snake_case = functools.lru_cache(maxsize=4096)(camelcase_to_underscores)
    _replace(moto.core.responses, "camelcase_to_underscores", snake_case)
    _replace(moto.sqs.models, "camelcase_to_underscores", snake_case)
    _replace(moto.core.responses, "method_names_from_class", _methods_once(method_names_from_class))
    _replace(moto.sqs.models.SQSBackend, "is_message_valid_based_on_retention_period", _within_retention)
    sanitize = botocore.useragent.sanitize_user_agent_string_component
    _replace(botocore.useragent, "sanitize_user_agent_string_component", functools.lru_cache(maxsize=1024)(sanitize))
    _replace(moto.dynamodb.models.dynamo_type.Item, "__init__", _item_measured_once)


def uninstall_memoised() -> None:
    while _PATCHED:
        owner, attribute, original = _PATCHED.pop()
        setattr(owner, attribute, original)


def _methods_once(listing: Any) -> Any:
    found: dict[type, frozenset[str]] = {}

    def method_names(clazz: type) -> frozenset[str]:
        # Keyed by the class itself: local mode replaces methods (compiled answers) but adds none.
        names = found.get(clazz)
        if names is None:
            names = found[clazz] = frozenset(listing(clazz))
        return names

    return method_names


def _within_retention(self: Any, queue_name: str, message: Any) -> bool:
    """moto's check, with the period read from the queue rather than from its rebuilt attribute map."""
    from moto.core.utils import unix_time

    retention_period = self.get_queue(queue_name).message_retention_period
    return bool(retention_period + message.sent_timestamp / 1000 > unix_time())


_ITEM_LIMIT = 405000  # moto's LimitedSizeDict: bytes of names and values, "between 409 and 410KB" measured


def _item_measured_once(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    """moto's Item.__init__, with its size check summed as it goes instead of again for each attribute."""
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    self.hash_key = hash_key
    self.range_key = range_key
    self.attrs = dynamo_type.LimitedSizeDict()
    total = 0
    for key, value in attrs.items():
        typed = dynamo_type.DynamoType(value)
        size = bytesize(key) + typed.size()
        if total + size > _ITEM_LIMIT:
            raise dynamo_type.ItemSizeTooLarge
        dict.__setitem__(self.attrs, key, typed)
        total += size
