"""The push button, which must never go deaf (docs/design.md, "The button can never go deaf").

- `watch.EdgeWatch`: every edge silences first and reaches the loop in order; the edge path
  proven alive before READY=1, watched while running, healed when it is not.
- `pin.PushButton`: the gpiozero input and its guarded callback.
- `alerts.AlertThread`: what we know of lgpio's alert thread; the one file that knows lgpio.
"""
