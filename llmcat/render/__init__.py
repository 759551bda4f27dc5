"""Output: JSON Lines (`machine`), plain text and rich (`human`), and escaping (`escape`).

This is the only package that knows about terminals. rich is imported only by
the modules that draw with it, on the paths that draw.
"""
