"""Play a steady tone through SDL's ALSA output once per mixer buffer size given, record it from
the loopback card, and count underruns: gaps of silence inside the tone (issue 8). Run with the
product's venv (it has pygame), opening the card as the product does (`plughw`). Prints one
line per size: `frames granted gaps`, the ALSA buffer in frames that the driver granted.
Usage: underruns.py RATE FRAMES..."""

from __future__ import annotations

import array
import itertools
import math
import os
import sys
import time
from pathlib import Path

os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
os.environ["AUDIODEV"] = "plughw"  # as player.audio.mixer opens the default card
import pygame

sys.path.insert(0, str(Path(__file__).parent))
from checks import LOUD, Recording, playback_params

SECONDS = 3


def tone(rate: int, channels: int) -> bytes:
    """A 440 Hz tone at a quarter of full scale: loud in every 2 ms of it."""
    wave = array.array("h")
    for i in range(rate * SECONDS):
        wave.extend([int(8000 * math.sin(2 * math.pi * 440 * i / rate))] * channels)
    return wave.tobytes()


def gaps(samples: array.array, rate: int) -> int:
    """Quiet stretches over 2 ms between the first and the last loud sample."""
    loud = [i for i, v in enumerate(samples) if abs(v) > LOUD]
    return sum(1 for a, b in itertools.pairwise(loud) if b - a > rate // 500)


def main(asked: int, sizes: list[int]) -> None:
    for frames in sizes:
        pygame.mixer.pre_init(asked, -16, 1, frames)
        pygame.mixer.init()
        rate, _, channels = pygame.mixer.get_init()
        sound = pygame.mixer.Sound(buffer=tone(rate, channels))
        recording = Recording(None, rate)  # after the playback end: it takes its sizes
        sound.play()
        time.sleep(0.5)
        granted = playback_params().get("buffer_size", 0)
        while pygame.mixer.get_busy():
            time.sleep(0.01)
        time.sleep(0.2)
        recording.close()
        pygame.mixer.quit()
        heard = any(abs(v) > LOUD for v in recording.samples)
        print(frames, granted, gaps(recording.samples, rate) if heard else -1, flush=True)
        time.sleep(0.5)


if __name__ == "__main__":
    main(int(sys.argv[1]), [int(size) for size in sys.argv[2:]])
