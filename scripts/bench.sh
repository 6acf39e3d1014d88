#!/usr/bin/env bash
# Times nginx502-lint on generated trees of 1,000 and 10,000 sites next to
# `nginx -t` on the same trees, and prints a Markdown table: files, MB (10^6 bytes),
# median time, peak memory, nginx -t's median and the ratio. Then the
# growth from 1,000 to 10,000 sites and editor mode on testdata/example.
#
#   scripts/bench.sh                # from the repository's root
#   RUNS=20 KEEP=1 scripts/bench.sh # more runs; keep the trees and binaries
#
# Uses hyperfine when installed (apt-get install hyperfine), else a loop
# with date +%s%N; peak memory with GNU time (apt-get install time). nginx
# -t needs the nginx package and, for `user www-data;`, to run as root;
# without nginx its columns stay empty.
set -euo pipefail

RUNS=${RUNS:-10}
SIZES=${SIZES:-"1000 10000"}
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/nginx502-bench.XXXXXX")
if [[ -z ${KEEP:-} ]]; then
	trap 'rm -rf "$work"' EXIT
else
	echo "keeping $work"
fi

echo "building nginx502-lint and gen-fixture..." >&2
go build -o "$work/nginx502-lint" ./cmd/nginx502-lint
go build -o "$work/gen-fixture" ./cmd/gen-fixture
lint=$work/nginx502-lint

have() { command -v "$1" >/dev/null 2>&1; }

nginx_ok=
if have nginx; then
	nginx_ok=1
else
	echo "nginx not found: nginx -t is not timed" >&2
fi
time_v=
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
	time_v=1
else
	echo "GNU time not found (apt-get install time): peak memory is not measured" >&2
fi

# timing CMD... prints the median wall time of RUNS runs and the mean CPU
# time (user + system; "-" when unknown), in ms. Exit statuses are ignored
# (the linter exits 1 on findings).
timing() {
	if have hyperfine; then
		local csv=$work/hyperfine.csv
		hyperfine --style none --warmup 2 --runs "$RUNS" --ignore-failure --export-csv "$csv" "$(printf '%q ' "$@")" >/dev/null 2>&1
		awk -F, 'NR == 2 { printf "%.1f %.1f\n", $4 * 1000, ($5 + $6) * 1000 }' "$csv"
		return
	fi
	"$@" >/dev/null 2>&1 || true # warm-up
	local i t0 t1
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f -\n", m / 1000 }'
}

# ms_cell formats "wall cpu" as a table cell.
ms_cell() {
	local wall=$1 cpu=$2
	if [[ $cpu == - ]]; then
		echo "$wall ms"
	else
		echo "$wall ms ($cpu ms CPU)"
	fi
}

# peak_mb CMD... prints the maximum resident set size in MiB (GNU time's
# kilobytes are KiB); the table says MiB, and its ratio is in bytes.
peak_mb() {
	if [[ -z $time_v ]]; then
		echo "-"
		return
	fi
	/usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>&1 || true
	awk -F': ' '/Maximum resident set size/ { printf "%.0f\n", $2 / 1024 }' "$work/time.txt"
}

printf '\nMachine: %s, %s CPUs, Go %s, nginx %s; %s runs each (%s); load average %s\n\n' \
	"$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || uname -m)" \
	"$(nproc)" "$(go env GOVERSION)" "$( (nginx -v 2>&1 || echo none) | sed 's|.*/||')" \
	"$RUNS" "$(have hyperfine && echo hyperfine || echo 'date loop')" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "| sites | pools | files | MB | nginx502-lint | peak memory | memory / size | nginx -t | nginx -t memory | nginx -t / nginx502-lint |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"

read -ra sizes <<<"$SIZES"
declare -A lint_ms
for sites in "${sizes[@]}"; do
	pools=$((sites / 10))
	tree=$work/tree-$sites
	"$work/gen-fixture" -sites "$sites" -pools "$pools" -out "$tree" >/dev/null
	files=$(find "$tree" -type f | wc -l)
	bytes=$(find "$tree" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
	mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')

	# From the work directory: no .nginx502-lint.yml is found there.
	cd "$work"
	lint_cmd=("$lint" --root "$tree" /etc/nginx /etc/php)
	read -r ms cpu < <(timing "${lint_cmd[@]}")
	lint_ms[$sites]=$ms
	peak=$(peak_mb "${lint_cmd[@]}")
	per=$(awk -v p="$peak" -v b="$bytes" 'BEGIN { if (p == "-") print "-"; else printf "%.0f×", p * 1048576 / b }')

	nginx_ms=- nginx_cpu=- nginx_peak=- ratio=-
	if [[ -n $nginx_ok ]]; then
		nginx_cmd=(nginx -t -q -p "$tree/" -c "$tree/etc/nginx/nginx.conf")
		if "${nginx_cmd[@]}" >"$work/nginx.txt" 2>&1; then
			read -r nginx_ms nginx_cpu < <(timing "${nginx_cmd[@]}")
			nginx_peak="$(peak_mb "${nginx_cmd[@]}") MiB"
			ratio=$(awk -v n="$nginx_ms" -v l="$ms" 'BEGIN { printf "%.1f×", n / l }')
		else
			echo "nginx -t fails on the $sites-site tree:" >&2
			cat "$work/nginx.txt" >&2
		fi
	fi
	nginx_cell=-
	[[ $nginx_ms == - ]] || nginx_cell=$(ms_cell "$nginx_ms" "$nginx_cpu")
	cd "$repo"
	echo "| $sites | $pools | $files | $mb | $(ms_cell "$ms" "$cpu") | $peak MiB | $per | $nginx_cell | $nginx_peak | $ratio |"
done

if ((${#sizes[@]} >= 2)); then
	first=${sizes[0]}
	last=${sizes[-1]}
	awk -v a="${lint_ms[$first]}" -v b="${lint_ms[$last]}" -v s="$first" -v t="$last" \
		'BEGIN { printf "\nGrowth: %d → %d sites (%.0f× the sites) takes %.1f× the time.\n", s, t, t / s, b / a }'
fi

cd "$work"
read -r editor_ms editor_cpu < <(timing "$lint" --root "$repo/testdata/example" /etc/nginx/sites-available/shop.conf)
cd "$repo"
echo "Editor mode (one file of testdata/example, whole process): $(ms_cell "$editor_ms" "$editor_cpu")."
