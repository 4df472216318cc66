"""Simulated THREAD gateways (aiohttp): REST API, port WebSockets, sensors, faults.

Public entry points: :func:`commissioner.sim.scenario.load_scenario`,
:class:`commissioner.sim.server.ThreadServer`, :class:`commissioner.sim.host.SimHost` and
:class:`commissioner.sim.faults.Faults`. Module map:

* ``scenario``  TOML scenarios (``resources/scenarios``)    * ``state``   device model, persistence
* ``clock``     drifting RTC     * ``power``  battery and environment  * ``noise``  smooth noise
* ``uart``      bit-level UART framing (garbling)      * ``sensors``  sensor models
* ``ports``     a port: gates, garbling, ADC readings  * ``websocket``  ``/ws/port/N`` streams
* ``rest``      ``/api/*``       * ``control``  ``/_sim/*``    * ``faults``  fault knobs
* ``device``    the live device  * ``server``   ThreadServer   * ``host``   SimHost (many)
"""
