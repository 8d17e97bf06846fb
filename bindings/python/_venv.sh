# Sourced by test.sh and build-wheel.sh: makes bindings/python/.venv with
# the pinned tools of requirements-dev.txt (again when that file changes)
# and sets VENV_PY to its python.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv="$here/.venv"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$here/requirements-dev.txt" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setting up $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements-dev.txt"
  echo "$want" >"$stamp"
fi
VENV_PY="$venv/bin/python"
