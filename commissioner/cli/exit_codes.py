"""Exit codes of the CLI, so scripts can tell bad input from an absent or unhappy THREAD."""

from __future__ import annotations

from enum import IntEnum

from commissioner.core.edge.errors import (
    EdgeError,
    EdgeMalformedResponse,
    EdgeRejected,
    EdgeUnreachable,
    EdgeValidationError,
)


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    BAD_INPUT = 2
    UNREACHABLE = 3
    REJECTED = 4
    MALFORMED = 5


def exit_code_for(error: BaseException) -> ExitCode:
    if isinstance(error, EdgeValidationError):
        return ExitCode.BAD_INPUT
    if isinstance(error, EdgeUnreachable):
        return ExitCode.UNREACHABLE
    if isinstance(error, EdgeRejected):
        return ExitCode.REJECTED
    if isinstance(error, EdgeMalformedResponse):
        return ExitCode.MALFORMED
    if isinstance(error, EdgeError):
        return ExitCode.FAILURE
    return ExitCode.FAILURE
