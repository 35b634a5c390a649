"""The examples' runner itself: how it reads a page, and the sandbox banner it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .blocks import page_name, pages, parse, sandbox_options
from .execute import until_ctrl_c

PAGE = """# Title

(`kashflow sandbox --invoices 5`)

```python title="test_things.py"
def test_it() -> None:
    assert True
```

```python
print("hello")
```

<!-- output of the block above -->

```text
hello
```
"""


def test_a_page_is_read_into_blocks() -> None:
    test_module, program, output = parse(PAGE, "docs/x.md")
    assert (test_module.lang, test_module.title, test_module.is_test_module) == (
        "python", "test_things.py", True,
    )  # fmt: skip
    assert (program.is_test_module, program.output) == (False, output)
    assert program.name == "docs/x.md line 10 (Title)"
    assert sandbox_options(PAGE) == ["--invoices", "5"]
    assert sandbox_options("# no sandbox named") == []


def test_a_sandbox_banner_shows_the_port_the_command_asked_for(tmp_path: Path) -> None:
    ran = until_ctrl_c(["sandbox", "--port", "8080", "--invoices", "5"], tmp_path)
    assert ran.code == 0, ran.output
    assert "KashFlow sandbox at http://127.0.0.1:8080/v2" in ran.output
    assert set(re.findall(r"127\.0\.0\.1:(\d+)", ran.output)) == {"8080"}
    assert ran.output.endswith("^CSandbox stopped.\n")


@pytest.mark.parametrize("path", pages(), ids=page_name)
def test_every_page_shows_the_port_its_sandbox_command_names(path: Path) -> None:
    for block in parse(path.read_text(), page_name(path)):
        if block.lang != "console":
            continue
        command: list[str] = []
        for line in block.body:
            if line.startswith("$ "):
                command = line[2:].split()
            elif command[:2] == ["kashflow", "sandbox"] and "--port" in command:
                asked = command[command.index("--port") + 1]
                shown = set(re.findall(r"127\.0\.0\.1:(\d+)", line))
                assert shown <= {asked}, f"{block.name}: {line}"
