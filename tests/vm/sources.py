"""Print the Debian apt sources for the test machine's release, as one deb822 file.

`make vm-test` builds its test machine from the same mirror as apt here (no host is named in the
project). Only this machine's stanzas for bookworm suites are kept, so a third-party repository
never leaks in; with `--suite trixie` they name trixie's suites instead (bookworm-security becomes
trixie-security, on the same mirror). With --mirror, print only the URI that serves the release
itself, for debootstrap.
"""

from __future__ import annotations

import pathlib
import sys

APT = pathlib.Path("/etc/apt")
HOST = "bookworm"  # the release whose mirror this machine is configured with


def stanzas() -> list[dict[str, str]]:
    """Every source on this machine, one-line and deb822 alike, as deb822 fields."""
    found: list[dict[str, str]] = []
    legacy = [APT / "sources.list", *sorted((APT / "sources.list.d").glob("*.list"))]
    for path in legacy:
        for line in path.read_text().splitlines() if path.is_file() else []:
            words = line.split("#", 1)[0].split()
            if len(words) >= 4 and words[0] == "deb" and not words[1].startswith("["):
                found.append(
                    {
                        "Types": "deb",
                        "URIs": words[1],
                        "Suites": words[2],
                        "Components": " ".join(words[3:]),
                    }
                )
    for path in sorted((APT / "sources.list.d").glob("*.sources")):
        for block in path.read_text().split("\n\n"):
            fields = {}
            for line in block.splitlines():
                if ":" in line and not line.startswith(("#", " ")):
                    key, value = line.split(":", 1)
                    fields[key.strip()] = value.strip()
            if fields.get("Enabled", "yes") != "no" and "URIs" in fields:
                found.append(fields)
    return found


def main(argv: list[str]) -> int:
    suite = argv[argv.index("--suite") + 1] if "--suite" in argv else HOST
    kept = [s for s in stanzas() if any(x.startswith(HOST) for x in s.get("Suites", "").split())]
    kept = [s for s in kept if "deb" in s.get("Types", "").split()]
    if not kept:
        print(
            "vm-test: no bookworm source in /etc/apt; it needs Debian 12's mirror", file=sys.stderr
        )
        return 1
    if "--mirror" in argv:
        main_suite = [s for s in kept if HOST in s["Suites"].split()]
        print((main_suite or kept)[0]["URIs"].split()[0])
        return 0
    for source in kept:
        suites = source["Suites"].replace(HOST, suite)
        print(f"Types: deb\nURIs: {source['URIs']}\nSuites: {suites}")
        print("Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
