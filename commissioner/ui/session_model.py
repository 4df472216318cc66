"""The application model: the THREAD session as Qt signals, and who owns the embedded simulator.

Widgets never hold the Edge client for long or poll the session: they connect to
``sig_state_changed`` / ``sig_identity_changed`` and derive their enabled state from
:class:`ConnectionState`, and they fetch ``model.client`` at the moment they send a request.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from commissioner.core.connection.session import (
    ConnectionState,
    SessionListener,
    ThreadIdentity,
    ThreadSession,
)
from commissioner.core.connection.targets import ConnectionKind, ConnectionTarget, base_url
from commissioner.core.edge.client import EdgeClient
from commissioner.core.edge.errors import EdgeUnreachable


class _Relay(SessionListener):
    def __init__(self, model: SessionModel) -> None:
        self.model = model

    def on_state(self, state: ConnectionState, detail: str) -> None:
        self.model.sig_state_changed.emit(state, detail)

    def on_identity(self, identity: ThreadIdentity | None) -> None:
        self.model.sig_identity_changed.emit(identity)


class SessionModel(QObject):
    sig_state_changed = Signal(object, str)  # ConnectionState, detail
    sig_identity_changed = Signal(object)  # ThreadIdentity | None

    def __init__(self, session: ThreadSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._simulator: object | None = None
        session.add_listener(_Relay(self))

    @property
    def state(self) -> ConnectionState:
        return self.session.state

    @property
    def identity(self) -> ThreadIdentity | None:
        return self.session.identity

    @property
    def client(self) -> EdgeClient | None:
        """The Edge client when a request may be sent now, else None."""
        return self.session.client if self.session.state.usable else None

    def require_client(self) -> EdgeClient:
        client = self.client
        if client is None:
            raise EdgeUnreachable(
                self.session.client.base_url if self.session.client else "(none)",
                "not connected: connect on the Connection page first",
            )
        return client

    def report_error(self, error: BaseException) -> None:
        """Pages hand failures here so a vanished THREAD is noticed at once, not at the next heartbeat."""
        if isinstance(error, EdgeUnreachable):
            self.session.report_unreachable(error.reason)

    async def connect_to(self, target: ConnectionTarget) -> ThreadIdentity:
        """Connect; for the simulator, start (or reuse) the embedded simulated THREAD first."""
        if target.kind is ConnectionKind.SIMULATOR:
            url = await self._simulator_url()
        else:
            await self._stop_simulator()
            url = base_url(target.address)
        return await self.session.connect(target, url)

    async def close_connection(self) -> None:
        """Disconnect from the THREAD (not named ``disconnect``: that is QObject's signal API)."""
        await self.session.disconnect()

    async def _simulator_url(self) -> str:
        from commissioner.sim.host import SimHost

        if self._simulator is None:
            host = SimHost(count=1)
            await host.start()
            self._simulator = host
        assert isinstance(self._simulator, SimHost)
        return self._simulator.urls[0]

    @property
    def simulator_url(self) -> str | None:
        from commissioner.sim.host import SimHost

        return self._simulator.urls[0] if isinstance(self._simulator, SimHost) else None

    async def _stop_simulator(self) -> None:
        from commissioner.sim.host import SimHost

        host, self._simulator = self._simulator, None
        if isinstance(host, SimHost):
            await host.aclose()

    async def aclose(self) -> None:
        await self.session.aclose()
        await self._stop_simulator()
