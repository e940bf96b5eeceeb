"""The push button through gpiozero's default pin factory (lgpio on a Pi 5, `mock` in tests).

No `bounce_time`: under lgpio it reports an edge only once the level has been stable, which
would delay the silence. The gesture reader debounces instead. The callbacks only stamp the edge
and hand it on, after silencing on a press, because lgpio runs every callback on one thread.
A `DigitalInputDevice`, not a `Button`: long presses are the gesture reader's, and a `Button`
keeps a thread for its own `when_held` that wakes ten times a second for ever.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from player.core.errors import ButtonError, Problem


class PushButton:
    """One momentary button between a BCM pin and ground, with the internal pull-up."""

    def __init__(self, pin: int, on_edge: Callable[[bool], None]) -> None:
        from gpiozero import DigitalInputDevice
        from gpiozero.exc import GPIOZeroError

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # fallback chatter: the error says enough
                self._pin = DigitalInputDevice(pin, pull_up=True, bounce_time=None)
        except (GPIOZeroError, OSError, RuntimeError) as error:
            message = f"expected a GPIO we can read, found: {error}"
            raise ButtonError([Problem("button.pin", message)]) from None
        self._pin.when_activated = lambda: on_edge(True)  # active low: pulled to ground
        self._pin.when_deactivated = lambda: on_edge(False)

    @property
    def pressed(self) -> bool:
        """True while the button is held down."""
        return bool(self._pin.is_active)

    def close(self) -> None:
        self._pin.close()
