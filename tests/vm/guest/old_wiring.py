"""make vm-test only (issue 13): the button wired as the player wired it before issue 13 -- a
gpiozero DigitalInputDevice whose edges are claimed once and never checked -- pressed once on
the simulated line. Prints "heard" or "deaf". The check runs it with and without the stall shim
to show that the shim really forces lgpio's start-up race. Usage: old_wiring.py PULL_FILE"""

import sys
import time
from pathlib import Path

from gpiozero import DigitalInputDevice

pull = Path(sys.argv[1])
heard: list[float] = []
button = DigitalInputDevice(17, pull_up=True, bounce_time=None)
button.when_activated = lambda: heard.append(time.monotonic())
time.sleep(0.5)  # the daemon was ready only after rendering and opening the card
pull.write_text("pull-down")
time.sleep(0.3)
pull.write_text("pull-up")
time.sleep(0.5)
print("heard" if heard else "deaf", flush=True)
