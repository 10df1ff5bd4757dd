# Shared helpers for scripts/backends/*.sh. Sourced by backends.sh, never run.
# Everything here is generic: it knows nothing about a particular server.

# Caches survive fresh clones (CI clones anew on the same machine), so they
# live in the user's cache/data dirs, never inside the repository.
MARQUEE_CACHE_DIR="${MARQUEE_CACHE_DIR:-$HOME/.cache/marquee}"
MARQUEE_BACKENDS_DATA_DIR="${MARQUEE_BACKENDS_DATA_DIR:-$HOME/.local/share/marquee-backends}"
MARQUEE_STOP_TIMEOUT="${MARQUEE_STOP_TIMEOUT:-60}"
# A private Maven repository inside the cache: deleting MARQUEE_CACHE_DIR
# really means "cold", and other builds using ~/.m2 at the same time are not
# disturbed by ours.
MARQUEE_M2_REPO="$MARQUEE_CACHE_DIR/m2"

log() { printf '[backends] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- addresses ---------------------------------------------------------------

# url_host nats://user@127.0.0.1:4222/x -> 127.0.0.1 ; url_port ... 4222.
# Bare host:port works too; url_port falls back to DEFAULT when none is given.
url_hostport() { local u="${1%%,*}"; u="${u#*://}"; u="${u%%/*}"; printf '%s' "${u##*@}"; }
url_host() { local hp; hp="$(url_hostport "$1")"; printf '%s' "${hp%:*}"; }
url_port() {
  local hp; hp="$(url_hostport "$1")"
  if [[ "$hp" == *:* ]]; then printf '%s' "${hp##*:}"; else printf '%s' "$2"; fi
}

# url_safe URL: the URL without user:password@, for logs and status lines.
url_safe() { printf '%s' "$1" | sed -E 's#(://)[^/@]*@#\1#g'; }

# need_cmd CMD...: fail early, naming what is missing, instead of half-way.
need_cmd() {
  local c
  for c in "$@"; do command -v "$c" >/dev/null || die "'$c' is needed but not installed"; done
}

# Only loopback addresses are ours to start a server on; anything else is an
# external cluster that must already be running.
is_loopback() { [[ "$1" == 127.* || "$1" == localhost || "$1" == "::1" ]]; }

# --- processes ---------------------------------------------------------------

# pid_matches PID PATTERN: the pid is alive, not a zombie, and its command line
# contains PATTERN (guards against a recycled pid in a stale pid file).
pid_matches() {
  local pid="$1" pattern="$2" state
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] || return 1
  state="$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
  [[ "$state" != Z && -n "$state" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern"
}

# server_pid PIDFILE PATTERN: prints the live pid recorded in PIDFILE, or fails.
server_pid() {
  local pid
  [[ -s "$1" ]] || return 1
  pid="$(tr -dc '0-9' <"$1")"
  pid_matches "$pid" "$2" && printf '%s' "$pid"
}

# rss_mib PID: resident memory from /proc (what the server really takes).
rss_mib() {
  awk '/^VmRSS:/ {printf "%d MiB", $2/1024}' "/proc/$1/status" 2>/dev/null || printf '?'
}

# launch LOGFILE CMD...: start CMD detached from this shell (own session, no
# stdin, no controlling terminal) so it outlives `npm run backends up` and CI
# steps. Sets LAUNCHED_PID. setsid does not fork here (a background job of a
# non-interactive shell is no group leader), so exec chains keep this pid.
launch() {
  local logfile="$1"; shift
  mkdir -p "$(dirname "$logfile")"
  printf '\n===== %s starting: %s\n' "$(date -Is)" "$*" >>"$logfile"
  # 9>&-: the server must not inherit backends.sh's lock (see take_lock)
  setsid nohup "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  # shellcheck disable=SC2034  # read by the backend files
  LAUNCHED_PID=$!
}

# wait_ready NAME TIMEOUT LOGS LAUNCHER_PID CHECK...: poll CHECK until it
# succeeds. Fails early if the launched process died, or at the deadline; then
# shows the end of the logs (LOGS: files separated by ':'), because that is
# where the reason is.
wait_ready() {
  local name="$1" timeout="$2" logfile="$3" launcher="$4"; shift 4
  local start=$SECONDS
  while ! "$@" >/dev/null 2>&1; do
    if [[ -n "$launcher" ]] && ! kill -0 "$launcher" 2>/dev/null; then
      show_log_tail "$logfile"; log "$name exited during start-up"; return 1
    fi
    if (( SECONDS - start >= timeout )); then
      show_log_tail "$logfile"
      log "$name not ready after ${timeout}s (left running: \`npm run backends -- down $name\` stops it)"
      return 1
    fi
    sleep 0.5
  done
  log "$name ready (waited $((SECONDS - start))s; ${SECONDS}s since this command began)"
}

show_log_tail() {
  local f files
  IFS=: read -r -a files <<<"$1"
  for f in "${files[@]}"; do
    if [[ -s "$f" ]]; then
      log "last 50 lines of $f:"; tail -n 50 "$f" | sed 's/^/    /' >&2
    else
      log "(no log at $f)"
    fi
  done
}

# stop_server NAME PIDFILE PATTERN: TERM, wait, then KILL after the deadline.
# Only touches a process our pid file names and whose command line matches.
stop_server() {
  local name="$1" pidfile="$2" pattern="$3" pid start
  if ! pid="$(server_pid "$pidfile" "$pattern")"; then
    rm -f "$pidfile"; log "$name: not running (nothing of ours to stop)"; return 0
  fi
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  start=$SECONDS
  local killed=0
  while pid_matches "$pid" "$pattern"; do
    if (( ! killed && SECONDS - start >= MARQUEE_STOP_TIMEOUT )); then
      log "$name: still running after ${MARQUEE_STOP_TIMEOUT}s, sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      killed=1
    fi
    sleep 0.5
  done
  rm -f "$pidfile"
  log "$name: stopped after $((SECONDS - start))s"
}

# status_line NAME STATE ADDRESS PID: the one-line format of `status`.
status_line() {
  local name="$1" state="$2" addr="$3" pid="${4:-}" mem="-"
  [[ -n "$pid" ]] && mem="$(rss_mib "$pid")"
  printf '%-12s %-5s %-28s pid %-8s rss %s\n' "$name" "$state" "$addr" "${pid:--}" "$mem"
}

# take_lock: one `up`/`down` at a time per data dir, so two CI jobs starting
# at once don't both launch a server (the loser would fail to bind); the
# second one waits, then finds the servers up and reuses them.
take_lock() {
  mkdir -p "$MARQUEE_BACKENDS_DATA_DIR"
  exec 9>"$MARQUEE_BACKENDS_DATA_DIR/.backends.lock"
  if ! flock -n 9; then
    log "another backends.sh up/down is running; waiting for it"
    flock 9
  fi
}

# --- installing --------------------------------------------------------------

# mvn_cached ARGS...: Maven without prompts, on our repo. Its output (even
# with -q it emits stray terminal escapes) is shown only when it fails.
mvn_cached() {
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Java servers"
  local out
  if ! out="$(mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$MARQUEE_M2_REPO" "$@" 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "mvn $* failed"
  fi
}

# apt_install PKG...: install missing Debian packages without questions.
# Runs `apt-get update` at most once per invocation, and only when needed.
APT_UPDATED=0
apt_install() {
  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    sudo -n true 2>/dev/null || die "need root (or passwordless sudo) to apt-get install $*"
    sudo=(sudo -n)
  fi
  if (( ! APT_UPDATED )); then
    log "apt-get update"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  # (debconf's note about apt-utils is noise on minimal images)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q "$@" 2> >(grep -v '^debconf: delaying' >&2) >/dev/null
}

# java17_home: a JDK 17 home. Both Cassandra 5.0 and OpenSearch 2.x run on 17;
# the machine's default `java` may be another release (e.g. a Temurin 25).
java17_home() {
  local candidate
  for candidate in "${MARQUEE_JAVA_HOME:-}" "${JAVA_HOME:-}" \
      "$(dirname "$(dirname "$(readlink -f "$(command -v java || echo /nonexistent)")")")" \
      /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/*17*; do
    [[ -n "$candidate" && -x "$candidate/bin/java" ]] || continue
    if "$candidate/bin/java" -version 2>&1 | head -n1 | grep -q '"17[."]'; then
      printf '%s' "$candidate"; return 0
    fi
  done
  die "no JDK 17 found (set MARQUEE_JAVA_HOME)"
}
