"""Which cloud profile a ``commissioner cloud`` command uses, and how it gets signed in.

Each CLI call is its own process, so a sign-in only outlives it through the OS keyring
(:class:`SecretStore`): a refresh token, client secret or API key stored there is used silently by
the next command (``workspace.restore()``). Secrets never come from the command line, where they
would land in shell history and process lists: they are typed at a hidden prompt (getpass) or
piped on stdin with ``--secret-stdin``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import webbrowser
from dataclasses import replace
from urllib.parse import urlsplit

import httpx

from commissioner.core.cloud.errors import CloudConfigError, CloudUnavailable, SecretUnavailable
from commissioner.core.cloud.profiles import (
    PRODUCTION_PROFILE,
    SIMULATOR_PROFILE,
    AuthMethod,
    CloudProfile,
    is_loopback_host,
    production_profile,
    simulator_profile,
)
from commissioner.core.cloud.workspace import CloudWorkspace, follow_loopback_sign_in
from commissioner.core.settings import SettingsStore

METHODS = {"user": AuthMethod.USER, "service": AuthMethod.SERVICE, "api-key": AuthMethod.API_KEY}
_SECRET_WHAT = {AuthMethod.SERVICE: "client secret", AuthMethod.API_KEY: "API key"}


class ProfileError(CloudConfigError):
    """The command line names no usable cloud profile (exit code 2)."""


def select_profile(args: argparse.Namespace) -> CloudProfile:
    """The profile from ``--sim-url``, ``--profile`` or the settings, with overrides applied."""
    if args.sim_url:
        host = urlsplit(args.sim_url).hostname or ""
        if urlsplit(args.sim_url).scheme != "http" or not is_loopback_host(host):
            raise ProfileError(
                f"--sim-url must be the loopback URL the cloud simulator printed "
                f"(http://127.0.0.1:PORT), not {args.sim_url!r}."
            )
        profile = simulator_profile(args.sim_url)
    else:
        settings = SettingsStore().load()
        name = args.profile or settings.cloud_profile or PRODUCTION_PROFILE
        saved = settings.cloud_profiles.get(name)
        if saved is not None:
            found = CloudProfile.from_json(saved)
            if found is None:
                raise ProfileError(
                    f"Cloud profile {name!r} in the settings is unusable; fix it in the app's "
                    "Cloud page."
                )
            profile = found
        elif name == PRODUCTION_PROFILE:
            profile = production_profile()
        elif name == SIMULATOR_PROFILE:
            raise ProfileError(
                "The Simulator profile needs the simulator's URL: start it with "
                "'commissioner sim --cloud-port 0' and pass --sim-url URL."
            )
        else:
            known = sorted({*settings.cloud_profiles, PRODUCTION_PROFILE})
            raise ProfileError(
                f"No cloud profile named {name!r}; known profiles: {', '.join(known)} "
                "(or use --sim-url URL for the cloud simulator)."
            )
    if args.method:
        profile = replace(profile, auth_method=METHODS[args.method])
    if args.project:
        profile = profile.with_project(args.project)
    try:
        profile.validate()
    except CloudConfigError as exc:
        raise ProfileError(f"Cloud profile {profile.name!r}: {exc}") from exc
    return profile


def read_secret(args: argparse.Namespace, method: AuthMethod, profile: str) -> str:
    """The client secret or API key from stdin (``--secret-stdin``) or a hidden TTY prompt."""
    what = _SECRET_WHAT[method]
    if args.secret_stdin:
        value = sys.stdin.readline().strip()
        if not value:
            raise SecretUnavailable(f"{what} (stdin was empty)", profile)
        return value
    if not sys.stdin.isatty():
        raise SecretUnavailable(f"{what} (pipe it in with --secret-stdin)", profile)
    value = getpass.getpass(f"{what.capitalize()} for cloud profile {profile!r}: ").strip()
    if not value:
        raise SecretUnavailable(what, profile)
    return value


async def open_browser(url: str) -> None:
    """Send the user to the IMS sign-in page; the URL is also printed in case no browser opens."""
    print(f"Opening the browser to sign in. If nothing opens, visit:\n  {url}", file=sys.stderr)
    webbrowser.open(url)


async def sign_in(ws: CloudWorkspace, args: argparse.Namespace, timeout_s: float = 300.0) -> str:
    """Interactive sign-in with the profile's method; returns the account shown to the user."""
    method = ws.profile.auth_method
    if method is AuthMethod.USER:
        opener = follow_loopback_sign_in if ws.is_simulator else open_browser
        try:
            return await ws.sign_in(open_url=opener, timeout_s=timeout_s)
        except httpx.HTTPError as exc:  # the simulator's authorize page could not be reached
            raise CloudUnavailable(ws.profile.authorize_url, type(exc).__name__) from exc
    secret = read_secret(args, method, ws.profile.name)
    if method is AuthMethod.SERVICE:
        return await ws.sign_in(secret=secret)
    return await ws.sign_in(api_key=secret)


async def ensure_signed_in(ws: CloudWorkspace, args: argparse.Namespace) -> None:
    """Signed in for this command: a secret given now, the keyring, or the simulator's page.

    A real user sign-in is never started implicitly from a script; it needs a terminal (the
    browser opens) or an earlier ``commissioner cloud signin`` kept in the keyring.
    """
    if ws.auth.signed_in:
        return
    if args.secret_stdin and ws.profile.auth_method is not AuthMethod.USER:
        await sign_in(ws, args)
        return
    if await ws.restore():
        return
    if ws.profile.auth_method is not AuthMethod.USER or ws.is_simulator or sys.stdin.isatty():
        await sign_in(ws, args)
        return
    raise SecretUnavailable("sign-in (run 'commissioner cloud signin' first)", ws.profile.name)


def persistence_note(ws: CloudWorkspace) -> str:
    """What the user must know about how long this sign-in lasts."""
    if ws.secrets.persistent:
        return "Stored in the system keyring; later commands sign in silently."
    return (
        "No system keyring is available: this sign-in lasts only for this command. Later "
        "commands sign in again (the simulator does so by itself; give a service secret or API "
        "key each time with --secret-stdin)."
    )
