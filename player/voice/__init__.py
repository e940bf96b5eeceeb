"""Speech, rendered once and cached; the player never holds a speech engine itself.

- `cache.SpeechCache`: every line as a verified WAV, named by its text, voice and digest.
- `worker`: the driver of the one child process that renders (`load`, `synthesise`).
- `child`: that process: one voice for its life, eSpeak NG (`espeak`) or Piper (`piper`).
- `checks`: a voice checked without loading it, its digest, and who speaks, in words.
"""
