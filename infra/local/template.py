"""The stack definition local mode runs: the SAM template, its offline translation, code locations.

Translation goes through infra.sam (the project's one SAM reader), so local mode wires resources
exactly as a deployment would. The SAM template is kept too: API routes and each function's
CodeUri are clearer there than in the translated output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.errors import LocalStackError
from infra.sam import TEMPLATE_PATH, load_template, translate_template

DEFAULT_TEMPLATE = TEMPLATE_PATH


@dataclass(frozen=True)
class StackTemplate:
    path: Path
    sam: dict[str, Any]
    translated: dict[str, Any]
    code_dirs: dict[str, Path]  # function logical id -> directory its handler imports from

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.translated.get("Resources") or {}
        return resources


def load_stack_template(
    path: Path, region: str, account_id: str, parameters: Mapping[str, Any]
) -> StackTemplate:
    path = Path(path).resolve()
    if not path.is_file():
        raise LocalStackError(f"template {path} does not exist")
    sam = load_template(path)
    translated = translate_template(sam, region=region, account_id=account_id, parameters=dict(parameters))
    return StackTemplate(path, sam, translated, _code_dirs(sam, path.parent))


def _code_dirs(sam: Mapping[str, Any], base: Path) -> dict[str, Path]:
    """Each serverless function's local CodeUri, which becomes an import root for its handler."""
    default = ((sam.get("Globals") or {}).get("Function") or {}).get("CodeUri")
    dirs: dict[str, Path] = {}
    for logical_id, resource in (sam.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        code_uri = (resource.get("Properties") or {}).get("CodeUri", default)
        if not isinstance(code_uri, str) or "://" in code_uri:
            raise LocalStackError(
                f"{logical_id}: local mode needs a local CodeUri directory, got {code_uri!r}"
            )
        directory = (base / code_uri).resolve()
        if not directory.is_dir():
            raise LocalStackError(f"{logical_id}: CodeUri {directory} is not a directory")
        dirs[logical_id] = directory
    return dirs
