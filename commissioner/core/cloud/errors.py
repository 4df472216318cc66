"""Typed errors of the cloud clients, each carrying the sentence a person should read.

Callers branch on the type: sign in again (:class:`CloudAuthError`), ask for a role
(:class:`CloudForbidden`), fix the fields named in :class:`CloudValidationError`, wait
(:class:`CloudRateLimited`), retry later (:class:`CloudUnavailable`), or reconcile before sending
again (:class:`CloudAmbiguous`, the request may have been processed).
"""

from __future__ import annotations

from dataclasses import dataclass


class CloudError(Exception):
    """Base of every error the cloud clients raise."""


class CloudConfigError(CloudError, ValueError):
    """A cloud profile or input is unusable (bad URL, missing client id, no project chosen)."""


class CloudHostNotAllowed(CloudError):
    """A request would have carried a credential to a host outside its cloud profile."""

    def __init__(self, url: str, profile: str) -> None:
        super().__init__(
            f"Refused to send credentials to {url}: that host is not part of cloud profile "
            f"{profile!r}. Check the profile's URLs."
        )
        self.url = url
        self.profile = profile


class SecretUnavailable(CloudError):
    """A secret (client secret, API key, refresh token) is needed but not known this session."""

    def __init__(self, what: str, profile: str) -> None:
        super().__init__(
            f"The {what} for cloud profile {profile!r} is not stored (no system keyring, or never "
            "entered). Enter it to continue; it is kept only in memory for this session."
        )
        self.what = what
        self.profile = profile


class CloudAuthError(CloudError):
    """401, or a failed token request: the user must sign in again (after one silent refresh)."""

    def __init__(self, message: str, *, code: str = "", status: int = 401) -> None:
        super().__init__(f"Not signed in to the cloud: {message}. Sign in again, then retry.")
        self.detail = message
        self.code = code
        self.status = status


class CloudForbidden(CloudError):
    """403: the signed-in account lacks the IoT Creator role on the asset (project)."""

    def __init__(self, message: str, project_id: str) -> None:
        super().__init__(
            f"The cloud refused: {message} Registering needs the IoT Creator role on asset "
            f"{project_id or '(none chosen)'}; ask an asset administrator in iTwin IoT User "
            "Management to add your account (or the service application's user) with that role."
        )
        self.detail = message
        self.project_id = project_id


@dataclass(frozen=True)
class FieldProblem:
    """One 422 detail, with the request field it concerns when the cloud named one."""

    message: str
    target: str = ""  # e.g. "integration.devices[0].sensors[1].props.INTEGRATION_ID"
    code: str = ""


class CloudValidationError(CloudError):
    """400/422: the cloud could not process the request; ``problems`` name the fields."""

    def __init__(self, status: int, problems: list[FieldProblem]) -> None:
        text = (
            "; ".join((f"{p.target}: {p.message}" if p.target else p.message) for p in problems)
            or "no detail given"
        )
        super().__init__(f"The cloud rejected the request (HTTP {status}): {text}")
        self.status = status
        self.problems = problems


class CloudRateLimited(CloudError):
    """429 that outlasted the client's patience; ``retry_after_s`` says when to try again."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(
            f"The cloud is rate limiting this account; try again in {retry_after_s:.0f} s."
        )
        self.retry_after_s = retry_after_s


class CloudUnavailable(CloudError):
    """The cloud could not be reached or answered 5xx; nothing was processed. Retry later."""

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(
            f"The cloud at {url} is unavailable ({reason}). Check the internet connection; "
            "registrations are kept in the queue and sent when it is back."
        )
        self.url = url
        self.reason = reason
        self.status = status


class CloudAmbiguous(CloudUnavailable):
    """The request was sent but no answer came (timeout, dropped, or 5xx after sending).

    It may or may not have been processed, so it must not simply be sent again: the registrar
    looks the connection up and reconciles by refId first.
    """

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        CloudError.__init__(
            self,
            f"No answer from {url} after the request was sent ({reason}). It may have been "
            "processed; the app checks the cloud before sending it again.",
        )
        self.url = url
        self.reason = reason
        self.status = status


class CloudMalformedResponse(CloudError):
    """2xx with a body that is not what the documented API returns."""

    def __init__(self, url: str, problem: str, body: str = "") -> None:
        super().__init__(f"The cloud at {url} sent an unexpected answer: {problem}")
        self.url = url
        self.problem = problem
        self.body = body[:2000]


class CloudRejected(CloudError):
    """Any other 4xx, with the status and the cloud's own message."""

    def __init__(self, status: int, message: str, url: str) -> None:
        super().__init__(f"The cloud rejected the request to {url} (HTTP {status}): {message}")
        self.status = status
        self.detail = message
        self.url = url
