# Chromium (+ chromedriver) for browser tests, and ffmpeg for media ingest:
# Debian packages, installed only when missing. Sourced by backends.sh.
# These are programs, not servers: `up` installs, `down` has nothing to stop.

# tool_up NAME "BINARY..." PACKAGE...: apt-get install PACKAGEs unless every
# BINARY is already there.
tool_up() {
  local name="$1" bins="$2" b missing=0; shift 2
  for b in $bins; do [[ -x "$b" ]] || missing=1; done
  if (( ! missing )); then log "$name: present ($bins)"; return 0; fi
  apt_install "$@"
  for b in $bins; do [[ -x "$b" ]] || die "$name: installed $*, but $b is still missing"; done
}

# tool_status NAME BINARY VERSION-FLAG
tool_status() {
  local version
  if [[ -x "$2" ]]; then
    version="$("$2" "$3" 2>/dev/null | head -n1 | cut -c1-60 || true)"
    printf '%-12s %-5s %-28s %s\n' "$1" ok "$2" "$version"
  else
    printf '%-12s %-5s %-28s %s\n' "$1" none "$2" "(npm run backends -- up $1)"
  fi
}

# chromedriver too: WebDriver-based tests need the one matching this Chromium
chromium_up() { tool_up chromium "/usr/bin/chromium /usr/bin/chromedriver" chromium chromium-driver; }
chromium_status() { tool_status chromium /usr/bin/chromium --version; }

ffmpeg_up() { tool_up ffmpeg /usr/bin/ffmpeg ffmpeg; }
ffmpeg_status() { tool_status ffmpeg /usr/bin/ffmpeg -version; }
