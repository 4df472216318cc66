"""Gateway-wide operations as reusable flows: update, sleep, and the texts that explain settings.

Qt-free so the System page, the CLI and the commissioning engine share one implementation of
"send it, wait for the THREAD to go and come back, say what changed".
"""

from commissioner.core.system.sleep import SleepOptions, SleepResult, run_sleep
from commissioner.core.system.update import (
    UpdateOptions,
    UpdateResult,
    UpdateSource,
    UpdateTarget,
    run_update,
)
from commissioner.core.system.waiting import (
    NotBackInTime,
    Phase,
    Progress,
    ProgressCallback,
    Snapshot,
    WaitSettings,
    format_duration,
)

__all__ = [
    "NotBackInTime",
    "Phase",
    "Progress",
    "ProgressCallback",
    "SleepOptions",
    "SleepResult",
    "Snapshot",
    "UpdateOptions",
    "UpdateResult",
    "UpdateSource",
    "UpdateTarget",
    "WaitSettings",
    "format_duration",
    "run_sleep",
    "run_update",
]
