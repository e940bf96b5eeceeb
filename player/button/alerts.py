"""What we know of lgpio's alert thread, read from lgpio 0.2.2's C sources (`lgPthAlerts.c`),
and how the button watch proves it alive and wakes it.

lgpio reads edges in one C thread. With no line claimed it unlocks its list, then waits on a
condition with no predicate; `gpio_claim_alert` signals that condition once. A signal that
lands between the unlock and the wait is lost, and the thread sleeps for ever: no callback, no
error. With a line claimed, the thread never waits: it `ppoll`s the line every 0.5 ms, so it
makes about two thousand voluntary context switches a second, and a parked one makes none.
That difference is the proof of life; a second claim, which signals again, is the cure (the
thread is then really waiting, so the signal cannot be lost). lgpio's other C thread (pulses)
wakes fifty times a second, well below the line we draw. Edges then reach Python through a
FIFO read by one Python thread, `lgpio._notify_thread`, which must also be alive.

lgpio's watchdog (`gpio_set_watchdog_micros`) cannot serve as a heartbeat: it reports once
after an edge and only then, and its report (level 2) reaches gpiozero as a release.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

POLLING = 200.0  # switches a second: below lgpio's 2000 while polling, above its 50 for pulses
LOOK = 0.01  # seconds between looks while proving


class AlertThread:
    """lgpio's alert thread among `candidates` (the C threads its chip open started), and the
    line whose edges it watches."""

    def __init__(self, pin: object, candidates: list[int]) -> None:
        self.pin = pin
        self.candidates = candidates
        self.tid: int | None = None  # known once it has been seen polling
        self.rate = 0.0  # its switches a second when last proven
        self._last: dict[int, int] = {}

    def prove(self, within: float = 0.25) -> bool:
        """True once one candidate is seen switching at lgpio's polling rate (it is then the
        alert thread); False if none does within `within` seconds."""
        start, begun = _switches(self.candidates), time.monotonic()
        while True:
            time.sleep(LOOK)
            now, elapsed = _switches(self.candidates), time.monotonic() - begun
            rates = {t: (now.get(t, 0) - start.get(t, 0)) / elapsed for t in now}
            fastest = max(rates, key=rates.__getitem__, default=None)
            if fastest is not None and rates[fastest] >= POLLING and elapsed >= 5 * LOOK:
                self.tid, self._last, self.rate = fastest, now, rates[fastest]
                return _notify_alive()
            if elapsed >= within:
                return False

    def alive(self) -> bool | None:
        """Since the last look: did the alert thread switch at all (and does the Python thread
        that hands its reports on still run)? None before it was ever proven."""
        if self.tid is None:
            return None
        count = _switches([self.tid]).get(self.tid)
        moved = count is not None and count != self._last.get(self.tid)
        self._last[self.tid] = count or 0
        return moved and _notify_alive()

    def reclaim(self) -> None:
        """Claim the line's edges again, keeping its flags (pull-up) and gpiozero's callback;
        the claim's signal wakes a parked thread. Through lgpio directly: gpiozero's own way
        (`when_changed = None`, then set again) leaves a moment in which an edge already on its
        way calls None in lgpio's thread, which would end that thread."""
        import lgpio

        handle, number = self.pin.factory._handle, self.pin.number  # gpiozero's LGPIOPin
        flags = lgpio.gpio_get_mode(handle, number) & self.pin.GPIO_LINE_FLAGS_MASK
        lgpio.gpio_claim_alert(handle, number, lgpio.BOTH_EDGES, flags)


def _notify_alive() -> bool:
    lgpio = sys.modules.get("lgpio")
    thread = getattr(lgpio, "_notify_thread", None)
    return thread is None or thread.is_alive()


def _switches(tids: list[int]) -> dict[int, int]:
    """Voluntary context switches of each thread still alive, from /proc."""
    out = {}
    for tid in tids:
        try:
            status = Path(f"/proc/self/task/{tid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                out[tid] = int(line.split()[1])
    return out
