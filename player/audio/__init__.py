"""The sound shell. Only `mixer` and `sounds` import pygame; nothing here is imported by a face.

- `mixer.Mixer`: the pygame mixer, opened small; `silence()` from any thread, at any time.
- `sounds.raw_sounds`: a timeline's sounds in the mixer's format, cut to the planned frames.
- `keepalive.KeepAlive`: the inaudible hum that keeps a sleepy speaker awake through a session.
- `pcm`: WAVs in the mixer's format without pygame, and the wake hum itself.
- `chimes`: the shipped chime WAVs, and how they are made (`make chimes`).
- `loudness`: the fixed gains that bring speech and chimes to their targets.
"""
