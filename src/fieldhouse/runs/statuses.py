"""The statuses of runs and units (and of pre-flight checks), and the exit code of each
final run status (docs/runs.md)."""

RUNNING, SUCCESS, PARTIAL, FAILED, SKIPPED, ABANDONED = (
    "running", "success", "partial", "failed", "skipped", "abandoned")

#: A pre-flight check that passed (a check can also be FAILED or SKIPPED).
OK = "ok"

EXIT_CODES = {SUCCESS: 0, FAILED: 1, PARTIAL: 3}


def exit_code(status: str) -> int:
    """0 success, 3 partial, 1 anything else (failed, or a run that did not finish)."""
    return EXIT_CODES.get(status, 1)


def worst_exit_code(codes: list[int]) -> int:
    """Of several runs' exit codes, the one that says the most: failed, then partial."""
    return max(codes, key=lambda c: (0, 3, 1).index(c) if c in (0, 3, 1) else 9, default=0)
