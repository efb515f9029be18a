"""Static checks of template.yaml, and of how the Lambda code under functions/ fits it.

Fast and offline: cfn-lint, the SAM translation (infra.sam), and the ast module. Nothing is
deployed and no AWS API is called.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint_file

from infra import layer_requirements
from infra.sam import TEMPLATE_PATH, load_template, translate_template
from infra.sam import ref_target as _target

REPO = Path(__file__).resolve().parents[2]
REGION = "ap-southeast-3"
ACCOUNT_ID = "123456789012"
PACKAGE = "aduan"

TEMPLATE = load_template()
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
GLOBAL_FUNCTION: dict[str, Any] = TEMPLATE.get("Globals", {}).get("Function", {})
FUNCTIONS = sorted(k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function")
CODE_ROOT = REPO / str(GLOBAL_FUNCTION.get("CodeUri", "functions/"))

# cfn-lint warnings we accept, rule id -> why. Empty on purpose: every warning so far was a defect.
CFN_LINT_ACCEPTED: dict[str, str] = {}

# Routes callable without a Cognito token. Making a route public is a security decision: it
# belongs in review, so adding one means editing this set. (CORS preflight OPTIONS is exempt.)
PUBLIC_ROUTES = {
    ("GET", "/openapi.json"),
    ("GET", "/v1/categories"),
    ("GET", "/v1/agencies"),
    ("GET", "/v1/areas"),
    ("GET", "/v1/public/{proxy+}"),  # the transparency feed: published, identity-free data only
    ("GET", "/open311/{proxy+}"),  # Open311 GeoReport v2 reads (same public data)
    ("POST", "/open311/{proxy+}"),  # Open311 POST requests: api_key per client app, checked in the app
    # Channel providers cannot carry Cognito tokens: every webhook request is verified by its signature.
    ("GET", "/webhooks/{channel}"),
    ("POST", "/webhooks/{channel}"),
    # A body we forwarded a complaint to answers by HMAC-signed callback (docs/organisation.md).
    ("POST", "/v1/external/{agency_id}/answers"),
}

# Environment variables the code may read without template.yaml setting them: the Lambda runtime
# sets these, Powertools reads its own POWERTOOLS_* settings, and LOCAL_*/AWS_ENDPOINT_URL* are
# only set by local mode (infra.local), never in AWS.
PROVIDED_ENV = {
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_SAM_LOCAL",
    "LAMBDA_TASK_ROOT",
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
}
PROVIDED_ENV_PREFIXES = ("POWERTOOLS_", "LOCAL_", "AWS_ENDPOINT_URL")


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    return translate_template(TEMPLATE, region=REGION, account_id=ACCOUNT_ID)


def _of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def _props(logical_id: str) -> dict[str, Any]:
    return RESOURCES[logical_id].get("Properties", {})


def _function_env(logical_id: str) -> dict[str, Any]:
    """What the function's environment will be: Globals first, the function's own on top."""
    merged = dict(GLOBAL_FUNCTION.get("Environment", {}).get("Variables", {}))
    merged.update(_props(logical_id).get("Environment", {}).get("Variables", {}))
    return merged


def _events(logical_id: str) -> dict[str, dict[str, Any]]:
    return _props(logical_id).get("Events") or {}


# ------------------------------------------------------------------ lint and translation


def test_cfn_lint_is_clean() -> None:
    # Informational checks too (explicit deletion policies, retention periods...).
    matches = lint_file(TEMPLATE_PATH, config=ManualArgs(regions=[REGION], include_checks=["I"]))
    problems = [m for m in matches if m.rule.id[0] in "EWI" and m.rule.id not in CFN_LINT_ACCEPTED]
    assert not problems, "\n".join(f"{m.rule.id} line {m.linenumber}: {m.message}" for m in problems)


def test_translates_offline_to_the_expected_resources(translated: dict[str, Any]) -> None:
    assert set(_of_type(translated, "AWS::Lambda::Function")) == set(FUNCTIONS)
    mappings = _of_type(translated, "AWS::Lambda::EventSourceMapping")
    permissions = _of_type(translated, "AWS::Lambda::Permission")
    for function in FUNCTIONS:
        for name, event in _events(function).items():
            if event["Type"] in ("SQS", "DynamoDB", "Kinesis"):
                assert f"{function}{name}" in mappings, f"no event source mapping for {function}.{name}"
            if event["Type"] == "Api":
                assert any(p["Properties"]["FunctionName"] == {"Ref": function} for p in permissions.values())
    assert mappings, "expected at least one event source mapping (the outbox relay)"
    apis = _of_type(TEMPLATE, "AWS::Serverless::Api")
    assert apis, "expected a REST API"
    rest_apis = _of_type(translated, "AWS::ApiGateway::RestApi")
    for api in apis:
        body = rest_apis[api]["Properties"]["Body"]
        security = body.get("components", {}).get("securitySchemes") or body.get("securityDefinitions", {})
        kinds = {d.get("x-amazon-apigateway-authtype") for d in security.values()}
        assert "cognito_user_pools" in kinds, f"{api} has no Cognito authorizer"
    assert _of_type(translated, "AWS::ApiGateway::Deployment")
    assert _of_type(translated, "AWS::ApiGateway::Stage")


def test_only_reference_routes_are_public(translated: dict[str, Any]) -> None:
    public = set()
    for api in _of_type(translated, "AWS::ApiGateway::RestApi").values():
        for path, methods in api["Properties"]["Body"]["paths"].items():
            for method, operation in methods.items():
                verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
                security = operation.get("security") or []
                if verb != "OPTIONS" and (not security or any("NONE" in entry for entry in security)):
                    public.add((verb, path))
    assert public == PUBLIC_ROUTES


# ------------------------------------------------------------------ functions and the layer


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_runtime_architecture_tracing_and_layer(function: str, translated: dict[str, Any]) -> None:
    assert GLOBAL_FUNCTION.get("Runtime") == "python3.12"
    assert _props(function).get("Runtime", "python3.12") == "python3.12"
    cfn = translated["Resources"][function]["Properties"]
    assert cfn["Runtime"] == "python3.12"
    assert cfn.get("Architectures") == ["arm64"]
    assert cfn.get("TracingConfig") == {"Mode": "Active"}
    layers = {_target(layer) for layer in cfn.get("Layers", [])}
    # SAM renames a layer to <logical id><content hash>, so match the prefix.
    assert any(layer and layer.startswith("RuntimeLayer") for layer in layers), layers


def test_runtime_layer_builds_for_python312_arm64_from_the_lock() -> None:
    layer = RESOURCES["RuntimeLayer"]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    # makefile: layers/runtime/Makefile cross-installs the lock, so no python3.12 or Docker is needed.
    assert layer.get("Metadata", {}).get("BuildMethod") == "makefile"
    assert layer.get("Metadata", {}).get("BuildArchitecture") == "arm64"
    assert "python3.12" in layer["Properties"]["CompatibleRuntimes"]
    assert "arm64" in layer["Properties"]["CompatibleArchitectures"]
    content = REPO / layer["Properties"]["ContentUri"]
    assert (content / "requirements.txt").resolve() == layer_requirements.REQUIREMENTS.resolve()
    assert "build-RuntimeLayer:" in (content / "Makefile").read_text(encoding="utf-8")
    assert layer_requirements.is_current(), layer_requirements.problems()


def test_powertools_is_configured_in_globals() -> None:
    variables = GLOBAL_FUNCTION.get("Environment", {}).get("Variables", {})
    for name in ("POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"):
        assert variables.get(name), f"Globals.Function.Environment.Variables.{name} is not set"


_IMPORT_PROBE = """
import importlib, sys
module = importlib.import_module(sys.argv[1])
handler = getattr(module, sys.argv[2])
if not callable(handler):
    raise SystemExit(f"{sys.argv[1]}.{sys.argv[2]} is not callable")
