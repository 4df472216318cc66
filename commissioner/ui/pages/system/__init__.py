"""System page: flash, LEDs, cloud connection, network priority, battery saver, sleep, update, message."""

from commissioner.ui.pages.system.page import SystemPage

__all__ = ["SystemPage"]
