"""The push button through gpiozero's default pin factory (lgpio on a Pi, `mock` in tests).

We take the pin's own `when_changed` and read edges ourselves: gpiozero's events drop an edge
that repeats the level it last saw, so one lost edge would hide the next press (docs/design.md).
No `bounce_time`: under lgpio it reports an edge only once the level has been stable, which
would delay the silence; the gesture reader debounces instead. No `Button`: it keeps a thread
for its `when_held` that wakes ten times a second for ever.

lgpio runs every callback on one thread of its own with no try/except: one exception ends every
callback for the life of the process. Nothing raised here ever reaches it.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

from player.core.errors import ButtonError, Problem

log = logging.getLogger("routine-player")
TIMEOUT = 2  # lgpio's level for a watchdog report: no edge at all


class PushButton:
    """One momentary button between a BCM pin and ground, with the internal pull-up.

    `on_change(pressed)` runs in the pin's callback thread for every edge; `pressed` reads the
    line's level directly, not through that thread; `rearm()` claims the line's edges again.
    """

    def __init__(self, pin: int, on_change: Callable[[bool], None]) -> None:
        from gpiozero import InputDevice

        self.on_change = on_change
        before = _threads()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # fallback chatter: the error says enough
                self._device = InputDevice(pin, pull_up=True)
                self._device.pin.bounce = None
                self._device.pin.edges = "both"
                self._device.pin.when_changed = self._changed  # held weakly by gpiozero
        # Not only gpiozero's errors: each pin library raises its own (lgpio.error for a line
        # its chip lacks, as on a board whose first chip is not the header's), and any of them
        # here means the same thing, said in one line.
        except Exception as error:
            message = f"expected a GPIO we can read, found: {error}"
            raise ButtonError([Problem("button.pin", message)]) from None
        # Threads the pin factory started just now (lgpio's, in C): what `player.lgpio_probe`
        # watches. Python's own threads are not among them.
        python = {t.native_id for t in threading.enumerate()}
        self.new_threads = sorted(_threads() - before - python)

    @property
    def pin(self) -> object:
        """gpiozero's pin (for `player.button.alerts`, which claims its edges again)."""
        return self._device.pin

    @property
    def factory(self) -> str:
        """The pin factory's class name: `LGPIOFactory` on a Pi, `MockFactory` in tests."""
        return type(self._device.pin_factory).__name__

    @property
    def pressed(self) -> bool:
        """True while the button is held down: the line's level, read now."""
        return not self._device.pin.state  # active low: pulled to ground

    def rearm(self) -> None:
        """Give up the line's edges and claim them again, through gpiozero (the pull-up stays
        on). Not under lgpio, where `player.button.alerts` does it without a gap."""
        pin = self._device.pin
        pin.when_changed = None
        pin.when_changed = self._changed

    def _changed(self, ticks: float, state: int) -> None:
        """The pin's callback, in its own thread: hand the edge on; never raise."""
        try:
            if state not in (0, 1):  # TIMEOUT: a watchdog report, never a press
                return
            self.on_change(not state)
        except BaseException:  # lgpio's thread must live, whatever happens
            log.exception("the button's edge handler failed; the button goes on")

    def close(self, hand_back: bool = False) -> None:
        """Give up the line; with `hand_back`, give it back to the system too, so that another
        process (the service that setup restarts) can claim it while this one lives: gpiozero's
        lgpio pins stay claimed, as inputs, until their factory closes. gpiozero makes a new
        factory when a device next needs one."""
        factory = self._device.pin_factory
        self._device.close()
        if hand_back:
            from gpiozero import Device

            factory.close()
            if Device.pin_factory is factory:
                Device.pin_factory = None


def _threads() -> set[int]:
    """The ids of this process's threads, as the kernel knows them."""
    try:
        return {int(p.name) for p in Path("/proc/self/task").iterdir()}
    except OSError:
        return set()