"""


def _fake_value(value: Any) -> str:
    """A plausible deployed value for a template expression (names and ARNs need not exist)."""
    if isinstance(value, bool):
        return str(value).lower()
    if not isinstance(value, dict):
        return str(value)
    if "Ref" in value:
        name = value["Ref"]
        pseudo = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws"}
        parameter = TEMPLATE.get("Parameters", {}).get(name, {})
        return pseudo.get(name) or str(parameter.get("Default") or f"fake-{name.lower()}")
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        return f"arn:aws:fake:{REGION}:{ACCOUNT_ID}:{logical_id.lower()}/{attribute}"
    if "Fn::Sub" in value:
        text, extra = (value["Fn::Sub"], {}) if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"]

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in extra:
                return _fake_value(extra[name])
            if "." in name and not name.startswith("AWS::"):
                return _fake_value({"Fn::GetAtt": name.split(".", 1)})
            return _fake_value({"Ref": name})

        return re.sub(r"\$\{([^}!]+)\}", substitute, text)
    return "fake-value"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_handler_is_importable_with_the_template_environment(function: str) -> None:
    """Each handler imports in a fresh interpreter that sees only the Lambda code and the template's env."""
    module, _, attribute = _props(function)["Handler"].rpartition(".")
    code_root = REPO / str(_props(function).get("CodeUri", CODE_ROOT.relative_to(REPO)))
    env = {name: _fake_value(value) for name, value in _function_env(function).items()}
    env.update(
        PATH=os.environ.get("PATH", ""),
        PYTHONPATH=str(code_root),  # only the code root: Lambda code must not import tests or infra
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_CONFIG_FILE=os.devnull,  # never the developer's own AWS profile
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        POWERTOOLS_TRACE_DISABLED="true",  # no X-Ray daemon here
    )
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE, module, attribute],
        cwd=code_root, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, f"{function}: cannot import {module}.{attribute}\n{result.stderr[-4000:]}"


