"""The daemon: `daemon.Daemon` is the composition root, and these are the parts it wires.

- `runner.Runner`: the loop, the one thread that hands the session its events.
- `device.SoundDevice`: when the sound device is opened, let go, and found gone.
- `answers.Answers`: the control socket's replies and the status; `control`: the socket itself.
- `journal.Journal`: what the session did, in the journal and in systemd's status line.
- `notify.Notifier`: systemd's notify socket, and the watchdog's pet.
- `preflight`: whether a config can be used, before anything renders.
"""
