"""The web page (issue 20): a separate service that a phone on the LAN pairs with.

It talks to the player only through the control socket and reads the history read-only.
`serve.run` is the `routine-player web` command; everything else is its parts: `app` (the
pages), `devices` and `pairing` (who may get in), `live` (the player's state), `records`
(the history, read-only), `chart` (minutes per day as SVG), `where` (the page's
addresses, for `setup` and `web pair`) and `mdns` (the page announced by name, for the
installer).
"""
