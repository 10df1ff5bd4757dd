#!/usr/bin/env bash
# `npm test`: static checks, contract checks, then every test against the real
# backends, which it brings up first (MARQUEE_EXTERNAL_BACKENDS=1 skips that
# when you point Marquee at clusters of your own).
# `npm run test:unit` (--unit): the same checks, then only the tests that need no server.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "format and lint (Biome)"
npx biome check .
step "types (tsc, strict)"
npx tsc -p tsconfig.json
npx tsc -p web-player/tsconfig.json
step "manifests: no unused or undeclared dependency, no unused export (knip)"
npx knip
step "contracts: buf lint and format"
npx buf lint
npx buf format --diff --exit-code
step "contracts: buf/validate/validate.proto matches @bufbuild/protovalidate"
node --import tsx scripts/proto/validate-proto.ts --check
step "contracts: gen/ is fresh"
node --import tsx scripts/proto/check-gen.ts
step "contracts: no breaking change"
bash scripts/proto/check-breaking.sh

if [ "${1:-}" = "--unit" ]; then
  step "unit tests"
  npx ava --config ava.unit.config.js
  exit 0
fi

if [ "${MARQUEE_EXTERNAL_BACKENDS:-0}" != "1" ]; then
  step "backends: up (NATS, Cassandra, OpenSearch, Chromium, ffmpeg)"
  bash scripts/backends/backends.sh up
fi
step "all tests"
npx ava
