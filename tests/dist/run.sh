#!/usr/bin/env bash
# `make test-dist` (after `make dist`): each package of dist/ published to a
# local registry on 127.0.0.1 and installed by name in a fresh directory
# outside the checkout, then the README's example of its language, taken
# from README.md (readme_example.py), run against a private emulator:
#   Python  pypiserver; pip install cloud-infinite (the manylinux wheel), then
#           again with --no-binary cloud-infinite (the sdist, built with cargo);
#   Go      a GOPROXY=file:// directory; go get, go build with default tags
#           (the prebuilt release library in the module), and CGO_ENABLED=0
#           must fail naming cgo;
#   Node    verdaccio (no uplinks; koffi published to it from the npm
#           registry's tarballs); npm install cloud-infinite in an empty
#           folder, the example from CommonJS and from ESM; attw on the tarball.
# Every run must print the same lines. The registries are started and
# stopped here (trap), with bounded waits. C and C++ are make test-install's.
# Tools: pypiserver (make dist's venv), verdaccio and attw (tests/dist/tools,
# npm ci), koffi's tarballs: all cached under target/dist-tools/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
here="$root/tests/dist"
version=$(scripts/dist/versions.py)
dist="$root/dist"
tools="$root/target/dist-tools"
emulator="$root/target/debug/ci-emulator"
with_emulator() { "$root/scripts/with-emulator.sh" --emulator "$emulator" -- "$@"; }
say() { echo "== test-dist: $*"; }
fail() { echo "test-dist: $*" >&2; exit 1; }

wheel="$dist/python/cloud_infinite-$version-py3-none-manylinux_2_17_x86_64.whl"
for f in "$wheel" "$dist/python/cloud_infinite-$version.tar.gz" "$dist/npm/cloud-infinite-$version.tgz" \
  "$dist/goproxy/github.com/cloud-infinite/cloud-infinite-go/@v/v$version.zip" "$tools/venv/bin/pypi-server"; do
  [ -e "$f" ] || fail "$f is missing: run make dist first"
done
[ -x "$emulator" ] || fail "$emulator is missing: run make build first"

work=$(mktemp -d "${TMPDIR:-/tmp}/ci-test-dist-XXXXXX")
case "$work" in "$root"/*) fail "$work is inside the checkout" ;; esac
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  chmod -R u+w "$work" 2>/dev/null || true   # the Go module cache is read-only
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Bounded: 60 s at most.
wait_http() {
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "$1 did not answer within 60 s (log: $2)"$'\n'"$(tail -n 20 "$2")"
}

# What every example authenticates with: the emulator's demo keys (src/bin/ci-emulator/README.md).
export TENCENTCLOUD_SECRET_ID=AKIDemulatorEXAMPLE TENCENTCLOUD_SECRET_KEY=emulator-secret-key TENCENTCLOUD_REGION=ap-guangzhou
unset CLOUD_INFINITE_LIB TENCENTCLOUD_SESSION_TOKEN TENCENTCLOUD_SECURITY_TOKEN PYTHONPATH NODE_PATH CGO_LDFLAGS
outputs=()
check_output() { # NAME FILE: the example printed queue lines
  grep -Eq '^p[0-9a-f]{32} ' "$2" || fail "$1: the README example printed no queue:"$'\n'"$(cat "$2")"
  outputs+=("$1=$2")
  echo "ok   $1: $(wc -l <"$2") lines, the first: $(head -n1 "$2")"
}

# ---------------------------------------------------------------- Python
say "Python: pypiserver on 127.0.0.1, the wheel and the sdist"
pypi="$work/pypi"
mkdir -p "$pypi"
cp "$dist"/python/* "$pypi/"
# The sdist's build backend (hatchling and its dependencies), fetched from PyPI once.
deps="$tools/pypi-build-deps"
if [ ! -f "$deps/.done" ]; then
  rm -rf "$deps"
  "$tools/venv/bin/pip" download --quiet --disable-pip-version-check --dest "$deps" --only-binary :all: hatchling==1.27.0
  touch "$deps/.done"
fi
cp "$deps"/*.whl "$pypi/"
# From here on pip sees only the local index: no find-links or config of this machine's
# (a CI image may point PIP_FIND_LINKS at a wheel directory), and no wheel cache.
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL
export PIP_CONFIG_FILE=/dev/null PIP_NO_CACHE_DIR=1
port=$(free_port)
"$tools/venv/bin/pypi-server" run --interface 127.0.0.1 --port "$port" --disable-fallback "$pypi" >"$work/pypiserver.log" 2>&1 &
pids+=($!)
index="http://127.0.0.1:$port/simple/"
wait_http "$index" "$work/pypiserver.log"
python3 "$here/readme_example.py" python >"$work/example.py"
cp "$here/python_example.py" "$work/run_example.py"

for how in wheel sdist; do
  venv="$work/py-$how"
  python3 -m venv "$venv"
  if [ "$how" = wheel ]; then
    echo "  \$ pip install --index-url $index cloud-infinite"
    (cd "$work" && "$venv/bin/pip" install --disable-pip-version-check --index-url "$index" cloud-infinite 2>&1 | sed 's/^/  /')
    want="py3-none-manylinux_2_17_x86_64"
  else
    # Built from the sdist's crate with cargo; its target dir is kept so that a rerun is quick.
    echo "  \$ pip install --index-url $index --no-binary cloud-infinite cloud-infinite"
    (cd "$work" && CARGO_TARGET_DIR="$root/target/dist-sdist" "$venv/bin/pip" install --disable-pip-version-check \
      --index-url "$index" --no-binary cloud-infinite cloud-infinite 2>&1 | sed 's/^/  /')
    want="py3-none-linux_x86_64"
  fi
  tag=$(sed -n 's/^Tag: //p' "$venv"/lib/python3*/site-packages/cloud_infinite-"$version".dist-info/WHEEL)
  [ "$tag" = "$want" ] || fail "pip install ($how) installed a wheel tagged $tag, not $want"
  (cd "$work" && with_emulator "$venv/bin/python" run_example.py example.py) >"$work/out-python-$how.txt" 2>"$work/err-python-$how.txt" ||
    fail "the README's Python example ($how) failed:"$'\n'"$(cat "$work/err-python-$how.txt")"
  grep -q "library: $venv/lib/python3.*/site-packages/cloud_infinite/libcloud_infinite.so" "$work/err-python-$how.txt" ||
    fail "Python ($how) did not load the installed package's library: $(cat "$work/err-python-$how.txt")"
  check_output "python ($how, $tag)" "$work/out-python-$how.txt"
