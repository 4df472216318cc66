"""Paths and payload keys of the THREAD Edge API, exactly as the seed document spells them.

The seed shows request bodies but only some response bodies. Where it is silent this project uses
one consistent shape, which the simulator serves and the client reads tolerantly (it also accepts
the bare value, or the value under another obvious key), so a real THREAD that differs slightly
still works:

======================  ======  ==============================  ====================================
path                    method  request                         response (2xx)
======================  ======  ==============================  ====================================
serialNumber            GET                                     {"value": "A1B2C3"}
time                    GET                                     {"time": "2019-11-19T15:41:30.000Z"}
time                    POST    {"time": ISO}                   {"time": ISO}
timeAccurate            GET                                     {"value": true}
chargeInputVoltage      GET                                     {"value": 14.5288}        (V)
chargeInputCurrent      GET                                     {"value": 0.0225}         (A)
batteryVoltage          GET                                     {"value": 13.7456}        (V)
stateOfCharge           GET                                     {"value": 87}             (%)
batterySaver            GET                                     {"value": false, "low": 0, "high": 100}
batterySaver            PUT     {"value": true, "low", "high"}  same shape as GET
deviceAdcRead           GET     ?port=1&option=0|1              {"value": 11.98}          (V or A)
deviceVoltage           POST    {"portNumber", "value": 0|1|2}  {"portNumber", "value"}
sleep                   POST    {"duration": ms}                {"duration": ms}
tempRead                GET                                     {"value": 36.75}          (deg C)
pressRead               GET                                     {"value": 10178.850996}   (daPa; hPa on V11-)
deviceAdcRead420        GET     ?port=1                         {"value": 0.012}          (A)
deviceRsSel             POST    {"portNumber", "content"}       {"portNumber", "content"}
observation             POST                                    {"value": true}
configure               GET     ?port=1                         {"COMM_TYPE": ..., ...}   (set keys only)
configure               PUT     ?port=1 {KEY: value, ...}       the port's properties after the change
configure               DELETE  ?port=1 {"resources": [KEY]}    the port's properties after the change
interfacePriority       GET                                     {"content": "eth0"}
interfacePriority/X     PUT     (X = cellular | ethernet)       {"content": "ppp0" | "eth0"}
message                 POST    {"portNumber", "message"}       {"portNumber", "message"}
version/firmware/hardware GET                                   {"value": "7.18.0"}
update                  POST    [?version=V | ?file=/abs.jar]   {"value": "updating", "version": V}
accessible              POST    {"value": "true"|"false"}       {"value": true|false}
cloudConnection         GET                                     {"value": true}
cloudConnection         PUT     {"value": "true"|"false"}       {"value": true|false}
deviceConnection        GET     ?port=2                         {"value": true}
deviceConnection        PUT     ?port=3 {"value": true|false}   {"value": true|false}
======================  ======  ==============================  ====================================

Errors: HTTP 400 ``{"error": "<what is wrong>"}`` for invalid input, 404 for an unknown path, 500
for an internal fault. While updating, rebooting or asleep the THREAD does not answer at all
(connections are refused or reset). The WebSocket streams are ``/ws/port/{1,2,3}``.
"""

from __future__ import annotations

API_PREFIX = "/api/"
WS_PORT_PATH = "/ws/port/{port}"

SERIAL_NUMBER = "serialNumber"
TIME = "time"
TIME_ACCURATE = "timeAccurate"
CHARGE_INPUT_VOLTAGE = "chargeInputVoltage"
CHARGE_INPUT_CURRENT = "chargeInputCurrent"
BATTERY_VOLTAGE = "batteryVoltage"
STATE_OF_CHARGE = "stateOfCharge"
BATTERY_SAVER = "batterySaver"
DEVICE_ADC_READ = "deviceAdcRead"
DEVICE_VOLTAGE = "deviceVoltage"
SLEEP = "sleep"
TEMP_READ = "tempRead"
PRESS_READ = "pressRead"
DEVICE_ADC_READ_420 = "deviceAdcRead420"
DEVICE_RS_SEL = "deviceRsSel"
OBSERVATION = "observation"
CONFIGURE = "configure"
INTERFACE_PRIORITY = "interfacePriority"
INTERFACE_PRIORITY_CELLULAR = "interfacePriority/cellular"
INTERFACE_PRIORITY_ETHERNET = "interfacePriority/ethernet"
MESSAGE = "message"
VERSION = "version"
FIRMWARE = "firmware"
HARDWARE = "hardware"
UPDATE = "update"
ACCESSIBLE = "accessible"
CLOUD_CONNECTION = "cloudConnection"
DEVICE_CONNECTION = "deviceConnection"

# Keys of request bodies, as documented.
K_VALUE = "value"
K_CONTENT = "content"
K_PORT_NUMBER = "portNumber"
K_TIME = "time"
K_DURATION = "duration"
K_MESSAGE = "message"
K_LOW = "low"
K_HIGH = "high"
K_RESOURCES = "resources"
K_ERROR = "error"
