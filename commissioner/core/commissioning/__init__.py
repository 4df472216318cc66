"""Guided commissioning: profiles (the desired state of a THREAD), and what is built on them.

The profile format is documented in :mod:`commissioner.core.commissioning.profile`.
"""

from __future__ import annotations

from commissioner.core.commissioning.profile import (
    list_example_profiles,
    load_profile,
    profile_from_dict,
    profile_to_dict,
    render_names,
    to_registration_draft,
    validate_profile,
)
from commissioner.core.commissioning.profile_model import (
    BatterySaver,
    ChannelSpec,
    CloudSettings,
    CommissioningProfile,
    ParserSettings,
    PortCloud,
    PortNames,
    PortProfile,
    ProfileError,
    ProfileNames,
    ProfileProblem,
    SerialSettings,
    ThreadSettings,
)

__all__ = [
    "BatterySaver",
    "ChannelSpec",
    "CloudSettings",
    "CommissioningProfile",
    "ParserSettings",
    "PortCloud",
    "PortNames",
    "PortProfile",
    "ProfileError",
    "ProfileNames",
    "ProfileProblem",
    "SerialSettings",
    "ThreadSettings",
    "list_example_profiles",
    "load_profile",
    "profile_from_dict",
    "profile_to_dict",
    "render_names",
    "to_registration_draft",
    "validate_profile",
]
