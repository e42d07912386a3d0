"""``python -m cleaner`` and the ``cleaner`` command.

Ctrl-C is routed to a one-line message before anything heavy is imported,
so an interrupt during start-up does not print a traceback either.
"""

import sys

from cleaner import interrupt


def main() -> None:
    interrupt.install()
    try:
        from cleaner.cli import main as cli_main
    except interrupt.Interrupted as err:
        sys.stderr.write(f"cleaner: {err.message}\n")
        sys.exit(err.exit_code)
    cli_main()


if __name__ == "__main__":
    main()
