#!/usr/bin/env python3
"""Prints the README's fenced example marked `<!-- test-dist: NAME -->`
(the code between the fences on the lines after the marker), so that
test-dist runs the README's own text and nothing that could drift from it.

    tests/dist/readme_example.py NAME [README]
"""

import sys
from pathlib import Path

name = sys.argv[1]
readme = Path(sys.argv[2] if len(sys.argv) > 2 else Path(__file__).resolve().parents[2] / "README.md")
lines = readme.read_text().splitlines()
marker = f"<!-- test-dist: {name} -->"
if lines.count(marker) != 1:
    sys.exit(f"readme_example.py: {readme} must have exactly one line {marker!r}")
i = lines.index(marker) + 1
if not lines[i].startswith("```"):
    sys.exit(f"readme_example.py: the line after {marker!r} is not a code fence")
end = lines.index("```", i + 1)
print("\n".join(lines[i + 1 : end]))
