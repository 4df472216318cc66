"""iTwin IoT cloud: IMS sign-in, the sensor-data integrate/templates/upload API, the JSON-RPC socket.

Qt-free. Tokens live in memory, long-lived secrets in the OS keyring (see ``secrets``), and every
request is checked against the hosts of the cloud profile it belongs to before a credential is
attached.
"""
