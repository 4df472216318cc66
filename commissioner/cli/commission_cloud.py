"""Which cloud a ``commissioner commission`` run registers its THREADs in, signed in once.

The fleet shares one :class:`CloudWorkspace` (one sign-in, one registration journal and offline
queue, the app's own), chosen like ``commissioner cloud`` chooses it: ``--sim-cloud-url`` for the
cloud simulator, else ``--cloud-profile``, else the profile's ``[cloud] profile``, else the app's
current cloud profile. Signing in happens before any THREAD is touched, so a missing credential
stops the run with a clear message instead of failing every unit at the register step.

An unreachable cloud is not an error on site: the run goes on and every registration is queued
(the queue is the app's, so the app or ``commissioner cloud queue flush`` delivers it once).
"""

from __future__ import annotations

import argparse
import contextlib
from dataclasses import dataclass

from commissioner.cli.cloud_session import ProfileError, ensure_signed_in, select_profile
from commissioner.core.cloud.errors import CloudError, CloudUnavailable
from commissioner.core.cloud.workspace import CloudWorkspace
from commissioner.core.commissioning.profile_model import CommissioningProfile
from commissioner.core.settings import data_dir


@dataclass(frozen=True)
class CloudChoice:
    workspace: CloudWorkspace | None
    queue_only: bool
    note: str  # one line for the start of the run
    warning: str = ""  # for the summary, when the cloud was unreachable


async def open_cloud(args: argparse.Namespace, profile: CommissioningProfile) -> CloudChoice:
    """The workspace to register in (None: nothing to register); CloudError stops the run."""
    if args.no_cloud:
        return CloudChoice(None, False, "none (--no-cloud)")
    if profile.cloud is None:
        return CloudChoice(None, False, "none (the profile has no [cloud])")
    session_args = argparse.Namespace(
        sim_url=args.sim_cloud_url,
        profile=args.cloud_profile or profile.cloud.profile or None,
        method=None,
        project=profile.cloud.project or None,
        secret_stdin=False,
    )
    try:
        chosen = select_profile(session_args)
    except ProfileError as exc:  # its advice names the cloud command's flag
        raise ProfileError(str(exc).replace("--sim-url", "--sim-cloud-url")) from exc
    workspace = CloudWorkspace(chosen, data_dir())
    name = workspace.profile.name
    if args.queue:
        return CloudChoice(workspace, True, f"{name!r}, registrations queued (--queue)")
    try:
        await ensure_signed_in(workspace, session_args)
    except CloudUnavailable as exc:
        warning = (
            f"The cloud ({name!r}) could not be reached ({exc}): every registration was queued."
        )
        return CloudChoice(workspace, True, f"{name!r} unreachable, registrations queued", warning)
    except CloudError:
        await workspace.aclose()
        raise
    if not workspace.templates.loaded:
        with contextlib.suppress(CloudError):  # the registrar checks templates against them
            await workspace.refresh_templates()
    return CloudChoice(workspace, False, f"{name!r} as {workspace.auth.account or 'signed in'}")
