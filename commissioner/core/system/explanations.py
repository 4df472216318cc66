"""The sentences that explain each gateway setting, taken from the Edge API documentation.

Kept in core so the System page, the CLI's help and the commissioning report say the same thing.
"""

from __future__ import annotations

from commissioner.core.edge.rules import (
    BATTERY_DEFAULT_HIGH,
    BATTERY_DEFAULT_LOW,
    BATTERY_HIGH_RANGE,
    BATTERY_LOW_RANGE,
)

FLASH_LED = "Flashes the THREAD's LED so you can tell which unit you are talking to."

ACCESSIBLE_LED = (
    "Sets the exterior LED green or red for whoever stands at the THREAD. While the cloud "
    "connection is enabled, the health of that connection decides the colour instead, so disable "
    "the cloud connection to use this. Not kept: after a reboot the LED is red. The THREAD does "
    "not report the current colour."
)

CLOUD_CONNECTION = (
    "Whether the THREAD connects to iTwin IoT cloud. Disable it only if you send data to your own "
    "cloud. The choice persists across reboots (not factory resets), and while it is disabled the "
    "exterior LED is red unless you set it green above."
)

INTERFACE_PRIORITY = (
    "Which network the THREAD uses first when both are available: Ethernet (eth0) or cellular "
    "(ppp0). It uses the other one when the preferred one is missing."
)

BATTERY_SAVER = (
    f"Low: the THREAD shuts off at this charge, {BATTERY_LOW_RANGE[0]}–{BATTERY_LOW_RANGE[1]} %. "
    f"High: it stops charging at this charge, {BATTERY_HIGH_RANGE[0]}–{BATTERY_HIGH_RANGE[1]} %. "
    "Low and high are always set together; enabling without them means "
    f"{BATTERY_DEFAULT_LOW} % / {BATTERY_DEFAULT_HIGH} %."
)

SLEEP = (
    "Low-power mode: the THREAD stops answering, streaming and sending data for the whole "
    "duration, then wakes by itself. The app waits and reconnects afterwards."
)

UPDATE = (
    "Installs the THREAD application: the latest cloud version, a given version, or a .jar file "
    "already on the THREAD (full absolute path). The THREAD restarts and does not answer for a "
    "while; the app waits and shows the new version."
)

MESSAGE = "Sends text to the device connected to a port, as if typed on its serial line."
