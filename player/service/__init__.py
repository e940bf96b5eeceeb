"""The daemon: its composition root and the parts it wires (loop, control socket, notify,
preflight)."""
