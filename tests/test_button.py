"""The push button on gpiozero's mock pins: edges in both directions, and no thread of its own."""

from __future__ import annotations

import threading

import pytest

from player.button.pin import PushButton
from player.core.errors import ButtonError

from .daemonkit import Running, press, silenced_in_the_callback


def test_button_reports_both_edges_and_keeps_no_thread_polling(pins):
    before = threading.active_count()
    edges: list[bool] = []
    button = PushButton(17, edges.append)
    try:
        # gpiozero's Button would start a thread for `when_held` that wakes ten times a second
        # for as long as the daemon runs; the gesture reader knows long presses without it.
        assert threading.active_count() == before
        # No glitch filter: lgpio would hold a press back until the level had been stable that
        # long (mock pins ignore it, so this is all a test here can see; vm-test's check 3
        # times the real thing). The gesture reader debounces instead.
        assert pins.pin(17).bounce is None
        pins.pin(17).drive_low()  # pressed: the pin pulled to ground
        assert button.pressed
        pins.pin(17).drive_high()
        assert edges == [True, False] and not button.pressed
    finally:
        button.close()


def test_press_silences_in_the_buttons_own_thread_while_the_loop_is_busy(pins, setup):
    """The design's central promise: when the button's callback returns, the mixer has stopped,
    even if the loop is busy elsewhere. The loop is held in a call of ours meanwhile, so a
    silence left to the loop could not have happened yet."""
    pin = pins.pin(17)
    with Running(setup) as run:
        press(pin)
        run.until(run.daemon.mixer.busy)  # the title is sounding
        assert silenced_in_the_callback(run, pin)
        pin.drive_high()


def test_a_pin_librarys_own_error_is_one_line_not_a_traceback(pins):
    """Issue 24: on the arm64 test machine lgpio refused a line its chip lacks with its own
    `lgpio.error`, which is no gpiozero error, and the daemon died with a traceback."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory, MockPin

    class RefusedError(Exception):  # a pin library's own exception class, as lgpio.error is
        pass

    class RefusingPin(MockPin):
        def __init__(self, factory, info):
            raise RefusedError("'GPIO operation not permitted'")

    Device.pin_factory = MockFactory(pin_class=RefusingPin)
    with pytest.raises(ButtonError) as raised:
        PushButton(17, lambda pressed: None)
    [line] = raised.value.lines()
    assert line.startswith("button.pin") and "GPIO operation not permitted" in line
