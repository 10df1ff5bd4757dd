#!/usr/bin/env bash
# Local backends for Marquee's mesh mode, tests and benchmarks:
#   npm run backends -- up|down|status [nats cassandra opensearch chromium ffmpeg]
#   npm run backends -- up|down|status --cluster
# No names means all of them; --cluster is the multi-node loopback cluster
# (cluster.sh). See scripts/backends/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
source "$here/nats.sh"
source "$here/cassandra.sh"
source "$here/opensearch.sh"
source "$here/tools.sh"
source "$here/cluster.sh"

SERVERS=(nats cassandra opensearch)
TOOLS=(chromium ffmpeg)

usage() {
  echo "usage: backends.sh up|down|status [${SERVERS[*]} ${TOOLS[*]}] | up|down|status --cluster" >&2
  exit 2
}

# selected NAME: was NAME asked for (or were no names given)?
selected() {
  local n
  (( ${#NAMES[@]} == 0 )) && return 0
  for n in "${NAMES[@]}"; do [[ "$n" == "$1" ]] && return 0; done
  return 1
}

cmd_up() {
  local n failed=()
  need_cmd curl timeout setsid flock
  # Servers first: start every one that is not answering yet, without waiting,
  # so the two slow JVMs (Cassandra, OpenSearch) boot side by side ...
  for n in "${SERVERS[@]}"; do selected "$n" || continue; "${n}_start"; done
  # ... while the Debian packages install ...
  for n in "${TOOLS[@]}"; do selected "$n" || continue; "${n}_up"; done
  # ... then wait for each server, against its own deadline.
  for n in "${SERVERS[@]}"; do
    selected "$n" || continue
    "${n}_wait" || failed+=("$n")
  done
  if (( ${#failed[@]} )); then die "not ready: ${failed[*]}"; fi
  log "up: ${NAMES[*]:-all} ready (data and logs in $MARQUEE_BACKENDS_DATA_DIR)"
}

cmd_down() {
  local n pids=() rc=0
  # Stop the servers in parallel: Cassandra drains and flushes on TERM.
  for n in "${SERVERS[@]}"; do
    selected "$n" || continue
    "${n}_down" & pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n" || rc=1; done
  for n in "${TOOLS[@]}"; do
    selected "$n" && (( ${#NAMES[@]} )) && log "$n: a program, not a server; nothing to stop"
  done
  return $rc
}

cmd_status() {
  local n
  for n in "${SERVERS[@]}" "${TOOLS[@]}"; do selected "$n" || continue; "${n}_status"; done
}

(( $# >= 1 )) || usage
command="$1"; shift
if [[ "${1:-}" == --cluster ]]; then
  (( $# == 1 )) || { log "--cluster takes no names: it is always the whole cluster"; usage; }
  case "$command" in
    up) cluster_up ;;
    down) cluster_down ;;
    status) cluster_status ;;
    *) usage ;;
  esac
  exit
fi
NAMES=("$@")
for n in "${NAMES[@]}"; do
  [[ " ${SERVERS[*]} ${TOOLS[*]} " == *" $n "* ]] || { log "unknown backend: $n"; usage; }
done
case "$command" in
  up) take_lock; cmd_up ;;
  down) take_lock; cmd_down ;;
  status) cmd_status ;;
  *) usage ;;
esac
