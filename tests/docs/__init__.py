"""The executable README: every python block and every ``$`` line of the console blocks
runs, and what they print is compared with what the README shows
(``python -m tests.docs --update`` regenerates it)."""
