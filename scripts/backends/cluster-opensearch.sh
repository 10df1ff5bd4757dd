# OpenSearch ×2 of the loopback cluster (see cluster.sh): both
# cluster-manager-eligible, discovering each other on :9300. With two
# eligible nodes the voting configuration holds one of them, so losing that
# one stops index writes (searches go on) until it is back: the same as
# docker-compose.yml's pair. Sourced by backends.sh.

cos_dir() { printf '%s' "$CLUSTER_DIR/opensearch-$1"; }
cos_addr() { printf '%s' "${CLUSTER_ADDRS[$(($1 - 1))]}"; }
cos_pid() { server_pid "$(cos_dir "$1")/opensearch.pid" "$(cos_dir "$1")/config"; }
cos_ready() {
  curl -fsS -m 3 "http://$(cos_addr "$1"):9200/_cluster/health" 2>/dev/null | grep -Eq '"status":"(green|yellow)"'
}
cos_logs() { printf '%s' "$(cos_dir "$1")/logs/marquee-cluster.log:$(cos_dir "$1")/logs/stdout.log"; }

cluster_opensearch_start() {
  opensearch_install
  local n d
  for n in 1 2; do
    d="$(cos_dir "$n")"
    if cos_ready "$n"; then log "opensearch-$n: up at http://$(cos_addr "$n"):9200"; continue; fi
    cos_pid "$n" >/dev/null && { log "opensearch-$n: already starting"; continue; }
    opensearch_write_config "$d" marquee-cluster "opensearch-$n" "$(cos_addr "$n")" 9200 \
      "$MARQUEE_CLUSTER_OPENSEARCH_HEAP" \
      "discovery.seed_hosts: [$(csv_of 2 '%s:9300')]" \
      "cluster.initial_cluster_manager_nodes: [opensearch-1, opensearch-2]"
    rm -f "$d/opensearch.pid"
    opensearch_prepare_user "$d"
    log "opensearch-$n: starting on http://$(cos_addr "$n"):9200 (heap $MARQUEE_CLUSTER_OPENSEARCH_HEAP)"
    opensearch_launch "$d" "$d/opensearch.pid"
  done
}

cos_two_nodes() {
  curl -fsS -m 3 "http://$(cos_addr 1):9200/_cluster/health" 2>/dev/null | grep -q '"number_of_nodes":2'
}

cluster_opensearch_wait() {
  local n pid
  for n in 1 2; do
    pid="$(cos_pid "$n" || true)"
    wait_ready "opensearch-$n" "$MARQUEE_OPENSEARCH_START_TIMEOUT" "$(cos_logs "$n")" "$pid" cos_ready "$n" || return 1
  done
  wait_ready "opensearch cluster (2 nodes)" 60 "$(cos_logs 1)" "" cos_two_nodes &&
    opensearch_check_modules "http://$(cos_addr 1):9200"
}

cluster_opensearch_down() {
  local n
  for n in 1 2; do stop_server "opensearch-$n" "$(cos_dir "$n")/opensearch.pid" "$(cos_dir "$n")/config"; done
}

cluster_opensearch_status() {
  local n pid state
  for n in 1 2; do
    pid="$(cos_pid "$n" || true)"
    state=down; cos_ready "$n" && state=up
    status_line "opensearch-$n" "$state" "http://$(cos_addr "$n"):9200" "$pid"
  done
}