# ------------------------------------------------------------------ environment variables
#
# Reads are found with ast: os.environ[...], os.environ.get(...), os.getenv(...), "X" in os.environ,
# and calls like _required("X") to a function that reads the environment with its parameter.
# Which reads a function needs: the top-level code of every module its handler imports
# (transitively), plus each package function that code refers to by name (transitively). A
# decorated function (a route) counts as top-level code, since it is registered, not named.
# Reads with a default are optional: they need only be set by some function (which catches typos).


@dataclass(frozen=True)
class EnvRead:
    name: str
    where: str
    optional: bool  # the code has a default (or only tests presence): a missing value is handled


@dataclass
class _Unit:
    """Code that runs together: a module's top-level code, or one top-level function."""

    reads: list[EnvRead] = field(default_factory=list)
    refs: set[tuple[str, str]] = field(default_factory=set)
    helper_calls: list[tuple[tuple[str, str], ast.Call]] = field(default_factory=list)


@dataclass
class _Module:
    name: str
    path: Path
    tree: ast.Module
    imports: set[str] = field(default_factory=set)
    module_aliases: dict[str, str] = field(default_factory=dict)
    imported_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    # Imports inside a plain function run when it is called, not when the module is imported.
    function_imports: dict[str, set[str]] = field(default_factory=dict)


def _runtime_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under `node`, except the bodies of `if TYPE_CHECKING:` (never executed)."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            for other in child.orelse:
                yield from _runtime_nodes(other)
            continue
        yield from _runtime_nodes(child)


