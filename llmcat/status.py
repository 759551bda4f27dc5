"""Exit statuses: the one place they are defined, used by every command.

0 all went well and there is nothing to report; 1 the answer is "yes": two recordings
differ (diff), something is wrong with a recording (check), a requested choice is
missing (join); 2 trouble: an input could not be read, bad usage, an internal error.
"""

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    FOUND = 1  # diff: the inputs differ; check: a finding that fails; join: no such choice
    DIFFERENT = 1  # (the same status, as diff says it)
    TROUBLE = 2
    INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as the shell reports it

    @classmethod
    def of(cls, trouble: bool, found: bool = False) -> "ExitStatus":
        """Trouble outranks a finding: a run that could not read everything did not answer."""
        return cls.TROUBLE if trouble else cls.FOUND if found else cls.OK
