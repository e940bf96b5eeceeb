"""`routine-player setup`, the guided set-up of a Pi (nothing here is imported by the player).

- `wizard`: the steps, asked on a terminal or given as flags: the speaker, the button, volume,
  voice, the phone page; the service restarted at the end.
- `configfile`: the config edited in place, keeping a person's comments and keys.
- `machine`: what setup asks of the machine: the service, the header's pins, the addresses.
"""