done

# ---------------------------------------------------------------- Go
say "Go: GOPROXY=file://$dist/goproxy, a fresh module"
module=github.com/cloud-infinite/cloud-infinite-go
app="$work/go-app"
mkdir -p "$app/cloudinfinite"
(
  cd "$app"
  export GOPROXY="file://$dist/goproxy" GOSUMDB=off GONOSUMDB="$module" GOFLAGS=-mod=mod GOTOOLCHAIN=local \
    GOMODCACHE="$work/gomodcache" GOPATH="$work/gopath" GOWORK=off
  go mod init example.com/readme >/dev/null 2>&1
  echo "  \$ go get $module@v$version"
  go get "$module@v$version" 2>&1 | sed 's/^/  /'
  cp "$here/go_shim.go.txt" cloudinfinite/shim.go
  python3 -c '
import subprocess, sys
template = open(sys.argv[1]).read()
example = subprocess.run([sys.executable, sys.argv[2], "go"], check=True, capture_output=True, text=True).stdout
print(template.replace("\t//README//\n", "".join("\t" + l + "\n" for l in example.splitlines())), end="")
' "$here/go_main.go.txt" "$here/readme_example.py" >main.go
  go build -o readme . 2>&1 | sed 's/^/  /'
  [ -x readme ] || fail "go build of the README's Go example failed"
  if readelf -d readme | grep -q 'libcloud_infinite'; then fail "the default build linked libcloud_infinite dynamically"; fi
  lib=$(go list -f '{{.Dir}}' "$module")/internal/lib/linux-amd64/libcloud_infinite.a
  [ -f "$lib" ] || fail "$lib is not in the module"
  echo "ok   go build (default tags) linked $lib statically"
  with_emulator ./readme >"$work/out-go.txt" 2>"$work/err-go.txt" || fail "the README's Go example failed: $(cat "$work/err-go.txt")"
  nocgo=$(CGO_ENABLED=0 go build -o /dev/null . 2>&1) && fail "CGO_ENABLED=0 go build succeeded"
  grep -q 'undefined: cloudinfinite_requires_cgo_set_CGO_ENABLED_1' <<<"$nocgo" || fail "CGO_ENABLED=0 did not name cgo:"$'\n'"$nocgo"
  echo "ok   CGO_ENABLED=0: $(grep -m1 cloudinfinite_requires_cgo <<<"$nocgo")"
)
check_output "go (module zip, prebuilt release library)" "$work/out-go.txt"

