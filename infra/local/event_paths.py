"""EventBridge input paths parsed once, not once per event and rule.

moto applies a rule's InputTransformer (or, without one, its default map of eight paths) to every event the
rule sees, and parses each JSONPath expression again every time: jsonpath_ng builds a fresh parser per call,
about 2.4 ms. With a dozen rules on the bus that was the largest single cost of a local PutEvents (profiled:
37 ms of CPU per call, most of it in jsonpath_ng's yacc). A parsed expression is immutable (`find` does
not change it), so the parse of each distinct expression is kept for the life of the process.
"""

from __future__ import annotations

import functools
from typing import Any

_MARK = "_aduan_parsed_once"


def install_parsed_paths() -> None:
    """Memoise jsonpath_ng.ext.parse, which moto's events backend imports at each call (idempotent)."""
    import jsonpath_ng.ext as ext

    if getattr(ext.parse, _MARK, False):
        return
    original = ext.parse

    @functools.lru_cache(maxsize=1024)  # a template's rules name a few dozen paths at most
    def parse(path: str, debug: bool | None = None) -> Any:
        return original(path, debug)

    setattr(parse, _MARK, True)
    ext.parse = parse
