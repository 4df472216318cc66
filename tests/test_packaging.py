"""Packaging: the spec, desktop integration files and icons, and (slow) the frozen app itself."""

from __future__ import annotations

import configparser
import os
import re
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from commissioner.resources import resource_path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
FROZEN = ROOT / "dist" / "commissioner" / "commissioner"
VENDORS = {"0403", "067b", "10c4", "1a86"}


def test_spec_and_build_script_are_well_formed() -> None:
    """The spec compiles as Python, uses SPECPATH-relative paths, and build.sh parses."""
    spec = (PACKAGING / "commissioner.spec").read_text()
    compile(spec, "commissioner.spec", "exec")
    assert "SPECPATH" in spec and "/work/" not in spec
    assert 'collect_submodules("commissioner")' in spec
    assert (PACKAGING / "launch.py").is_file()
    subprocess.run(["bash", "-n", str(PACKAGING / "build.sh")], check=True)


def test_every_source_folder_is_a_package() -> None:
    """Each folder of Python files has an __init__.py, so collect_submodules bundles it."""
    missing = [
        str(folder.relative_to(ROOT))
        for folder in sorted((ROOT / "commissioner").rglob("*"))
        if folder.is_dir()
        and folder.name != "__pycache__"
        and any(folder.glob("*.py"))
        and not (folder / "__init__.py").exists()
    ]
    assert missing == []


def test_desktop_entry_has_the_keys_launchers_need() -> None:
    """The freedesktop entry parses and names the binary, icon and app."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(PACKAGING / "commissioner.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "THREAD Commissioner"
    assert entry["Exec"] == "commissioner"
    assert entry["Icon"] == "commissioner"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";") and "Utility" in entry["Categories"]


def test_metainfo_is_valid_xml_naming_the_desktop_entry() -> None:
    """The AppStream metainfo parses and points at the desktop entry and binary."""
    root = ET.parse(PACKAGING / "io.github.threadcommissioner.metainfo.xml").getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == "io.github.threadcommissioner"
    assert root.findtext("name") == "THREAD Commissioner"
    assert root.findtext("launchable") == "commissioner.desktop"
    assert root.findtext("provides/binary") == "commissioner"
    assert root.find("description/p") is not None


def test_udev_rule_covers_the_common_usb_serial_vendors() -> None:
    """The udev rule grants plugdev access to FTDI, Prolific, Silicon Labs and CH340 adapters."""
    rules = [
        line
        for line in (PACKAGING / "99-thread-commissioner.rules").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    vendors = set(re.findall(r'idVendor}=="(\w{4})"', "\n".join(rules)))
    assert vendors == VENDORS
    assert all(
        'GROUP="plugdev"' in line and "ttyUSB" in line and "ttyACM" in line for line in rules
    )


def test_icons_exist_and_png_is_256_square() -> None:
    """The SVG icon parses and the PNG rendered from it is 256x256."""
    svg = ET.parse(ICONS / "commissioner.svg").getroot()
    assert svg.tag.endswith("svg")
    png = (ICONS / "commissioner.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (256, 256)


def test_icon_resolves_from_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """resource_path finds the app icon in the source tree (no override, not frozen)."""
    monkeypatch.delenv("COMMISSIONER_RESOURCES", raising=False)
    assert resource_path("icons", "commissioner.png") == ICONS / "commissioner.png"


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_frozen_app_builds_and_passes_smoke(tmp_path: Path) -> None:
    """build.sh produces dist/commissioner, whose --smoke reads the simulated THREAD's serial."""
    subprocess.run(["bash", str(PACKAGING / "build.sh")], check=True, timeout=1100)
    assert FROZEN.is_file()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("COMMISSIONER_RESOURCES", None)
    result = subprocess.run(
        [str(FROZEN), "--smoke"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke ok" in result.stdout
