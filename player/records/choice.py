"""The routine a person chose with a long press, kept in a small file in the state folder so
that a restart or a reload keeps it. The config's `[player] routine` wins again once a person
changes it: the file remembers which configured routine the choice was made against."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

FILE = "selected.json"


class Choice:
    """The selected routine: the last one chosen, or the configured one."""

    def __init__(self, state: Path, configured: str) -> None:
        self.path, self.configured = state / FILE, configured

    @property
    def routine(self) -> str:
        """The routine chosen last against this config, else the configured one."""
        try:
            kept = json.loads(self.path.read_text(encoding="utf-8"))
            if kept["configured"] == self.configured and isinstance(kept["routine"], str):
                return kept["routine"]
        except (OSError, ValueError, KeyError, TypeError):
            pass  # none yet, or unreadable: the config says
        return self.configured

    def chose(self, routine: str) -> None:
        """Keep a person's choice; a file that cannot be written costs only the memory."""
        text = json.dumps({"routine": routine, "configured": self.configured})
        temporary = self.path.with_suffix(".tmp")
        with contextlib.suppress(OSError):
            temporary.write_text(text + "\n", encoding="utf-8")
            os.replace(temporary, self.path)
