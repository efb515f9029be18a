"""JSON answers (DynamoDB, DynamoDB Streams, SQS) serialised by encoders compiled once per output shape,
instead of moto's generic serialiser.

moto turns each result into JSON by walking the botocore output shape value by value, and for every
structure member builds a picker context and asks six alias providers for candidate keys: about half of the
CPU of a DynamoDB request in local mode, most of it on item attribute values, and the same again for every
stream record a poller reads and every message it receives. The same walk, decided once per shape (member
order, candidate keys in the providers' order, how each type is written; timestamps by moto's own
TimestampSerializer) and then run as plain closures, gives the same JSON. Anything the compiled walk does not
cover (a result that is not plain dicts and lists, renamed members, enums, paginated or error results, a
handler with response transformers) goes to moto's serialiser, and `check=True` (the tests) serialises every
answer both ways and fails on any difference.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable
from typing import Any

_MARK = "_aduan_compiled_answers"
_UNSUPPORTED = object()  # the compiled walk stops: moto's serialiser answers
_ABSENT = object()  # a structure given None writes nothing (its key is left out)
Encoder = Callable[[Any], Any]
COUNTS = {"compiled": 0, "moto": 0}  # answers per path (figures and tests; a lost increment is harmless)


class AnswerMismatch(AssertionError):
    """`check` mode: the compiled encoder and moto's serialiser disagreed."""


def _string(value: Any) -> Any:
    if not isinstance(value, str):
        return _UNSUPPORTED  # enums and other objects: moto's own conversion
    return value


def _blob(value: Any) -> Any:
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, bytes):
        return _UNSUPPORTED
    return base64.b64encode(value).strip().decode("utf-8")


def _as_is(value: Any) -> Any:
    return value


def _integer(value: Any) -> Any:
    return int(value)


def _float(value: Any) -> Any:
    return float(value)


def _candidates(parent: Any, key: str, member: Any) -> tuple[str, ...]:
    """The keys moto's XFormedAttributePicker tries on a plain dict, in its providers' order (each alias, then
    its xform_name): ShapeNameAlias, NoAlias, ShapePrefixAlias, ClassPrefixAlias (the class is `dict`).
    ExplicitAlias needs a Meta a dict has not; ModelAlias (a serialization name) is left to moto."""
    from botocore import xform_name

    aliases: list[str] = []
    if member.type_name in ("list", "structure") and member.name not in parent.members and key != member.name:
        aliases.append(member.name)
    aliases.append(key)
    if key.lower().startswith(parent.name.lower()) and key[len(parent.name):] not in parent.members:
        aliases.append(key[len(parent.name):])
    if key.lower().startswith("dict"):
        aliases.append(key[len("dict"):])
    return tuple(dict.fromkeys(name for alias in aliases for name in (alias, xform_name(alias))))


def compile_shape(shape: Any, cache: dict[str, Encoder] | None = None) -> Encoder:
    """An encoder for values of `shape`: the JSON-ready value, _ABSENT, or _UNSUPPORTED."""
    cache = {} if cache is None else cache
    if shape.name in cache:
        return cache[shape.name]
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return _as_is
        members: list[tuple[tuple[str, ...], str, Encoder]] = []

        def structure(value: Any) -> Any:
            if value is None:
                return _ABSENT
            if type(value) is not dict:
                return _UNSUPPORTED  # objects: moto's picker reads attributes and aliases
            out: dict[str, Any] = {}
            for candidates, name, encode in members:
                for candidate in candidates:
                    if candidate in value:
                        member_value = value[candidate]
                        break
                else:
                    continue
                if member_value is None:
                    continue
                encoded = encode(member_value)
                if encoded is _UNSUPPORTED:
                    return _UNSUPPORTED
                if encoded is not _ABSENT:
                    out[name] = encoded
            return out

        cache[shape.name] = structure  # before the members: shapes may be recursive (AttributeValue)
        for key, member in shape.members.items():
            if "name" in member.serialization:
                cache[shape.name] = _unsupported
                return _unsupported
            members.append((_candidates(shape, key, member), key, compile_shape(member, cache)))
        return structure
    if kind == "map":
        if "name" in shape.value.serialization:
            return _unsupported
        encode_value = compile_shape(shape.value, cache)

        def mapping(value: Any) -> Any:
            if type(value) is not dict:
                return _UNSUPPORTED
            out: dict[str, Any] = {}
            for key, item in value.items():
                encoded = encode_value(item) if item is not None else _UNSUPPORTED  # rare: moto decides
                if encoded is _UNSUPPORTED:
                    return _UNSUPPORTED
                if encoded is not _ABSENT:
                    out[key] = encoded
            return out

        cache[shape.name] = mapping
        return mapping
    if kind == "list":
        if "name" in shape.member.serialization:
            return _unsupported
        encode_item = compile_shape(shape.member, cache)

        def listing(value: Any) -> Any:
            if type(value) not in (list, tuple):
                return _UNSUPPORTED
            out: list[Any] = []
            for item in value:
                encoded = encode_item(item) if item is not None else item
                if encoded is _UNSUPPORTED:
                    return _UNSUPPORTED
                out.append(item if encoded is _ABSENT else encoded)
            return out

        cache[shape.name] = listing
        return listing
    if kind == "timestamp":
        return _timestamp(shape)
    simple: dict[str, Encoder] = {"string": _string, "blob": _blob, "boolean": _as_is, "integer": _integer,
                                  "long": _integer, "float": _float, "double": _float}
    return simple.get(kind, _unsupported)  # anything else: moto's serialiser