# ---------------------------------------------------------------- Node
say "Node: verdaccio on 127.0.0.1 (no uplinks), npm install cloud-infinite in an empty folder"
npm_tools="$tools/npm"
if ! cmp -s "$here/tools/package-lock.json" "$npm_tools/package-lock.json" || [ ! -d "$npm_tools/node_modules/verdaccio" ]; then
  rm -rf "$npm_tools"
  mkdir -p "$npm_tools"
  cp "$here/tools/package.json" "$here/tools/package-lock.json" "$npm_tools/"
  (cd "$npm_tools" && npm ci --no-audit --no-fund --loglevel=error)
fi
# koffi (the package's one dependency) and its Linux x64 binary, from the npm registry once.
npm_deps="$tools/npm-deps"
koffi=$(node -p 'require(process.argv[1]).dependencies.koffi' "$root/bindings/node/package.json")
if [ ! -f "$npm_deps/.done-$koffi" ]; then
  rm -rf "$npm_deps"
  mkdir -p "$npm_deps"
  (cd "$npm_deps" && npm pack --silent "koffi@$koffi" "@koromix/koffi-linux-x64@$koffi" >/dev/null)
  touch "$npm_deps/.done-$koffi"
fi
reg="$work/verdaccio"
mkdir -p "$reg/storage"
cat >"$reg/config.yaml" <<YAML
storage: $reg/storage
auth:
  htpasswd:
    file: $reg/htpasswd
    max_users: 10
uplinks: {}
packages:
  '**':
    access: \$all
    publish: \$authenticated
log: { type: stdout, format: pretty, level: warn }
YAML
port=$(free_port)
node "$npm_tools/node_modules/verdaccio/bin/verdaccio" --config "$reg/config.yaml" --listen "127.0.0.1:$port" >"$work/verdaccio.log" 2>&1 &
pids+=($!)
registry="http://127.0.0.1:$port/"
wait_http "${registry}-/ping" "$work/verdaccio.log"
token=$(curl -fsS -X PUT -H 'content-type: application/json' -d '{"name":"test-dist","password":"test-dist-password"}' \
  "${registry}-/user/org.couchdb.user:test-dist" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
printf 'registry=%s\n//127.0.0.1:%s/:_authToken=%s\n' "$registry" "$port" "$token" >"$work/npmrc"
export npm_config_userconfig="$work/npmrc" npm_config_cache="$work/npm-cache"
for tgz in "$npm_deps"/*.tgz "$dist"/npm/cloud-infinite-linux-x64-gnu-"$version".tgz "$dist/npm/cloud-infinite-$version.tgz"; do
  npm publish --access public --loglevel=error "$tgz" >/dev/null
  echo "ok   published $(basename "$tgz")"
done
app="$work/node-app"
mkdir -p "$app"
echo "  \$ npm install cloud-infinite --registry $registry"
(cd "$app" && npm install --no-audit --no-fund --loglevel=error cloud-infinite --registry "$registry" 2>&1 | sed 's/^/  /')
[ -f "$app/node_modules/@cloud-infinite/linux-x64-gnu/libcloud_infinite.so" ] || fail "npm did not install the platform package"
cp "$here/node_shim.cjs" "$app/shim.cjs"
# CommonJS has no top-level await: the example runs inside an async function.
{ echo '(async () => {'; python3 "$here/readme_example.py" node; echo '})();'; } >"$app/example.cjs"
# ESM: the README's import line in place of its require line.
{ python3 "$here/readme_example.py" node-esm-import; python3 "$here/readme_example.py" node | tail -n +2; } >"$app/example.mjs"
for kind in cjs mjs; do
  (cd "$app" && with_emulator node -r ./shim.cjs "example.$kind") >"$work/out-node-$kind.txt" 2>"$work/err-node-$kind.txt" ||
    fail "the README's Node example ($kind) failed: $(cat "$work/err-node-$kind.txt")"
  grep -q "library: $app/node_modules/@cloud-infinite/linux-x64-gnu/libcloud_infinite.so" "$work/err-node-$kind.txt" ||
    fail "Node ($kind) did not load the platform package's library: $(cat "$work/err-node-$kind.txt")"
  check_output "node ($kind)" "$work/out-node-$kind.txt"
done
say "attw on cloud-infinite-$version.tgz"
(cd "$work" && "$npm_tools/node_modules/.bin/attw" --format ascii "$dist/npm/cloud-infinite-$version.tgz")

# ---------------------------------------------------------------- the same answer everywhere
first=${outputs[0]#*=}
for o in "${outputs[@]}"; do
  cmp -s "$first" "${o#*=}" || fail "${o%%=*} printed other lines than ${outputs[0]%%=*}:"$'\n'"$(diff "$first" "${o#*=}")"
done
echo "every README example printed the same $(wc -l <"$first") queue lines"
echo "test-dist: ${#outputs[@]} passed, 0 failed"
