"""The RuntimeLayer's hash-pinned lock, resolved from pyproject.toml for Lambda (arm64, Python 3.12).

    python -m infra.layer_requirements --write   # re-resolve the lock (asks the package index)
    python -m infra.layer_requirements --check   # exit 1 when the lock disagrees with pyproject.toml

The lock (layers/runtime/requirements.txt) lists every wheel of the layer, transitive ones included,
with its sha256 and the exact wheel file name. It is resolved with pip's cross-platform options, so
neither python3.12 nor Docker is needed: layers/runtime/Makefile installs it with `--require-hashes
--no-deps` for manylinux2014_aarch64 / cp312, and `sam build` runs that Makefile.

boto3 and botocore are IN the layer on purpose: the X-Ray SDK (Powertools' tracer) depends on
botocore, and an unpinned copy would override the runtime's with whatever was newest at build time.
Pinning them here gives Lambda exactly the versions the tests run with.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = REPO / "pyproject.toml"
REQUIREMENTS = REPO / "layers" / "runtime" / "requirements.txt"

# What Lambda runs: the python3.12 runtime on Graviton (Amazon Linux 2023, glibc 2.34).
PLATFORM = "manylinux2014_aarch64"
PYTHON_VERSION = "3.12"
IMPLEMENTATION = "cp"
# pip's options that make it pick wheels for Lambda instead of for this machine.
TARGET_OPTIONS = (
    "--platform", PLATFORM, "--implementation", IMPLEMENTATION, "--python-version", PYTHON_VERSION,
    "--only-binary=:all:",
)

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_DIGEST = re.compile(r"^# dependencies-sha256: ([0-9a-f]{64})$", re.MULTILINE)
_WHEEL = re.compile(r"^# wheel: (\S+\.whl)$")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) --hash=sha256:([0-9a-f]{64})$")


@dataclass(frozen=True)
class LockedWheel:
    name: str  # canonical (PEP 503)
    version: str
    wheel: str  # file name, which carries the platform tags
    sha256: str


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _name_of(requirement: str) -> str:
    match = _NAME.match(requirement)
    if match is None:
        raise ValueError(f"cannot read a package name from {requirement!r} in pyproject.toml")
    return canonical(match.group(1))


def runtime_dependencies(pyproject: Path = PYPROJECT) -> list[str]:
    """The runtime dependencies as written in pyproject.toml; every one must be pinned with ==."""
    with pyproject.open("rb") as stream:
        dependencies: list[str] = [dep.strip() for dep in tomllib.load(stream)["project"]["dependencies"]]
    unpinned = [dep for dep in dependencies if "==" not in dep.split(";")[0]]
    if unpinned:
        # An unpinned layer would install whatever is newest at deploy time, not what was tested.
        raise ValueError(f"pin these runtime dependencies with == in pyproject.toml: {unpinned}")
    return dependencies


def pinned_versions(pyproject: Path = PYPROJECT) -> dict[str, str]:
    """Canonical name -> the version pyproject.toml pins."""
    return {_name_of(dep): dep.split(";")[0].split("==", 1)[1].strip() for dep in runtime_dependencies(pyproject)}


def dependencies_digest(pyproject: Path = PYPROJECT) -> str:
    """Changes whenever a runtime dependency, an extra or a pin changes in pyproject.toml."""
    return hashlib.sha256("\n".join(sorted(runtime_dependencies(pyproject))).encode()).hexdigest()


def read_lock(requirements: Path = REQUIREMENTS) -> list[LockedWheel]:
    wheels: list[LockedWheel] = []
    wheel_name = None
    for line in requirements.read_text(encoding="utf-8").splitlines():
        if match := _WHEEL.match(line):
            wheel_name = match.group(1)
        elif match := _PIN.match(line):
            if wheel_name is None:
                raise ValueError(f"{requirements}: no '# wheel:' line before {line!r}")
            wheels.append(LockedWheel(canonical(match.group(1)), match.group(2), wheel_name, match.group(3)))
            wheel_name = None
    return wheels


def resolve(pyproject: Path = PYPROJECT) -> list[LockedWheel]:
    """Ask pip which wheels Lambda needs (a dry run: nothing is installed)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
             "--report", str(report), "--target", str(Path(scratch) / "target"), *TARGET_OPTIONS,
             *runtime_dependencies(pyproject)],
            check=True,
        )
        installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    wheels = []
    for item in installs:
        info = item["download_info"]
        wheels.append(LockedWheel(
            canonical(item["metadata"]["name"]),
            item["metadata"]["version"],
            unquote(Path(urlparse(info["url"]).path).name),
            info["archive_info"]["hashes"]["sha256"],
        ))
    return sorted(wheels, key=lambda wheel: wheel.name)


def render(wheels: list[LockedWheel], pyproject: Path = PYPROJECT) -> str:
    lines = [
        "# GENERATED by `python -m infra.layer_requirements --write` (`make layer`): do not edit.",
        f"# The RuntimeLayer's wheels for {PLATFORM} / cp{PYTHON_VERSION.replace('.', '')}, resolved from",
        "# pyproject.toml [project].dependencies; installed by layers/runtime/Makefile with --require-hashes.",
        f"# dependencies-sha256: {dependencies_digest(pyproject)}",
    ]
    for wheel in wheels:
        lines += [f"# wheel: {wheel.wheel}", f"{wheel.name}=={wheel.version} --hash=sha256:{wheel.sha256}"]
    return "\n".join(lines) + "\n"


def problems(pyproject: Path = PYPROJECT, requirements: Path = REQUIREMENTS) -> list[str]:
    """Why the lock does not match pyproject.toml (empty when it does). Offline."""
    if not requirements.is_file():
        return [f"{requirements} is missing"]
    found = _DIGEST.search(requirements.read_text(encoding="utf-8"))
    issues = []
    if found is None or found.group(1) != dependencies_digest(pyproject):
        issues.append("pyproject.toml's runtime dependencies changed since the lock was resolved")
    locked = {wheel.name: wheel.version for wheel in read_lock(requirements)}
    for name, version in pinned_versions(pyproject).items():
        if locked.get(name) != version:
            issues.append(f"{name}: pyproject.toml pins {version}, the lock has {locked.get(name)}")
    return issues


def is_current(pyproject: Path = PYPROJECT, requirements: Path = REQUIREMENTS) -> bool:
    return not problems(pyproject, requirements)


def write(pyproject: Path = PYPROJECT, requirements: Path = REQUIREMENTS) -> None:
    requirements.parent.mkdir(parents=True, exist_ok=True)
    requirements.write_text(render(resolve(pyproject), pyproject), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.layer_requirements", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="re-resolve the lock from pyproject.toml")
    mode.add_argument("--check", action="store_true", help="exit 1 if the lock disagrees with pyproject.toml")
    args = parser.parse_args(argv)
    if args.write:
        write()
        print(f"wrote {REQUIREMENTS.relative_to(REPO)}")
        return 0
    issues = problems()
    for issue in issues:
        print(f"{REQUIREMENTS.relative_to(REPO)}: {issue}; run `make layer`", file=sys.stderr)
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
