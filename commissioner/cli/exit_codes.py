"""Exit codes of the CLI, so scripts can tell bad input from an absent or unhappy THREAD or cloud."""

from __future__ import annotations

from enum import IntEnum

from commissioner.core.cloud.errors import (
    CloudAuthError,
    CloudConfigError,
    CloudError,
    CloudForbidden,
    CloudHostNotAllowed,
    CloudMalformedResponse,
    CloudRateLimited,
    CloudRejected,
    CloudUnavailable,
    CloudValidationError,
    SecretUnavailable,
)
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
    QUEUED = 6  # the cloud was unreachable; the registration waits in the offline queue
    COMMISSION_FAILED = 7  # commission: a THREAD did not pass (failed, rolled back, interrupted)


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
    if isinstance(error, CloudConfigError | CloudValidationError | SecretUnavailable):
        return ExitCode.BAD_INPUT
    if isinstance(error, CloudUnavailable):
        return ExitCode.UNREACHABLE
    if isinstance(
        error,
        CloudAuthError | CloudForbidden | CloudRejected | CloudRateLimited | CloudHostNotAllowed,
    ):
        return ExitCode.REJECTED
    if isinstance(error, CloudMalformedResponse):
        return ExitCode.MALFORMED
    if isinstance(error, CloudError):
        return ExitCode.FAILURE
    return ExitCode.FAILURE
