"""Routines from their files to the mixer.

- `library`: where routines are found (shipped in `player.routines.shipped`, and a person's own
  folder), and `read_all` of them.
- `plans`: a routine's timeline with exact lengths from the rendered speech, or estimated.
- `prepare`: a routine rendered and loaded into the mixer (`load_into`), for `play` and
  `render`; the daemon's `Preparer`, which does it for every routine and again on reload.
"""
