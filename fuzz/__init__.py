"""Hostile-input harness for llmcat: one command table, input mutators, and a runner.

`python -m fuzz --minutes 10` is the long run; tests/test_fuzz_mutation.py runs a
short fixed-seed one in CI. The table in `commands` is the single place that says
how each command is invoked and which exit statuses it may give.
"""
