"""The mixer shell: pygame's mixer (pygame-ce), opened small so that silence comes quickly.

`silence()` stops every channel. It is safe from any thread, at any time, any number of times:
SDL locks its audio callback around the halt, so what is already in the device's buffer is the
only sound that can follow it. Sounds are converted to the format the mixer really opened
(`mixer.get_init()`), never an assumed one, and cut or padded to the frames the timeline planned,
so that `play` and `render` agree to the frame.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import replace

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
# SDL would otherwise take SIGINT and SIGTERM (when Python left them at their defaults) and turn
# them into a quit event nobody reads: `play` would not stop. Signals are ours.
os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"

import pygame  # imported after the environment above is set

from player.audio import loudness
from player.config import AudioConfig
from player.core.errors import AudioError, Problem
from player.core.sounds import WAKE, Chime, Sound

# The default card through ALSA's plug (format and rate conversion) but not its dmix, which
# runs the card with 16 periods of 1024 frames whatever SDL asks for (docs/design.md).
DIRECT = "plughw"
SHARED = "default"  # dmix, or a sound server's plugin: when the card is busy
HUM = 2  # the channel of keep-alive's hum (player/audio/keepalive.py); 0 and 1 are for sounds


class Mixer:
    """The pygame mixer: timeline sounds on one channel, extras on another.

    It can let the device go while the player is idle (`suspend()`), which stops SDL's audio
    thread waking 40 times a second and frees the card; the next `play()` opens it again.
    Sounds are kept as raw bytes and turned into pygame Sounds as they play, so nothing needs
    reloading after a reopen.
    """

    def __init__(self, settings: AudioConfig, lazy: bool = False) -> None:
        """Open the device now, or with `lazy` only at `open()`: `silence()` works before it,
        so the button can be armed with it while no device is open yet."""
        self.settings = settings
        self.buffer_frames = settings.buffer_frames
        self._lock = threading.RLock()
        self._raw: dict[Sound, bytes] = {}
        self._playing: dict[int, pygame.mixer.Sound] = {}
        self.is_open = False
        self.device = ""  # the ALSA device name it opened with
        self.rate = self.channels = self.sample_bytes = 0  # known once opened
        if not lazy:
            self.open()

    def open(self, default: bool = False) -> None:
        """Open the device for the first time; with `default`, the default output instead of
        the configured device, from then on. Raises AudioError (one line) if none opens."""
        with self._lock:
            chosen = self.settings
            if default:
                self.settings = replace(chosen, device="")
            try:
                self._open()
            except AudioError:
                self.settings = chosen
                raise
            self.rate, self.channels, self.sample_bytes = self._format

    def _open(self) -> None:
        """Open the configured ALSA device; with none configured, the default card directly,
        or ALSA's shared default when something else holds the card."""
        errors: dict[str, str] = {}
        for name in [self.settings.device] if self.settings.device else [DIRECT, SHARED]:
            os.environ["AUDIODEV"] = name  # read by SDL's ALSA driver only
            try:
                with _quiet_alsa():  # libasound chatters on stderr as SDL tries devices
                    pygame.mixer.pre_init(self.settings.sample_rate, -16, 1, self.buffer_frames)
                    pygame.mixer.init()
            except pygame.error as error:
                errors[name] = str(error)
                continue
            self.device = name
            break
        else:
            driver = os.environ.get("SDL_AUDIODRIVER")
            through = f" (through SDL's {driver} driver)" if driver else ""
            said = set(errors.values())
            found = (
                said.pop() if len(said) == 1 else "; ".join(f"{n}: {e}" for n, e in errors.items())
            )
            message = f"expected a sound card{through}, found none: {found}"
            raise AudioError([Problem("audio", message)])
        rate, size, channels = pygame.mixer.get_init()
        opened = (rate, channels, abs(size) // 8)
        previous = getattr(self, "_format", None)
        if previous is not None and opened != previous:  # our raw sounds would not fit it
            pygame.mixer.quit()
            message = f"expected the sound device to open as before, found {opened}"
            raise AudioError([Problem("audio", message)])
        self._format = opened
        pygame.mixer.set_num_channels(3)
        self.is_open = True

    @property
    def frame_bytes(self) -> int:
        """Bytes per frame in the mixer's format."""
        return self.sample_bytes * self.channels

    @contextlib.contextmanager
    def opened(self) -> Iterator[None]:
        """Hold the device open (opening it if it was let go) for the duration."""
        with self._lock:
            if not self.is_open:
                self._open()
            yield

    def load(self, sounds: Mapping[Sound, bytes]) -> None:
        """Keep raw sounds (in the mixer's format) ready to play."""
        with self._lock:
            self._raw.update(sounds)

    def play(self, sound: Sound, timeline: bool = True) -> None:
        """Start a loaded sound now; a timeline sound replaces the one before it."""
        with self.opened():
            if sound == Chime(WAKE) and pygame.mixer.Channel(HUM).get_busy():
                return  # keep-alive's hum is this very sound, looping already
            playing = pygame.mixer.Sound(buffer=self._raw[sound])
            playing.set_volume(loudness.gain(sound, self.settings))
            channel = 0 if timeline else 1
            self._playing[channel] = playing
            pygame.mixer.Channel(channel).play(playing)

    def hum(self, raw: bytes) -> None:
        """Loop `raw` on the hum's own channel, unless it loops already; `silence()` stops it."""
        with self.opened():
            channel = pygame.mixer.Channel(HUM)
            if not channel.get_busy():
                self._playing[HUM] = pygame.mixer.Sound(buffer=raw)
                channel.play(self._playing[HUM], loops=-1)

    def end_hum(self) -> None:
        """Stop the hum, if the device is open."""
        with self._lock:
            if self.is_open:
                pygame.mixer.Channel(HUM).stop()

    def silence(self) -> None:
        """Stop every sound at once. Any thread, any time, any number of times."""
        with contextlib.suppress(pygame.error):  # closed already: nothing can sound
            pygame.mixer.stop()

    def busy(self) -> bool:
        """True while a sound is playing (the hum is not a sound)."""
        with contextlib.suppress(pygame.error):
            return any(pygame.mixer.Channel(n).get_busy() for n in range(HUM))
        return False

    def watch_device(self) -> None:
        """Start hearing SDL's device-removed events (they need its event loop, and that needs
        a video driver: the dummy one, as nothing is shown). Only from the loop's thread."""
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        with contextlib.suppress(pygame.error):
            pygame.display.init()

    def device_removed(self) -> bool:
        """True if SDL said the open output device went away since the last look. SDL names
        that device by its id; its hotplug scan also reports each device it had only listed,
        as `which=0`, a moment later, and those must not pause a reopened device again."""
        try:
            events = pygame.event.get()
        except pygame.error:
            return False
        return any(
            e.type == pygame.AUDIODEVICEREMOVED and e.which and not e.iscapture for e in events
        )

    def suspend(self) -> None:
        """Let the device go until the next sound."""
        with self._lock:
            if self.is_open:
                pygame.mixer.quit()
                self.is_open = False
                self._playing.clear()

    def close(self) -> None:
        """Silence and close the device."""
        self.silence()
        self.suspend()


@contextlib.contextmanager
def _quiet_alsa() -> Iterator[None]:
    """Silence libasound's own messages while the device opens (SDL's error names the reason
    anyway); the process's stderr stays open for everything else, so a traceback from any thread
    reaches the journal. Afterwards libasound's default handler is back: an underrun is one of
    its messages, and how a person sees one in the journal (docs/raspberry-pi.md).

    libasound takes a C function as its error handler. A Python one deadlocks: SDL's hotplug
    thread calls it while pygame holds the interpreter. So the handler is a function of
    libasound's own that takes no argument and does nothing, `snd_asoundlib_version`: C callers
    clean up their own arguments, so the extra ones are harmless."""
    try:
        alsa = ctypes.CDLL("libasound.so.2")  # the same copy that SDL opens
    except OSError:
        yield
        return
    alsa.snd_lib_error_set_handler(ctypes.cast(alsa.snd_asoundlib_version, ctypes.c_void_p))
    try:
        yield
    finally:
        alsa.snd_lib_error_set_handler(None)  # libasound's default: its messages on stderr
