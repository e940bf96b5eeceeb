"""pip's way in (the PEP 517 build backend named in pyproject.toml): setuptools' own hooks, each
asking `systemd/platform.sh` first, so that `pip install .` on a 32-bit system stops in the same
one line as `make install` before it builds or installs anything (README: Supported systems)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from setuptools import build_meta

PLATFORM = Path(__file__).with_name("platform.sh")


def _refuse_32_bit() -> None:
    """Stop with platform.sh's own line when it refuses this system."""
    asked = subprocess.run(["sh", str(PLATFORM)], capture_output=True, text=True, check=False)
    if asked.returncode:
        raise SystemExit(asked.stderr.strip())


def _guarded(hook: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _refuse_32_bit()
        return hook(*args, **kwargs)

    guarded.__doc__ = hook.__doc__
    return guarded


get_requires_for_build_wheel = _guarded(build_meta.get_requires_for_build_wheel)
prepare_metadata_for_build_wheel = _guarded(build_meta.prepare_metadata_for_build_wheel)
build_wheel = _guarded(build_meta.build_wheel)
get_requires_for_build_editable = _guarded(build_meta.get_requires_for_build_editable)
prepare_metadata_for_build_editable = _guarded(build_meta.prepare_metadata_for_build_editable)
build_editable = _guarded(build_meta.build_editable)
# An sdist is only the sources: making one on any system is harmless.
get_requires_for_build_sdist = build_meta.get_requires_for_build_sdist
build_sdist = build_meta.build_sdist
