"""What went wrong in a run, in words, and what the installer can do next.

The wizard never lets an engine error escape as a crash: every failure of a step lands here and
comes back as one sentence of what happened and one of what to do, shown next to the step.
"""

from __future__ import annotations

from commissioner.core.cloud.errors import CloudError
from commissioner.core.commissioning.profile_model import ProfileError
from commissioner.core.commissioning.session import RunError
from commissioner.core.edge.errors import EdgeError, EdgeUnreachable
from commissioner.core.ports.apply import short_error
from commissioner.ui.pages.cloud.dialogs import describe_cloud_error

RESUME_HINT = (
    "The run is kept in the journal: once the THREAD answers again, press the step's button "
    "again, or resume the run from the first step."
)


def describe(exc: BaseException) -> tuple[str, str]:
    """``(what happened, what to do next)`` for any error a step can raise."""
    if isinstance(exc, EdgeUnreachable):
        return (
            short_error(exc),
            "Check the cable and the THREAD's power, and the Connection page. " + RESUME_HINT,
        )
    if isinstance(exc, EdgeError):
        return short_error(exc), "Try the step again. " + RESUME_HINT
    if isinstance(exc, RunError):
        return str(exc), ""
    if isinstance(exc, ProfileError):
        problems = "; ".join(str(p) for p in exc.problems[:3])
        return (
            f"The profile cannot be used: {problems}",
            "Fix the profile file, then choose it again.",
        )
    if isinstance(exc, CloudError):
        return describe_cloud_error(exc), "You can queue the registration for later or skip it."
    if isinstance(exc, TimeoutError):
        return "The step did not finish in time.", "Try it again."
    if isinstance(exc, OSError):
        return f"A file or network operation failed: {exc}", "Check the disk and try again."
    return (
        f"Unexpected error: {exc!r}",
        "Try again; if it repeats, report it with the activity log (File > Export activity log).",
    )
