"""The one exception type local mode raises for problems in the template or its own setup."""

from __future__ import annotations


class LocalStackError(RuntimeError):
    """The template asks for something local mode cannot emulate, or the stack failed to start."""
