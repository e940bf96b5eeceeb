"""What is kept of sessions, in one SQLite file in the state folder.

- `history`: a row per session (`History`), written as the session goes (`Recorder`).
- `notes`: a person's notes on sessions, written for the control socket's "note".
- `choice`: the routine last chosen with a long press, kept across restarts and reloads.
"""
