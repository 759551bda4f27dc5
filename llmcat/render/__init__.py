"""Output: JSON Lines (`machine`), plain text and rich (`human`), and escaping (`escape`).

This is the only package that knows about terminals. rich is imported only by
the modules that draw with it, on the paths that draw.
"""


def is_terminal(stream: object) -> bool:
    """Is `stream` a terminal? False for anything without a real descriptor (tests' buffers)."""
    try:
        return stream.isatty()  # type: ignore[attr-defined]  # anything: no isatty is an answer too
    except (AttributeError, ValueError):
        return False
