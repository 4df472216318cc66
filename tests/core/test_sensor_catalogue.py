"""The sensor catalogue loads the shipped models and reports broken entries by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from commissioner.core.sensor_catalogue import CatalogueError, load_catalogue


def test_shipped_catalogue_describes_the_simulated_sensors() -> None:
    models = {m.id: m for m in load_catalogue()}
    assert {"wx-232", "dt-485", "lt-420", "generic"} <= set(models)
    weather = models["wx-232"]
    assert weather.interface == "RS232" and weather.baud == 9600
    assert [c.name for c in weather.channels] == ["temperature", "humidity", "pressure"]
    assert models["dt-485"].poll == "01R\r\n"
    for model in models.values():
        # all-known or all-unknown, so metric and unit index keys line up
        assert len({c.known for c in model.channels}) == 1


def test_missing_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[[sensor]]\nid = "x"\nname = "X"\ninterface = "RS232"\n')
    with pytest.raises(CatalogueError, match="sensor 'x': missing key 'device_template'"):
        load_catalogue(path)


def test_bad_interface_and_duplicates_are_refused(tmp_path: Path) -> None:
    entry = (
        '[[sensor]]\nid = "x"\nname = "X"\ninterface = "{iface}"\ndevice_template = "D"\n'
        'sensor_template = "S"\n[[sensor.channels]]\nname = "v"\nmetric = "v"\nunit = "u"\n'
    )
    path = tmp_path / "c.toml"
    path.write_text(entry.format(iface="CAN"))
    with pytest.raises(CatalogueError, match="interface must be one of"):
        load_catalogue(path)
    path.write_text(entry.format(iface="RS485") * 2)
    with pytest.raises(CatalogueError, match="repeated: x"):
        load_catalogue(path)
    path.write_text("not toml [")
    with pytest.raises(CatalogueError, match="Cannot read"):
        load_catalogue(path)
