"""``python -m tests.docs [--update]``: check the README's examples, or regenerate their
outputs in README.md."""

from __future__ import annotations

import sys

from .runner import check, update


def main(argv: list[str]) -> int:
    if "--update" in argv:
        for line in update():
            print(line)
        print("README.md updated.")
        return 0
    problems = check()
    for problem in problems:
        print(problem, end="\n\n")
    print(
        f"{len(problems)} differences"
        + (": run python -m tests.docs --update" if problems else ".")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
