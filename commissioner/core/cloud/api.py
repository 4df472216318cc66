"""SensorDataApi: the documented iTwin IoT sensor-data REST calls, typed.

Why here and nowhere else: API paths, the asset (project) query parameter and which base URL an
integrate goes to are decided in this file only; everything above it speaks in models.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from commissioner.core.cloud.errors import (
    CloudConfigError,
    CloudError,
    CloudMalformedResponse,
    CloudValidationError,
    FieldProblem,
)
from commissioner.core.cloud.ims import userinfo_url
from commissioner.core.cloud.models import (
    BatchResult,
    DeviceType,
    Entity,
    IntegrationResult,
    Metric,
    MetricType,
    SensorType,
    UploadReport,
    parse_list,
)
from commissioner.core.cloud.profiles import AuthMethod, CloudProfile, IntegrateVia
from commissioner.core.cloud.transport import CloudTransport

TYPES_PARAMS = {"excludeLegacy": "true"}
MAX_BATCH = 500
_OBS_INDEX = re.compile(r"^observations\[(\d+)\]")


class SensorDataApi:
    """Templates, integrate, get-integration, entity lists and observation upload."""

    def __init__(self, profile: CloudProfile, transport: CloudTransport) -> None:
        self.profile = profile
        self.transport = transport

    @property
    def _api(self) -> str:
        return self.profile.iiot_api_url.rstrip("/")

    def _project(self) -> dict[str, str]:
        if not self.profile.project_id.strip():
            raise CloudConfigError(
                f"No asset (project) is chosen in cloud profile {self.profile.name!r}; choose one "
                "before registering or uploading."
            )
        return {self.profile.project_param: self.profile.project_id}

    async def device_types(self) -> list[DeviceType]:
        url = f"{self._api}/devices/types"
        data = await self.transport.request("GET", url, params=TYPES_PARAMS)
        return [DeviceType.parse(d) for d in parse_list(data, "deviceTypes", url)]

    async def sensor_types(self) -> list[SensorType]:
        url = f"{self._api}/sensors/types"
        data = await self.transport.request("GET", url, params=TYPES_PARAMS)
        return [SensorType.parse(d) for d in parse_list(data, "sensorTypes", url)]

    async def metric_types(self) -> list[MetricType]:
        url = f"{self._api}/metrics/types"
        data = await self.transport.request("GET", url, params=TYPES_PARAMS)
        return [MetricType.parse(d) for d in parse_list(data, "metrics", url)]

    async def sensor_metrics(
        self, ids: Sequence[str], *, raw: bool = False
    ) -> dict[str, list[Metric]]:
        """Required metrics (and accepted units) per sensor id: what an upload must carry."""
        url = f"{self._api}/sensors/metrics"
        params = self._project() | ({"filters": "raw"} if raw else {})
        data = await self.transport.request(
            "POST", url, params=params, json={"ids": list(ids)}, idempotent=True
        )
        by_sensor = data.get("metricsBySensor") if isinstance(data, dict) else None
        if not isinstance(by_sensor, dict):
            raise CloudMalformedResponse(url, "the answer has no metricsBySensor", str(data)[:200])
        return {
            str(sid): [Metric.parse(m) for m in metrics if isinstance(m, dict)]
            for sid, metrics in by_sensor.items()
            if isinstance(metrics, list)
        }

    def integrate_url(self) -> str:
        if self.profile.integrate_via is IntegrateVia.PLATFORM:
            return f"{self.profile.sensor_data_url.rstrip('/')}/integrations/integrate"
        return f"{self._api}/integrations/integrate"

    async def integrate(self, request: dict[str, Any]) -> IntegrationResult:
        """Create/update/remove entities. Not idempotent: a lost answer raises CloudAmbiguous."""
        if (
            self.profile.integrate_via is IntegrateVia.PLATFORM
            and self.profile.auth_method is AuthMethod.API_KEY
        ):
            raise CloudConfigError(
                "Integrations sent via the iTwin Platform sensor-data API need a Bearer token; an "
                "API key works only with the iTwin IoT API. Set 'integrate via' to iiot in the "
                "cloud profile, or sign in as a user or service application."
            )
        url = self.integrate_url()
        data = await self.transport.request(
            "POST", url, params=self._project(), json=request, idempotent=False
        )
        return IntegrationResult.parse(data, url)

    async def get_integration(self, node_id: str) -> IntegrationResult:
        """All devices and sensors of a connection; node ids start with "/api/" (double slash)."""
        url = f"{self._api}/integrations/{node_id}"
        data = await self.transport.request("POST", url, idempotent=True)
        return IntegrationResult.parse(data, url)

    async def list_nodes(self) -> list[Entity]:
        return await self._list("nodes")

    async def list_devices(self) -> list[Entity]:
        return await self._list("devices")

    async def list_sensors(self) -> list[Entity]:
        return await self._list("sensors")

    async def _list(self, kind: str) -> list[Entity]:
        url = f"{self._api}/{kind}/all"
        data = await self.transport.request("GET", url, params=self._project())
        if not isinstance(data, list):
            raise CloudMalformedResponse(url, f"{kind}/all did not return a list", str(data)[:200])
        return [Entity.parse(item, url, f"{kind}[{i}]") for i, item in enumerate(data)]

    async def upload(
        self, observations: Sequence[dict[str, Any]], batch_size: int = MAX_BATCH
    ) -> UploadReport:
        """Upload in batches. A batch the cloud rejects is reported with its problems (indices
        renumbered to the whole upload) and the next batch is sent; any other error stops the
        upload and is kept in the report, with the rest left unsent."""
        if not 1 <= batch_size <= MAX_BATCH:
            raise CloudConfigError(f"Upload batches hold 1 to {MAX_BATCH} observations.")
        url = f"{self._api}/data/upload"
        report = UploadReport(total=len(observations))
        for start in range(0, len(observations), batch_size):
            batch = list(observations[start : start + batch_size])
            result = BatchResult(start=start, count=len(batch))
            report.batches.append(result)
            try:
                await self.transport.request(
                    "POST", url, json={"observations": batch}, idempotent=False
                )
            except CloudValidationError as exc:
                result.problems = [_renumber(p, start) for p in exc.problems]
                continue
            except CloudError as exc:
                result.error = exc
                break
            result.accepted = True
        return report

    async def userinfo(self) -> dict[str, Any]:
        """The signed-in user's OIDC claims (sub, email, name); API keys carry no identity."""
        if self.profile.auth_method is AuthMethod.API_KEY:
            raise CloudConfigError("An API key carries no user identity to look up.")
        data = await self.transport.request("GET", userinfo_url(self.profile))
        return data if isinstance(data, dict) else {}


def _renumber(problem: FieldProblem, offset: int) -> FieldProblem:
    """observations[3].values of a batch starting at 500 becomes observations[503].values."""
    match = _OBS_INDEX.match(problem.target)
    if not match or offset == 0:
        return problem
    index = int(match.group(1)) + offset
    target = f"observations[{index}]" + problem.target[match.end() :]
    return FieldProblem(problem.message, target, problem.code)
