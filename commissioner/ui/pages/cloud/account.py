"""The account group: cloud profile, asset (project), sign-in method, sign in/out, who is signed in.

Secrets are asked for in a masked dialog only when the core says none is stored, and the dialog
says whether it will be kept in the OS keyring or only for this session. A user sign-in on a real
profile happens in the system browser; on the simulator the app follows the sign-in itself.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from commissioner.core.cloud.auth import AuthStatus
from commissioner.core.cloud.errors import CloudConfigError, SecretUnavailable
from commissioner.core.cloud.profiles import (
    SIM_API_KEY,
    SIM_SERVICE_CLIENT_SECRET,
    AuthMethod,
)
from commissioner.ui.pages.cloud.dialogs import ask_secret, describe_cloud_error
from commissioner.ui.pages.cloud.model import CloudModel
from commissioner.ui.tasks import TaskRunner
from commissioner.ui.widgets.inline_status import InlineStatus

METHODS = (
    (AuthMethod.USER, "User (browser sign-in)"),
    (AuthMethod.SERVICE, "Service application"),
    (AuthMethod.API_KEY, "API key"),
)
STATE_TEXT = {
    AuthStatus.SIGNED_OUT.value: "Signed out",
    AuthStatus.SIGNING_IN.value: "Signing in…",
    AuthStatus.SIGNED_IN.value: "Signed in",
    AuthStatus.EXPIRED.value: "Session expired: sign in again",
}


class AccountBox(QGroupBox):
    def __init__(self, model: CloudModel, parent: QWidget | None = None) -> None:
        super().__init__("Cloud account", parent)
        self.model = model
        self.ask_secret = ask_secret  # replaced in tests
        self.runner = TaskRunner(self._on_error, self)
        self.profile_combo = QComboBox()
        self.project_combo = QComboBox()
        self.project_combo.setEditable(True)
        self.project_combo.setMinimumContentsLength(30)
        self.project_combo.setToolTip("The iTwin (asset) id registrations go to")
        self.method_combo = QComboBox()
        for method, text in METHODS:
            self.method_combo.addItem(text, method)
        self.client_id_edit = QLineEdit()
        self.client_id_edit.setPlaceholderText("desktop (native) client id")
        self.service_id_edit = QLineEdit()
        self.service_id_edit.setPlaceholderText("service application client id")
        self.sign_in_button = QPushButton("Sign in")
        self.sign_out_button = QPushButton("Sign out")
        self.state_label = QLabel("Signed out")
        self.account_label = QLabel("")
        self.account_label.setWordWrap(True)
        self.outage_check = QCheckBox("Simulate cloud outage")
        self.outage_check.setToolTip(
            "Stop the embedded cloud simulator (state kept) to try the offline queue"
        )
        self.status = InlineStatus()

        grid = QGridLayout(self)
        grid.addWidget(QLabel("Profile"), 0, 0)
        grid.addWidget(self.profile_combo, 0, 1)
        grid.addWidget(QLabel("Asset (project)"), 0, 2)
        grid.addWidget(self.project_combo, 0, 3)
        grid.addWidget(QLabel("Sign-in method"), 1, 0)
        grid.addWidget(self.method_combo, 1, 1)
        self.ids_label = QLabel("Client ids")
        self.ids_row = QWidget()
        ids = QHBoxLayout(self.ids_row)
        ids.setContentsMargins(0, 0, 0, 0)
        ids.addWidget(self.client_id_edit)
        ids.addWidget(self.service_id_edit)
        grid.addWidget(self.ids_label, 1, 2)
        grid.addWidget(self.ids_row, 1, 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.sign_out_button)
        buttons.addWidget(self.state_label)
        buttons.addSpacing(16)
        buttons.addWidget(QLabel("Account:"))
        buttons.addWidget(self.account_label, 1)
        buttons.addWidget(self.outage_check)
        grid.addLayout(buttons, 2, 0, 1, 4)
        grid.addWidget(self.status, 3, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 2)

        self.profile_combo.activated.connect(self._on_profile_chosen)
        self.project_combo.activated.connect(self._on_project_chosen)
        project_line = self.project_combo.lineEdit()
        if project_line is not None:
            project_line.editingFinished.connect(self._on_project_chosen)
        self.method_combo.activated.connect(self._on_method_chosen)
        self.client_id_edit.editingFinished.connect(self._on_ids_edited)
        self.service_id_edit.editingFinished.connect(self._on_ids_edited)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.sign_out_button.clicked.connect(self.sign_out)
        self.outage_check.toggled.connect(self._on_outage_toggled)
        model.sig_workspace_changed.connect(self.show_workspace)
        model.sig_auth_changed.connect(self._on_auth_changed)
        model.sig_outage_changed.connect(self._on_outage_changed)
        self.show_workspace()

    # -- showing -------------------------------------------------------------------------------

    def show_workspace(self) -> None:
        ws = self.model.workspace
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        self.profile_combo.addItems(self.model.profile_names())
        self.profile_combo.setCurrentText(self.model.profile_name)
        self.profile_combo.blockSignals(False)
        simulator = self.model.is_simulator
        self.outage_check.setVisible(simulator)
        self.ids_row.setVisible(not simulator)
        self.ids_label.setVisible(not simulator)
        if ws is None:
            return
        profile = ws.profile
        self.project_combo.blockSignals(True)
        self.project_combo.clear()
        recent = list(profile.recent_projects)
        if profile.project_id and profile.project_id not in recent:
            recent.insert(0, profile.project_id)
        self.project_combo.addItems(recent)
        self.project_combo.setCurrentText(profile.project_id)
        self.project_combo.blockSignals(False)
        self.method_combo.setCurrentIndex(self.method_combo.findData(profile.auth_method))
        self.client_id_edit.setText(profile.client_id)
        self.service_id_edit.setText(profile.service_client_id)
        self._on_auth_changed(ws.auth.status.value, ws.auth.account)

    def _on_auth_changed(self, status: str, account: str) -> None:
        self.state_label.setText(STATE_TEXT.get(status, status))
        self.account_label.setText(account or "(nobody)")
        signed_in = status == AuthStatus.SIGNED_IN.value
        self.sign_out_button.setEnabled(signed_in)
        if status == AuthStatus.EXPIRED.value:
            self.status.warning("The cloud session expired. Sign in again to continue.")

    def _on_outage_changed(self, offline: bool) -> None:
        self.outage_check.blockSignals(True)
        self.outage_check.setChecked(offline)
        self.outage_check.blockSignals(False)

    def _on_error(self, exc: BaseException) -> None:
        self.status.error(describe_cloud_error(exc))

    # -- choices -------------------------------------------------------------------------------

    def _on_profile_chosen(self, _index: int = 0) -> None:
        name = self.profile_combo.currentText()
        if (name and name != self.model.profile_name) or self.model.workspace is None:
            self.status.working(f"Opening profile {name}…")
            self.runner.run(self._switch(self.model.select_profile(name)), exclusive=False)

    def _on_project_chosen(self, _index: int = 0) -> None:
        project = self.project_combo.currentText().strip()
        ws = self.model.workspace
        if ws is None or not project or project == ws.profile.project_id:
            return
        self.status.working(f"Switching to asset {project}…")
        self.runner.run(
            self._switch(self.model.update_profile(project_id=project)), exclusive=False
        )

    def _on_method_chosen(self, _index: int = 0) -> None:
        method = self.method_combo.currentData()
        ws = self.model.workspace
        if ws is None or method == ws.profile.auth_method:
            return
        self.runner.run(
            self._switch(self.model.update_profile(auth_method=method)), exclusive=False
        )

    def _on_ids_edited(self) -> None:
        ws = self.model.workspace
        if ws is None or self.model.is_simulator:
            return
        client, service = self.client_id_edit.text().strip(), self.service_id_edit.text().strip()
        if (client, service) == (ws.profile.client_id, ws.profile.service_client_id):
            return
        changes = {"client_id": client, "service_client_id": service}
        self.runner.run(self._switch(self.model.update_profile(**changes)), exclusive=False)

    async def _switch(self, coro: Any) -> None:
        await coro
        self.status.clear_status()
        await self._restore()

    async def _restore(self) -> None:
        try:
            if await self.model.restore():
                self.status.ok("Signed in again from the stored sign-in.")
        except Exception as exc:  # silent: the user can still sign in by hand
            self.status.warning(
                f"Could not sign in with the stored sign-in: {describe_cloud_error(exc)}"
            )

    def start(self) -> None:
        """Open the workspace of the chosen profile and try a silent sign-in."""
        self.runner.run(self._switch(self.model.ensure_workspace()), exclusive=False)

    def _on_outage_toggled(self, offline: bool) -> None:
        self.runner.run(self.model.set_outage(offline), exclusive=False)

    # -- sign in / out -------------------------------------------------------------------------

    def sign_in(self) -> None:
        self.runner.run(self._sign_in())

    async def _sign_in(self) -> None:
        ws = await self.model.ensure_workspace()
        ws.profile.validate()  # e.g. no client id yet: say so instead of opening a browser
        if not ws.profile.project_id:
            raise CloudConfigError("Choose the asset (project id) to register into first.")
        method = ws.profile.auth_method
        if method is AuthMethod.USER and not ws.is_simulator:
            self.status.working("Finish signing in in your browser; this window waits for it.")
            account = await ws.sign_in(open_url=self._open_browser)
        elif method is AuthMethod.USER:
            self.status.working("Signing in to the cloud simulator…")
            account = await ws.sign_in()
        else:
            self.status.working("Signing in…")
            try:
                account = await ws.sign_in()
            except SecretUnavailable:
                what = "client secret" if method is AuthMethod.SERVICE else "API key"
                hint = ""
                if ws.is_simulator:
                    demo = (
                        SIM_SERVICE_CLIENT_SECRET if method is AuthMethod.SERVICE else SIM_API_KEY
                    )
                    hint = f"The simulator's demo value is {demo}."
                secret = self.ask_secret(self, what, ws.secrets.persistent, hint)
                if secret is None:
                    self.status.warning(f"Not signed in: no {what} entered.")
                    return
                if method is AuthMethod.SERVICE:
                    account = await ws.sign_in(secret=secret)
                else:
                    account = await ws.sign_in(api_key=secret)
        self.status.ok(f"Signed in as {account}.")

    @staticmethod
    def _open_browser(url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))

    def sign_out(self) -> None:
        ws = self.model.workspace
        if ws is not None:
            ws.auth.sign_out()
            self.status.ok("Signed out; the stored sign-in was forgotten.")
