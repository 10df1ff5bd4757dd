#!/usr/bin/env bash
# Fails when the contracts break compatibility (buf breaking, FILE rules) against
# the previous commit: HEAD when proto/ has uncommitted changes, else HEAD~1.
# MARQUEE_BREAKING_AGAINST=<git ref> compares against another commit.
set -euo pipefail
cd "$(dirname "$0")/../.."

against=${MARQUEE_BREAKING_AGAINST:-}
if [ -z "$against" ]; then
  if git diff --quiet HEAD -- proto 2>/dev/null; then against=HEAD~1; else against=HEAD; fi
fi
if ! git rev-parse -q --verify "$against^{commit}" >/dev/null; then
  echo "buf breaking: no commit $against to compare with (first commit or shallow clone); skipped"
  exit 0
fi
if ! git cat-file -e "$against:buf.yaml" 2>/dev/null; then
  echo "buf breaking: $against has no contracts yet; skipped"
  exit 0
fi
npx buf breaking --against ".git#ref=$(git rev-parse "$against")"
echo "buf breaking: no breaking change against $against"
