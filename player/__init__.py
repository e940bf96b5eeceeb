"""routine-player: a hands-free, voice-guided routine player for a Raspberry Pi.

The pure decisions live in `player.core`; the modules beside it only do I/O.
"""

__version__ = "0.1.0"
