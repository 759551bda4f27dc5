"""The reading machinery every command uses: `walk` (command-line paths and directories to files), `pipeline`
(files to reassembled calls, or one failure per file), `parallel` (forked readers for a suite) and `shape` (a
call as plain values, as `show --json` prints it and `diff` compares)."""
