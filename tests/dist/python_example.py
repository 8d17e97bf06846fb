"""Runs the README's Python example (its text, from readme_example.py) with
the installed package, against the emulator at CI_EMULATOR_ADDR: the
environment gives the emulator's keys and region, and the one thing the
example cannot say, where the emulator is, is added to `Client.from_env`
(connect_to, plain HTTP, no proxy). Prints what the example prints.

    python python_example.py EXAMPLE_FILE
"""

import os
import sys

import cloud_infinite

_from_env = cloud_infinite.Client.from_env.__func__


def _at_emulator(cls, **overrides):
    overrides.setdefault("connect_to", os.environ["CI_EMULATOR_ADDR"])
    overrides.setdefault("scheme", "http")
    overrides.setdefault("proxy", False)
    return _from_env(cls, **overrides)


cloud_infinite.Client.from_env = classmethod(_at_emulator)
print(f"library: {cloud_infinite.library_path()}", file=sys.stderr)
source = open(sys.argv[1]).read()
exec(compile(source, "README.md (python example)", "exec"), {"__name__": "__main__"})
