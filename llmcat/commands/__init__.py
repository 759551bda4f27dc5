"""The commands: one module per command (`show`, `join`, `ls` with `stats`, `check`, `diff`) and `app.py`, the
typer app that parses their options. Each command reads through `llmcat.reading`, works on the model and hands
what it found to `llmcat.render`; it ends with an `ExitStatus`. `_rows.py` (rows, filters, sort order) and
`_totals.py` (`stats` totals) are shared by `ls`, `stats` and `show`'s selection."""
