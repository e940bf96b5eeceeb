"""The push button on gpiozero's mock pins: edges in both directions, and no thread of its own."""

from __future__ import annotations

import threading

from player.button import PushButton


def test_button_reports_both_edges_and_keeps_no_thread_polling(pins):
    before = threading.active_count()
    edges: list[bool] = []
    button = PushButton(17, edges.append)
    try:
        # gpiozero's Button would start a thread for `when_held` that wakes ten times a second
        # for as long as the daemon runs; the gesture reader knows long presses without it.
        assert threading.active_count() == before
        pins.pin(17).drive_low()  # pressed: the pin pulled to ground
        assert button.pressed
        pins.pin(17).drive_high()
        assert edges == [True, False] and not button.pressed
    finally:
        button.close()
