"""The simulated iTwin IoT cloud: IMS sign-in, sensor-data REST and the JSON-RPC socket."""

from __future__ import annotations

from commissioner.sim.cloud.faults import CloudFaults
from commissioner.sim.cloud.server import CloudSim, RecordedRequest
from commissioner.sim.cloud.state import READ_ONLY_PROJECT_ID, CloudState

__all__ = ["READ_ONLY_PROJECT_ID", "CloudFaults", "CloudSim", "CloudState", "RecordedRequest"]
