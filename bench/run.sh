#!/usr/bin/env bash
# Benchmarks what users feel: cold start, memory, per-call overhead,
# throughput, limiter accuracy and context cost. One command:
#
#   bash bench/run.sh             # everything but the 2.5-minute limiter run
#   bash bench/run.sh --limiter   # everything, limiter accuracy at 120/min included
#
# Other flags go to the driver (go run ./bench/cmd/benchdriver -h lists them;
# -only start,context,calls,memory,limiter picks sections).
# When node and npm are there, the official server is installed into a
# temporary folder and measured in the same run; BENCH_OFFICIAL=0 skips it,
# BENCH_OFFICIAL_VERSION picks its version (default: latest).
# SUPABASE_MCP_TEST_DATABASE_URL, when set, puts a PostgreSQL behind the fake
# API's SQL endpoints (SQL calls then return rows; list_tables needs it).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/build" "$work/bin"

echo "bench: building supabase-mcp, its CGO_ENABLED=0 flavour and two empty mcp-go servers (with and without the SQL parser)" >&2
go build -trimpath -o "$work/build/supabase-mcp" ./cmd/supabase-mcp
CGO_ENABLED=0 go build -trimpath -o "$work/build/supabase-mcp-purego" ./cmd/supabase-mcp
go build -trimpath -o "$work/build/emptyserver" ./bench/cmd/emptyserver
go build -trimpath -o "$work/build/emptybare" ./bench/cmd/emptybare
go build -o "$work/build/benchdriver" ./bench/cmd/benchdriver
# Run copies: while a file written through the linker's memory map stays in
# the page cache, it is mapped into processes in large blocks, which makes a
# just-linked binary's RSS about 3 MB larger than the same file once read back
# from disk (after a reboot, from a container image, or copied). The official
# server's node binary is measured in that read-back state too.
for f in supabase-mcp supabase-mcp-purego emptyserver emptybare; do
	cp "$work/build/$f" "$work/bin/$f"
done

args=(--bin "$work/bin/supabase-mcp" --bin-purego "$work/bin/supabase-mcp-purego" --bin-empty "$work/bin/emptyserver" --bin-bare "$work/bin/emptybare")
if [[ "${BENCH_OFFICIAL:-1}" != 0 ]] && command -v npm >/dev/null && command -v node >/dev/null; then
	pkg="@supabase/mcp-server-supabase@${BENCH_OFFICIAL_VERSION:-latest}"
	echo "bench: installing $pkg to compare with" >&2
	if npm install --prefix "$work/official" --no-audit --no-fund --loglevel=error "$pkg" >&2 &&
		[[ -x "$work/official/node_modules/.bin/mcp-server-supabase" ]]; then
		args+=(--official "$work/official/node_modules/.bin/mcp-server-supabase")
	else
		echo "bench: could not install $pkg; measuring ours only" >&2
	fi
else
	echo "bench: node or npm not found (or BENCH_OFFICIAL=0); measuring ours only" >&2
fi

"$work/build/benchdriver" "${args[@]}" "$@"
