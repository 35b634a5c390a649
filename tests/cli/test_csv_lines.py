"""`csv_lines`: data rows with their file lines; a bad line is a problem of its own."""

from __future__ import annotations

from pathlib import Path

from kashflow_async.cli.transfer.csv_lines import LineProblem, csv_rows, row_problem


def test_row_problem_names_what_is_wrong() -> None:
    assert row_problem(["a", "b"], 3, 1) is None  # short rows are read as they are
    assert row_problem(["a", "b", "c"], 3, 2) is None  # a quoted value over two lines
    assert row_problem(["a", "b", "c", ""], 3, 1) == "1 value beyond the header's 3 columns"
    assert row_problem(list("abcde"), 3, 1) == "2 values beyond the header's 3 columns"
    message = row_problem(["a", "b\nc\nd"], 3, 3)
    assert message is not None and message.startswith("unterminated quote")


def test_rows_keep_their_file_lines_and_reading_resumes_after_a_bad_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(
        "\ufeffA,B,C\n"  # line 1, with a byte order mark
        "1,2,3\n"  # 2
        "\n"  # 3: empty
        '4,"five\nstill five",6\n'  # 4-5
        '7,"8,9\n'  # 6: a quote never closed before the next quote
        '10,"11",12\n'  # 7
        "13,14\n"  # 8: short
        '15,"16\n'.encode()  # 9: the file ends inside a quote
    )
    got = list(csv_rows(path))
    assert got[0] == (2, {"A": "1", "B": "2", "C": "3"})
    assert got[1] == (4, {"A": "4", "B": "five\nstill five", "C": "6"})
    assert isinstance(got[2], LineProblem) and got[2].line == 6
    assert got[3] == (7, {"A": "10", "B": "11", "C": "12"})
    assert got[4] == (8, {"A": "13", "B": "14", "C": None})
    assert isinstance(got[5], LineProblem) and got[5].line == 9
    assert "unterminated quote" in got[5].message
    assert len(got) == 6
