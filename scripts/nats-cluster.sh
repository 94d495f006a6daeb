#!/usr/bin/env bash
# Starts a 3-node JetStream cluster on loopback ports (the one the tests use), prints its client
# URLs and keeps it running until Ctrl-C, for trying the jetstream backend by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx tsx scripts/nats-cluster.ts
