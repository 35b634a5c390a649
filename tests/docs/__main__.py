"""``python -m tests.docs [--update] [PAGE...]``: check the examples of the README and
of every page under docs/ (or of the pages named), or regenerate their outputs."""

from __future__ import annotations

import sys
from pathlib import Path

from .blocks import page_name, pages
from .pages import check, update


def main(argv: list[str]) -> int:
    named = [Path(a).resolve() for a in argv if not a.startswith("--")]
    chosen = named or pages()
    if "--update" in argv:
        for path in chosen:
            for line in update(path):
                print(line)
            print(f"{page_name(path)} updated.")
        return 0
    problems = [problem for path in chosen for problem in check(path)]
    for problem in problems:
        print(problem, end="\n\n")
    print(
        f"{len(problems)} differences"
        + (": run python -m tests.docs --update [PAGE...]" if problems else ".")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