@cache
def _modules() -> dict[str, _Module]:
    modules = {}
    for path in sorted((CODE_ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(CODE_ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = _Module(name, path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    for module in modules.values():
        _resolve_imports(module, set(modules))
    return modules


def _plain(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Called by name, not registered: undecorated, or only cached (`@cache`, as aduan/wiring.py's factories)."""
    return all(ast.unparse(decorator) in CACHING for decorator in function.decorator_list)


def _resolve_imports(module: _Module, known: set[str]) -> None:
    for node in module.tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            module.functions[node.name] = node
    for statement in module.tree.body:
        is_plain = isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and _plain(statement)
        imports = module.function_imports.setdefault(statement.name, set()) if is_plain else module.imports
        # Wrapped so that a top-level `if TYPE_CHECKING:` is a child, which _runtime_nodes skips.
        _resolve_statement_imports(module, ast.Module(body=[statement], type_ignores=[]), imports, known)


def _resolve_statement_imports(module: _Module, code: ast.Module, imports: set[str], known: set[str]) -> None:
    package = module.name if module.path.name == "__init__.py" else module.name.rpartition(".")[0]
    for node in _runtime_nodes(code):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    imports.add(alias.name)
                    local = alias.asname or alias.name.split(".")[0]
                    module.module_aliases[local] = alias.name if alias.asname else PACKAGE
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            if base.split(".")[0] != PACKAGE:
                continue
            imports.add(base)
            for alias in node.names:
                local = alias.asname or alias.name
                if f"{base}.{alias.name}" in known:
                    imports.add(f"{base}.{alias.name}")
                    module.module_aliases[local] = f"{base}.{alias.name}"
                else:
                    module.imported_names[local] = (base, alias.name)
        elif (
            isinstance(node, ast.Call)
            and ast.unparse(node.func).endswith("import_module")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and str(node.args[0].value).startswith(f"{PACKAGE}.")
        ):
            imports.add(str(node.args[0].value))


def _is_environ(node: ast.AST) -> bool:
    return ast.unparse(node) in ("os.environ", "environ")


def _is_env_getter(func: ast.AST) -> bool:
    text = ast.unparse(func)
    return text in ("os.getenv", "getenv") or (
        isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value)
    )


def _env_key(node: ast.AST) -> tuple[ast.expr | None, bool] | None:
    """(key expression, optional) when `node` reads an environment variable."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
        return node.slice, False
    if isinstance(node, ast.Call) and _is_env_getter(node.func):
        return (node.args[0] if node.args else None), len(node.args) > 1 or bool(node.keywords)
    if isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
        return node.left, True  # `"X" in os.environ`
    return None


def _reference(module: _Module, node: ast.AST) -> tuple[str, str] | None:
    """The (module, top-level name) a Name or dotted Attribute refers to, if it is in the package."""
    if isinstance(node, ast.Name):
        if node.id in module.functions:
            return module.name, node.id
        return module.imported_names.get(node.id)
    if isinstance(node, ast.Attribute):
        dotted = ast.unparse(node).split(".")
        if dotted[0] in module.module_aliases:
            target = ".".join([module.module_aliases[dotted[0]], *dotted[1:-1]])
            return target, dotted[-1]
    return None


@dataclass
class _Analysis:
    units: dict[tuple[str, str], _Unit]
    dynamic: list[str]  # reads whose variable name is not a literal, outside helpers

    def all_reads(self) -> list[EnvRead]:
        return [read for unit in self.units.values() for read in unit.reads]


BODY = "<module>"
CACHING = ("cache", "functools.cache", "lru_cache", "functools.lru_cache")


@cache
def _analysis() -> _Analysis:
    modules = _modules()
    units: dict[tuple[str, str], _Unit] = {}
    helpers: dict[tuple[str, str], tuple[int, str, bool]] = {}  # -> (position, parameter, optional)
    dynamic_by_unit: dict[tuple[str, str], list[tuple[ast.expr | None, bool, int]]] = {}
    for module in modules.values():
        # A decorated function is usually registered (a route) and then called by name nowhere,
        # so it lives with the module body; any other function (a `@cache` factory too: it is called
        # by name, as aduan/wiring.py's are) lives once something refers to it.
        plain = {name: fn for name, fn in module.functions.items() if _plain(fn)}
        parts: dict[str, list[ast.stmt]] = {BODY: [n for n in module.tree.body if n not in plain.values()]}
        parts.update({name: [fn] for name, fn in plain.items()})
        for part, statements in parts.items():
            unit = _Unit()
            key = (module.name, part)
            for node in (n for statement in statements for n in _runtime_nodes(statement)):
                found = _env_key(node)
                if found is not None:
                    expression, optional = found
                    where = f"{module.path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
                    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
                        unit.reads.append(EnvRead(expression.value, where, optional))
                    else:
                        dynamic_by_unit.setdefault(key, []).append((expression, optional, node.lineno))
                if isinstance(node, ast.Name | ast.Attribute):
                    target = _reference(module, node)
                    if target is not None:
                        unit.refs.add(target)
                if isinstance(node, ast.Call):
                    target = _reference(module, node.func)
                    if target is not None:
                        unit.helper_calls.append((target, node))
            units[key] = unit
            function = module.functions.get(part)
            for expression, optional, _ in dynamic_by_unit.get(key, []) if function else []:
                parameters = [a.arg for a in function.args.posonlyargs + function.args.args]
                if isinstance(expression, ast.Name) and expression.id in parameters:
                    helpers[key] = (parameters.index(expression.id), expression.id, optional)
    dynamic = [
        f"{modules[key[0]].path.relative_to(REPO)}:{line}"
        for key, reads in dynamic_by_unit.items()
        if key not in helpers
        for _, _, line in reads
    ]
    # A call like _required("TABLE_NAME") to a helper that reads os.environ[name] is a read.
    for (module_name, _), unit in units.items():
        for target, call in unit.helper_calls:
            if target not in helpers:
                continue
            position, parameter, optional = helpers[target]
            arguments = {k.arg: k.value for k in call.keywords}
            argument = call.args[position] if len(call.args) > position else arguments.get(parameter)
            where = f"{modules[module_name].path.relative_to(REPO)}:{call.lineno}"
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                unit.reads.append(EnvRead(argument.value, where, optional))
            else:
                dynamic.append(where)
    return _Analysis(units, dynamic)


def _reachable_modules(start: str, seen: set[str] | None = None) -> set[str]:
    """The modules importing `start` runs (`seen`: those already known to run, not walked again)."""
    modules, todo = _modules(), [start]
    seen = set() if seen is None else seen
    while todo:
        name = todo.pop()
        # Importing a.b.c runs a/__init__ and a/b/__init__ first.
        chain = [".".join(name.split(".")[: i + 1]) for i in range(name.count(".") + 1)]
        for part in chain:
            if part in modules and part not in seen:
                seen.add(part)
                todo.extend(modules[part].imports)
    return seen


def _live_reads(handler: str) -> list[EnvRead]:
    """Reads in code that can run for this handler: module bodies and the functions they reach."""
    analysis, modules = _analysis(), _modules()
    module, _, attribute = handler.rpartition(".")
    imported = _reachable_modules(module)
    live = {(name, BODY) for name in imported} | {(module, attribute)}
    todo = list(live)
    while todo:
        key = todo.pop()
        unit = analysis.units.get(key)
        # A live function's own imports run too: their module bodies become live.
        for target in modules[key[0]].function_imports.get(key[1], ()) if key[0] in modules else ():
            for name in _reachable_modules(target, imported) - {name for name, _ in live}:
                live.add((name, BODY))
                todo.append((name, BODY))
        for ref in unit.refs if unit else ():
            if ref in analysis.units and ref not in live:
                live.add(ref)
                todo.append(ref)
    return [read for key in live if key in analysis.units for read in analysis.units[key].reads]


def _provided(name: str) -> bool:
    return name in PROVIDED_ENV or name.startswith(PROVIDED_ENV_PREFIXES)


def test_env_analysis_sees_the_code() -> None:
    """Guards the checks below against passing because the analysis found nothing."""
    assert _modules(), f"no Python modules under {CODE_ROOT / PACKAGE}"
    assert _analysis().all_reads(), "no environment reads found: has the way code reads them changed?"


def test_env_var_names_are_literals() -> None:
    """A computed name would hide a read from the checks below; read through a helper taking the name."""
    assert not _analysis().dynamic, f"environment reads with a computed name: {_analysis().dynamic}"


def test_every_env_var_read_is_set_somewhere() -> None:
    template_vars = set(GLOBAL_FUNCTION.get("Environment", {}).get("Variables", {}))
    for function in FUNCTIONS:
        template_vars |= set(_function_env(function))
    unset = [r for r in _analysis().all_reads() if not (r.name in template_vars or _provided(r.name))]
    missing = sorted({f"{r.name} ({r.where})" for r in unset})
    assert not missing, f"read by the code but set by no function in template.yaml: {missing}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_sets_the_env_vars_its_code_needs(function: str) -> None:
    env = _function_env(function)
    needed = [r for r in _live_reads(_props(function)["Handler"]) if not r.optional and not _provided(r.name)]
    missing = sorted({f"{r.name} ({r.where})" for r in needed if r.name not in env})
    assert not missing, f"{function} runs code that needs these, but its environment lacks them: {missing}"


# ------------------------------------------------------------------ async event sources and DLQs


def _event_sources(kinds: set[str]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (function, name, event.get("Properties", {}))
        for function in FUNCTIONS
        for name, event in _events(function).items()
        if event["Type"] in kinds
    ]


SQS_SOURCES = _event_sources({"SQS"})
STREAM_SOURCES = _event_sources({"DynamoDB", "Kinesis"})


def _source_id(source: tuple[str, str, dict[str, Any]]) -> str:
    return f"{source[0]}.{source[1]}"


def _dead_letter_queues() -> list[str]:
    queues = set()
    for logical_id, resource in RESOURCES.items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::SQS::Queue":
            queues.add(_target(props.get("RedrivePolicy", {}).get("deadLetterTargetArn")))
        if resource["Type"] == "AWS::Serverless::Function":
            queues.add(_target(props.get("DeadLetterQueue", {}).get("TargetArn")))
            on_failure = props.get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure", {})
            queues.add(_target(on_failure.get("Destination")))
        if re.search(r"DLQ|DeadLetter", logical_id):
            queues.add(logical_id)
    for _, _, props in SQS_SOURCES + STREAM_SOURCES:
        queues.add(_target(props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")))
    return sorted(q for q in queues if q and RESOURCES.get(q, {}).get("Type") == "AWS::SQS::Queue")


DEAD_LETTER_QUEUES = _dead_letter_queues()


def test_there_is_an_asynchronous_event_source_to_check() -> None:
    assert SQS_SOURCES or STREAM_SOURCES, "no SQS or stream event source: the checks below would be vacuous"
    assert DEAD_LETTER_QUEUES


@pytest.mark.parametrize("source", SQS_SOURCES, ids=_source_id)
def test_sqs_source_reports_item_failures_and_its_queue_redrives(source: tuple[str, str, dict]) -> None:
    _, _, props = source
    assert "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])
    queue = _target(props["Queue"])
    assert queue in RESOURCES, f"queue {props['Queue']} is not a resource of this template"
    redrive = _props(queue).get("RedrivePolicy", {})
    assert int(redrive.get("maxReceiveCount", 0)) >= 1, f"{queue} has no RedrivePolicy.maxReceiveCount"
    assert _target(redrive.get("deadLetterTargetArn")) in DEAD_LETTER_QUEUES


@pytest.mark.parametrize("source", STREAM_SOURCES, ids=_source_id)
def test_stream_source_reports_item_failures_retries_boundedly_and_keeps_failures(
    source: tuple[str, str, dict],
) -> None:
    _, _, props = source
    assert "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])
    retries = props.get("MaximumRetryAttempts")
    # -1 (the default) retries forever: one poison record would stall its shard until it expires.
    assert isinstance(retries, int) and 0 <= retries <= 10000, retries
    on_failure = props.get("DestinationConfig", {}).get("OnFailure", {})
    assert _target(on_failure.get("Destination")) in RESOURCES, "OnFailure destination missing"


@pytest.mark.parametrize("queue", DEAD_LETTER_QUEUES)
def test_dead_letter_queue_has_a_backlog_alarm(queue: str) -> None:
    def watches(alarm: dict[str, Any]) -> bool:
        props = alarm.get("Properties", {})
        dimensions = props.get("Dimensions", [])
        return (
            props.get("Namespace") == "AWS/SQS"
            and props.get("MetricName") == "ApproximateNumberOfMessagesVisible"
            and any(d["Name"] == "QueueName" and _target(d["Value"]) == queue for d in dimensions)
            and bool(props.get("AlarmActions"))
        )

    alarms = [a for a in RESOURCES.values() if a["Type"] == "AWS::CloudWatch::Alarm"]
    assert any(watches(alarm) for alarm in alarms), f"no alarm with actions on {queue}'s visible messages"


# ------------------------------------------------------------------ no table scans


def test_lambda_code_never_scans() -> None:
    scans = []
    for module in _modules().values():
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            paginates = name == "get_paginator" and any(
                isinstance(a, ast.Constant) and str(a.value).lower() == "scan" for a in node.args
            )
            if name in ("scan", "parallel_scan") or paginates:
                scans.append(f"{module.path.relative_to(REPO)}:{node.lineno}")
    assert not scans, f"Scan reads the whole table; use a key or index Query instead: {scans}"


def _policy_statements(translated: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in translated["Resources"].items():
        props = resource.get("Properties", {})
        documents = [p["PolicyDocument"] for p in props.get("Policies", []) if "PolicyDocument" in p]
        if "PolicyDocument" in props and resource["Type"].startswith("AWS::IAM::"):
            documents.append(props["PolicyDocument"])
        for document in documents:
            statements = document.get("Statement", [])
            for statement in statements if isinstance(statements, list) else [statements]:
                yield logical_id, statement


def test_no_policy_allows_dynamodb_scan(translated: dict[str, Any]) -> None:
    assert "dynamodb:scan" not in TEMPLATE_PATH.read_text(encoding="utf-8").lower()
    offenders = []
    for logical_id, statement in _policy_statements(translated):
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if any(isinstance(a, str) and fnmatch.fnmatch("dynamodb:scan", a.lower()) for a in actions):
            offenders.append(logical_id)
        if "NotAction" in statement:
            offenders.append(f"{logical_id} (Allow with NotAction)")
    for logical_id, role in _of_type(translated, "AWS::IAM::Role").items():
        for arn in role["Properties"].get("ManagedPolicyArns", []):
            # AmazonDynamoDBFullAccess / ReadOnlyAccess both grant Scan.
            if isinstance(arn, str) and "AmazonDynamoDB" in arn:
                offenders.append(f"{logical_id} ({arn})")
    assert not offenders, f"policies that allow dynamodb:Scan: {offenders}"


# ------------------------------------------------------------------ data at rest


BUCKETS = sorted(k for k, v in RESOURCES.items() if v["Type"] == "AWS::S3::Bucket")
TABLES = sorted(k for k, v in RESOURCES.items() if v["Type"] == "AWS::DynamoDB::Table")


def test_the_attachments_bucket_and_tickets_table_exist() -> None:
    assert "AttachmentsBucket" in BUCKETS
    assert "TicketsTable" in TABLES


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_blocks_public_access_and_is_encrypted(bucket: str) -> None:
    props = _props(bucket)
    block = props.get("PublicAccessBlockConfiguration", {})
    for setting in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
        assert block.get(setting) is True, f"{bucket}: {setting} is not true"
    rules = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
    algorithms = {r.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules}
    assert algorithms & {"AES256", "aws:kms", "aws:kms:dsse"}, f"{bucket} has no default encryption"


@pytest.mark.parametrize("table", TABLES)
def test_table_is_encrypted_with_sse(table: str) -> None:
    assert _props(table).get("SSESpecification", {}).get("SSEEnabled") is True


def test_tickets_table_has_pitr_ttl_and_stream() -> None:
    props = _props("TicketsTable")
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["TimeToLiveSpecification"]["Enabled"] is True
    assert props["TimeToLiveSpecification"]["AttributeName"]
    # The outbox relay needs the new item: KEYS_ONLY or OLD_IMAGE would publish nothing.
    assert props["StreamSpecification"]["StreamViewType"] in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
    assert RESOURCES["TicketsTable"].get("DeletionPolicy") == "Retain"
