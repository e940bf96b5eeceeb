"""The systemd notify protocol by hand (a datagram on $NOTIFY_SOCKET): READY, STATUS,
WATCHDOG and STOPPING. Without a NOTIFY_SOCKET every call does nothing. The watchdog is petted
from the loop's own thread (`pet`), so a loop that hangs is what makes systemd restart us."""

from __future__ import annotations

import os
import socket


class Notifier:
    """Tells systemd how the service is doing; knows how often the watchdog wants a pet."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        env = dict(os.environ) if env is None else env
        address = env.get("NOTIFY_SOCKET", "")
        self._address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        mine = env.get("WATCHDOG_PID", str(os.getpid())) == str(os.getpid())
        self.watchdog_interval = int(usec) / 2e6 if usec.isdigit() and mine else None
        self._next_pet = float("-inf")

    def send(self, *fields: str) -> None:
        """Send `KEY=value` fields; a missing or broken socket is never fatal."""
        if not self._address:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto("\n".join(fields).encode(), self._address)
        except OSError:
            pass

    def ready(self, status: str) -> None:
        self.send("READY=1", f"STATUS={status}")

    def status(self, status: str) -> None:
        self.send(f"STATUS={status}")

    def extend(self, status: str, seconds: float) -> None:
        """Still starting: say how far, and move the start timeout `seconds` from now."""
        self.send(f"STATUS={status}", f"EXTEND_TIMEOUT_USEC={round(seconds * 1e6)}")

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    def pet(self, now: float) -> float | None:
        """Pet the watchdog if it is due; return when it is next due (None: no watchdog)."""
        if self.watchdog_interval is None:
            return None
        if now >= self._next_pet:
            self.watchdog()
            self._next_pet = now + self.watchdog_interval
        return self._next_pet

    def stopping(self) -> None:
        self.send("STOPPING=1")
