"""The tracer is Powertools' X-Ray Tracer only where tracing is on; elsewhere a pass-through (no X-Ray SDK import)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aduan import observability

LAMBDA = {"LAMBDA_TASK_ROOT": "/var/task"}


@pytest.mark.parametrize(("environment", "enabled"), [
    ({}, False),  # tests, local mode, the bench's untraced column
    (LAMBDA, True),
    ({**LAMBDA, "POWERTOOLS_TRACE_DISABLED": "true"}, False),
    ({**LAMBDA, "POWERTOOLS_TRACE_DISABLED": "1"}, False),
    ({**LAMBDA, "POWERTOOLS_TRACE_DISABLED": "false"}, True),
    ({**LAMBDA, "AWS_SAM_LOCAL": "true"}, False),
])
def test_tracing_enabled_follows_powertools_rule(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str],
                                                 enabled: bool) -> None:
    for name in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL", "AWS_CHALICE_CLI_MODE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert observability.tracing_enabled() is enabled


def test_untraced_handler_is_the_function_itself_and_x_ray_is_not_imported() -> None:
    probe = ("import sys\nfrom aduan.observability import tracer\n"
             "def handler(event, context):\n    return event\n"
             "assert tracer.capture_lambda_handler(handler) is handler\n"
             "assert tracer.capture_method(handler) is handler\n"
             "assert handler({'a': 1}, None) == {'a': 1}\n"
             "print(any(name.startswith('aws_xray_sdk') for name in sys.modules))\n")
    environment = {"POWERTOOLS_TRACE_DISABLED": "true", "LAMBDA_TASK_ROOT": "/var/task", "PYTHONPATH": "functions"}
    found = subprocess.run([sys.executable, "-c", probe], env=environment, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"