def _timestamp(shape: Any) -> Encoder:
    """moto's own timestamp conversion for this shape (its format, or the JSON protocol's default)."""
    from moto.core.serialize import JSONSerializer, TimestampSerializer

    stamper = TimestampSerializer(JSONSerializer.DEFAULT_TIMESTAMP_FORMAT)

    def timestamp(value: Any) -> Any:
        out: dict[str, Any] = {}
        stamper.serialize(out, value, shape, "timestamp")
        return out["timestamp"]

    return timestamp


def _unsupported(_value: Any) -> Any:
    return _UNSUPPORTED


def compiled_body(shape: Any, result: Any, cache: dict[str, Encoder]) -> str | None:
    """The JSON body for `result`, or None when moto's serialiser must answer."""
    if shape is None:
        return "{}"
    encoded = compile_shape(shape, cache)(result)
    if encoded is _UNSUPPORTED:
        return None
    return json.dumps({} if encoded is _ABSENT else encoded)


# The JSON-protocol handlers local mode calls in bulk: (module, class).
HANDLERS = (("moto.dynamodb.responses", "DynamoHandler"), ("moto.dynamodbstreams.responses", "DynamoDBStreamsHandler"),
            ("moto.sqs.responses", "SQSResponse"))


def _handler_classes() -> list[Any]:
    import importlib

    return [getattr(importlib.import_module(module), name) for module, name in HANDLERS]


_OWN: dict[Any, Any] = {}  # handler class -> the `serialized` it defined itself (None: inherited)


def install_compiled_answers(check: bool = False) -> None:
    """Answers through the compiled encoders (process-wide; `check` compares each with moto's)."""
    for handler in _handler_classes():
        if not getattr(handler.serialized, _MARK, False):
            _OWN[handler] = handler.__dict__.get("serialized")
            handler.serialized = _compiled(handler.serialized, check)


def _compiled(original: Any, check: bool) -> Any:
    from moto import settings
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoResult

    caches: dict[tuple[str, str], dict[str, Encoder]] = {}

    @functools.wraps(original)
    def serialized(self: Any, action_result: Any) -> Any:
        result = action_result.result
        if type(action_result) not in (ActionResult, DynamoResult) or isinstance(result, Exception) \
                or settings.PRETTIFY_RESPONSES or getattr(self, "RESPONSE_KEY_PATH_TO_TRANSFORMER", None):
            return original(self, action_result)
        service = _service_model(self.boto3_service_name)
        if service.protocol != "json" or self.determine_response_protocol(service) != "json":
            return original(self, action_result)
        operation = service.operation_model(self._get_action())
        cache = caches.setdefault((service.service_name, operation.name), {})
        body = compiled_body(operation.output_shape, result, cache)
        if body is None:
            COUNTS["moto"] += 1
            return original(self, action_result)
        COUNTS["compiled"] += 1
        content_type = f"application/x-amz-json-{service.metadata.get('jsonVersion', '1.0')}"
        headers = {"Content-Type": content_type, **self.response_headers}
        answer = operation.http.get("responseCode", 200), headers, body
        if check:
            expected = original(self, action_result)
            if (expected[0], expected[2]) != (answer[0], answer[2]) \
                    or expected[1].get("Content-Type") != content_type:
                raise AnswerMismatch(f"{operation.name}: {answer[2]!r} != moto's {expected[2]!r}")
        return answer

    setattr(serialized, _MARK, True)
    return serialized


def uninstall_compiled_answers() -> None:
    for handler in _handler_classes():
        if getattr(handler.serialized, _MARK, False):
            own = _OWN.pop(handler, None)
            if own is None:
                del handler.serialized  # inherited again
            else:
                handler.serialized = own


@functools.cache
def _service_model(name: str) -> Any:
    from moto.core.utils import get_service_model

    return get_service_model(name)
