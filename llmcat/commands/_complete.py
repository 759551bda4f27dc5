"""Shell completion of call addresses: `FILE#` completes to each call's `FILE#N` (imported only when the shell asks)."""

from __future__ import annotations

import os


def addresses(incomplete: str) -> list[str]:
    """`FILE#` completes to each call's address in FILE; anything else is left to the shell's file completion."""
    path, hash_sign, _ = incomplete.rpartition("#")
    if not hash_sign or not os.path.isfile(path):
        return []
    from llmcat.formats import load
    from llmcat.model import Need

    try:
        recordings, _ = load(path, Need.COUNTS)
    except Exception:  # not a recording: nothing to offer
        return []
    return [address for address in (f"{path}#{rec.interaction}" for rec in recordings) if address.startswith(incomplete)]
