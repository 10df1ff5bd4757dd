# The multi-node loopback cluster (`up|down|status --cluster`): the shape of
# docker-compose.yml on one machine. Sourced by backends.sh after the
# single-node files, whose installs, configs and launchers it reuses.
#
# Each cluster "host" i is the loopback address 127.0.0.1<i> (127.0.0.11-13),
# so every node keeps its server's usual ports, as on separate machines (the
# way Cassandra's ccm runs local clusters). 127.0.0.1 stays the single-node
# backends' (used by `npm test`), so both can run at once.

CLUSTER_ADDRS=(127.0.0.11 127.0.0.12 127.0.0.13)
CLUSTER_DIR="$MARQUEE_BACKENDS_DATA_DIR/cluster"
CLUSTER_ENV="$CLUSTER_DIR/cluster.env"
MARQUEE_CLUSTER_CASSANDRA_HEAP="${MARQUEE_CLUSTER_CASSANDRA_HEAP:-1g}"
MARQUEE_CLUSTER_OPENSEARCH_HEAP="${MARQUEE_CLUSTER_OPENSEARCH_HEAP:-1g}"

# shellcheck source=cluster-cassandra.sh
source "$here/cluster-cassandra.sh"
source "$here/cluster-nats.sh"
source "$here/cluster-opensearch.sh"

# csv_of FORMAT: the nodes' addresses through a printf FORMAT, comma-joined.
csv_of() {
  local n="$1" fmt="$2" i out=()
  for ((i = 0; i < n; i++)); do out+=("$(printf "$fmt" "${CLUSTER_ADDRS[$i]}")"); done
  local IFS=,; printf '%s' "${out[*]}"
}

# What a service needs to use the cluster, written for `npm run mesh -- --cluster`
# and `npm run chaos` (and anyone: `set -a; . cluster.env`).
cluster_write_env() {
  cat >"$CLUSTER_ENV" <<ENV
# Written by scripts/backends/cluster.sh on every \`up --cluster\`.
MARQUEE_BACKENDS=external
MARQUEE_CASSANDRA_CONTACT_POINTS=$(csv_of 3 '%s:9042')
MARQUEE_CASSANDRA_LOCAL_DC=dc1
MARQUEE_CASSANDRA_REPLICATION="{'class': 'NetworkTopologyStrategy', 'dc1': 3}"
MARQUEE_NATS_URL=$(csv_of 3 'nats://%s:4222')
MARQUEE_NATS_REPLICAS=3
MARQUEE_OPENSEARCH_URL=$(csv_of 2 'http://%s:9200')
MARQUEE_OPENSEARCH_REPLICAS=1
ENV
}

# take_cluster_lock: like take_lock, on its own file, so a cluster `up` never
# holds up the single-node `up` that tests run.
take_cluster_lock() {
  mkdir -p "$CLUSTER_DIR"
  exec 9>"$CLUSTER_DIR/.cluster.lock"
  if ! flock -n 9; then
    log "another backends.sh --cluster up/down is running; waiting for it"
    flock 9
  fi
}

cluster_up() {
  need_cmd curl timeout setsid flock
  take_cluster_lock
  # The fast ones first, then the JVMs, which boot side by side; only a
  # Cassandra node that never joined waits for the one before it.
  cluster_nats_start
  cluster_opensearch_start
  cluster_cassandra_start || die "cassandra: a first-time node did not join (its log is above)"
  local failed=()
  cluster_nats_wait || failed+=(nats)
  cluster_opensearch_wait || failed+=(opensearch)
  cluster_cassandra_wait || failed+=(cassandra)
  if (( ${#failed[@]} )); then die "cluster not ready: ${failed[*]}"; fi
  cluster_write_env
  log "cluster ready in ${SECONDS}s: Cassandra ×3 (dc1), NATS ×3 (JetStream), OpenSearch ×2"
  log "settings for services: $CLUSTER_ENV"
  sed -n 's/^MARQUEE_/  MARQUEE_/p' "$CLUSTER_ENV" >&2
}

cluster_down() {
  take_cluster_lock
  local pids=() rc=0 p
  cluster_cassandra_down & pids+=($!)
  cluster_nats_down & pids+=($!)
  cluster_opensearch_down & pids+=($!)
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

cluster_status() {
  cluster_nats_status
  cluster_cassandra_status
  cluster_opensearch_status
}
