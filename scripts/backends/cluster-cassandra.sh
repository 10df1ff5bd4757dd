# Cassandra ×3 of the loopback cluster (see cluster.sh): dc1, racks 1-3,
# seeds nodes 1 and 2 (as in docker-compose.yml), RF-3-aware token allocation.
# Sourced by backends.sh.

CLUSTER_CASSANDRA_SEEDS="${CLUSTER_ADDRS[0]}:7000,${CLUSTER_ADDRS[1]}:7000"

ccass_dir() { printf '%s' "$CLUSTER_DIR/cassandra-$1"; }
ccass_addr() { printf '%s' "${CLUSTER_ADDRS[$(($1 - 1))]}"; }
# JMX listens on 127.0.0.1 whatever the node's address, so each has its own port.
ccass_jmx() { printf '%s' "$((7200 + $1))"; }
ccass_pid() { server_pid "$(ccass_dir "$1")/cassandra.pid" "$(ccass_dir "$1")/conf/cassandra.yaml"; }
ccass_ready() { cassandra_ready_at "$(ccass_addr "$1")" 9042; }
ccass_logs() { printf '%s' "$(ccass_dir "$1")/logs/system.log:$(ccass_dir "$1")/logs/stdout.log"; }

# cluster_nodetool N ARGS...: nodetool against node N, from the cached jars.
cluster_nodetool() {
  local n="$1"; shift
  "$(java17_home)/bin/java" --add-opens java.base/jdk.internal.ref=ALL-UNNAMED \
    --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    -Dcassandra.logdir="$(ccass_dir "$n")/logs" -Dlogback.configurationFile="$(ccass_dir "$n")/conf/logback.xml" \
    -cp "$CASSANDRA_LIB/*" org.apache.cassandra.tools.NodeTool -h 127.0.0.1 -p "$(ccass_jmx "$n")" "$@"
}

ccass_start_node() {
  local n="$1" d addr
  d="$(ccass_dir "$n")"; addr="$(ccass_addr "$n")"
  if ccass_ready "$n"; then log "cassandra-$n: up at $addr:9042"; return 0; fi
  if ccass_pid "$n" >/dev/null; then log "cassandra-$n: already starting (pid $(ccass_pid "$n"))"; return 0; fi
  cassandra_write_config "$d" "$addr" 9042 "$CLUSTER_CASSANDRA_SEEDS" marquee-cluster \
    GossipingPropertyFileSnitch true 3
  printf 'dc=dc1\nrack=rack%s\n' "$n" >"$d/conf/cassandra-rackdc.properties"
  rm -f "$d/cassandra.pid"
  # ring_delay: a joining node listens to gossip this long to learn the ring
  cassandra_jvm_opts "$d" "$(ccass_jmx "$n")" "$d/cassandra.pid" "$MARQUEE_CLUSTER_CASSANDRA_HEAP" \
    "-Dcassandra-rackdc.properties=file://$d/conf/cassandra-rackdc.properties" \
    -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=5000
  log "cassandra-$n: starting on $addr:9042 (JMX 127.0.0.1:$(ccass_jmx "$n"), heap $MARQUEE_CLUSTER_CASSANDRA_HEAP)"
  cassandra_launch "$d" "$d/cassandra.pid"
}

ccass_wait_node() {
  local pid; pid="$(ccass_pid "$1" || true)"
  wait_ready "cassandra-$1" "$MARQUEE_CASSANDRA_START_TIMEOUT" "$(ccass_logs "$1")" "$pid" ccass_ready "$1" &&
    touch "$(ccass_dir "$1")/.joined"
}

cluster_cassandra_start() {
  cassandra_install
  local n
  for n in 1 2 3; do
    ccass_start_node "$n"
    # Two nodes bootstrapping at once could pick clashing token ranges, so a
    # node that never joined waits until it has; a rejoining one doesn't.
    [[ -f "$(ccass_dir "$n")/.joined" ]] || ccass_wait_node "$n" || return 1
  done
}

# ring_normal: every node Up and Normal in node 1's view of the ring.
ring_normal() { [[ "$(cluster_nodetool 1 status 2>/dev/null | grep -c '^UN ')" == 3 ]]; }

cluster_cassandra_wait() {
  local n
  for n in 1 2 3; do ccass_wait_node "$n" || return 1; done
  wait_ready "cassandra ring (3 × UN)" 60 "$(ccass_logs 1)" "" ring_normal
}

cluster_cassandra_down() {
  local n pids=() rc=0 p
  for n in 1 2 3; do
    stop_server "cassandra-$n" "$(ccass_dir "$n")/cassandra.pid" "$(ccass_dir "$n")/conf/cassandra.yaml" & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

cluster_cassandra_status() {
  local n pid state
  for n in 1 2 3; do
    pid="$(ccass_pid "$n" || true)"
    state=down; ccass_ready "$n" && state=up
    status_line "cassandra-$n" "$state" "$(ccass_addr "$n"):9042" "$pid"
  done
}
