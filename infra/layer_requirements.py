"""Generate layers/runtime/requirements.txt from pyproject.toml, the one list of runtime dependencies.

    python -m infra.layer_requirements --write   # regenerate the file
    python -m infra.layer_requirements --check   # exit 1 when the file is stale (the tests run this)

`sam build` installs that file into the RuntimeLayer, so deployed code gets exactly the pins the
tests ran with.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = REPO / "pyproject.toml"
REQUIREMENTS = REPO / "layers" / "runtime" / "requirements.txt"

# The python3.12 Lambda runtime ships its own boto3/botocore; a second copy in the layer would
# only add ~30 MB to the layer and to every cold start.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore"})

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_HEADER = """\
# GENERATED from pyproject.toml [project].dependencies by `python -m infra.layer_requirements --write`
# (`make layer`). Do not edit: the tests fail when this file and pyproject.toml disagree.
# boto3 and botocore are left out on purpose: the Lambda python3.12 runtime provides them, and
# bundling another copy would only make the layer bigger and cold starts slower.
"""


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _name_of(requirement: str) -> str:
    match = _NAME.match(requirement)
    if match is None:
        raise ValueError(f"cannot read a package name from {requirement!r} in pyproject.toml")
    return _canonical(match.group(1))


def layer_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """The runtime dependencies the layer must install, as written in pyproject.toml."""
    with pyproject.open("rb") as stream:
        dependencies: list[str] = tomllib.load(stream)["project"]["dependencies"]
    kept = [dep.strip() for dep in dependencies if _name_of(dep) not in RUNTIME_PROVIDED]
    unpinned = [dep for dep in kept if "==" not in dep.split(";")[0]]
    if unpinned:
        # An unpinned layer would install whatever is newest at deploy time, not what was tested.
        raise ValueError(f"pin these runtime dependencies with == in pyproject.toml: {unpinned}")
    return kept


def render(pyproject: Path = PYPROJECT) -> str:
    return _HEADER + "".join(f"{dep}\n" for dep in layer_requirements(pyproject))


def is_current(pyproject: Path = PYPROJECT, requirements: Path = REQUIREMENTS) -> bool:
    return requirements.is_file() and requirements.read_text(encoding="utf-8") == render(pyproject)


def write(pyproject: Path = PYPROJECT, requirements: Path = REQUIREMENTS) -> None:
    requirements.parent.mkdir(parents=True, exist_ok=True)
    requirements.write_text(render(pyproject), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.layer_requirements", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the requirements file")
    mode.add_argument("--check", action="store_true", help="exit 1 if the requirements file is stale")
    args = parser.parse_args(argv)
    if args.write:
        write()
        print(f"wrote {REQUIREMENTS.relative_to(REPO)}")
        return 0
    if is_current():
        return 0
    print(
        f"{REQUIREMENTS.relative_to(REPO)} is out of date with pyproject.toml; "
        "run `python -m infra.layer_requirements --write`",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
