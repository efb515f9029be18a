"""In-process Lambda: import each function's handler and invoke it with a Lambda-like context.

All functions share this process, so their environments are merged into os.environ (by the
caller, before load()); two functions giving one variable different values cannot both be honoured
and is an error. Handler modules are imported normally: a module already imported (by tests, or an
earlier stack in this process) is reused, like a warm Lambda environment. Modules must therefore
read configuration and build clients lazily, as aduan's do (moto_server.py keeps moto's port
stable within a process so that cached clients stay valid).
Invocations of one function are serialised, as one Lambda execution environment never runs two
at once: handlers keep per-invocation state in module globals (Powertools' resolver and logger).
Events and results go through JSON, as they do in Lambda, so unserialisable results fail here too.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

from infra.local.errors import LocalStackError
from infra.local.functions import FunctionSpec
from infra.local.powertools_isolation import isolate_metrics

LOG = logging.getLogger(__name__)
Handler = Callable[[Any, Any], Any]


class LambdaContext:
    """The attributes and method of the Python runtime's context object that handlers use."""

    def __init__(self, spec: FunctionSpec, region: str) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self.region = region
        self._deadline = time.monotonic() + spec.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


_INVOKING = threading.local()


def current_function() -> str | None:
    """The logical id of the function this thread is running, if it is running one."""
    return getattr(_INVOKING, "function", None)


class InvocationCrash(BaseException):
    """The execution environment died mid-invocation (local fault injection): no handler code catches it,
    the invocation fails as a whole, as when Lambda kills an environment."""


class FunctionError(Exception):
    """The handler raised, or returned something Lambda could not serialise."""

    def __init__(self, function: str, message: str) -> None:
        super().__init__(f"{function}: {message}")
        self.function = function


def merged_environment(specs: Iterable[FunctionSpec]) -> dict[str, str]:
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    for spec in specs:
        for name, value in spec.environment.items():
            if name in merged and merged[name] != value:
                raise LocalStackError(
                    f"environment variable {name} is {merged[name]!r} for {owner[name]} but {value!r} for "
                    f"{spec.logical_id}; local mode runs every function in one process and needs one value"
                )
            merged[name], owner[name] = value, spec.logical_id
    return merged


class LambdaRuntime:
    def __init__(
        self,
        specs: Iterable[FunctionSpec],
        region: str,
        overrides: Mapping[str, Handler | str] | None = None,
    ) -> None:
        self.functions = {spec.logical_id: spec for spec in specs}
        self._region = region
        self._overrides = dict(overrides or {})
        unknown = set(self._overrides) - set(self.functions)
        if unknown:
            raise LocalStackError(f"handler overrides for unknown functions: {', '.join(sorted(unknown))}")
        self._handlers: dict[str, Handler] = {}
        self._modules: dict[str, ModuleType] = {}
        self._locks = {logical_id: threading.Lock() for logical_id in self.functions}
        self._added_paths: list[str] = []

    def load(self) -> None:
        """Import every handler (call after the environment is in place)."""
        isolate_metrics()  # one process for every function: Powertools' metric sets per thread, not shared
        code_dirs = {spec.code_dir for spec in self.functions.values() if spec.code_dir is not None}
        for directory in sorted(code_dirs):
            if str(directory) not in sys.path:
                sys.path.insert(0, str(directory))
                self._added_paths.append(str(directory))
        for logical_id, spec in self.functions.items():
            override = self._overrides.get(logical_id)
            if override is not None and not isinstance(override, str):
                self._handlers[logical_id] = override
                continue
            target = override or spec.handler
            module_name, _, attribute = target.rpartition(".")
            if not module_name:
                raise LocalStackError(f"{logical_id}: handler {target!r} is not module.function")
            if spec.code_dir is None and override is None:
                raise LocalStackError(f"{logical_id}: no local code directory (CodeUri) to import from")
            module = importlib.import_module(module_name)
            self._modules[logical_id] = module
            self._handlers[logical_id] = getattr(module, attribute)

    def unload(self) -> None:
        for path in self._added_paths:
            if path in sys.path:
                sys.path.remove(path)
        self._added_paths.clear()

    def handler_module(self, logical_id: str) -> ModuleType:
        return self._modules[logical_id]

    def invoke(self, logical_id: str, event: Any) -> Any:
        spec = self.functions[logical_id]
        handler = self._handlers[logical_id]
        payload = json.loads(json.dumps(event))
        with self._locks[logical_id]:
            context = LambdaContext(spec, self._region)
            started = time.monotonic()
            calling, _INVOKING.function = current_function(), logical_id
            try:
                result = handler(payload, context)
            except InvocationCrash as crash:
                LOG.warning("%s (request %s) crashed: %s", spec.name, context.aws_request_id, crash)
                raise FunctionError(logical_id, f"Runtime exited: {crash}") from crash
            except Exception as error:
                LOG.exception("%s (request %s) failed", spec.name, context.aws_request_id)
                raise FunctionError(logical_id, f"{type(error).__name__}: {error}") from error
            finally:
                _INVOKING.function = calling
                LOG.debug("%s took %.0f ms", spec.name, (time.monotonic() - started) * 1000)
        try:
            return json.loads(json.dumps(result))
        except (TypeError, ValueError) as error:
            raise FunctionError(logical_id, f"result is not JSON serialisable: {error}") from error
