#!/usr/bin/env bash
# bench-probe-veth.sh — ProbeLoadBenchmark with its targets behind a veth pair instead of on loopback.
#
# Usage (repository root or anywhere, as root, on the build host, after lab/install-deps.sh):
#   director-core/bench-probe-veth.sh [NODES=10000] [SECONDS=30]
#   JAVA_OPTS  the probe process's JVM options (default: the packaged unit's)
#
# On loopback a send carries the whole receive path of the other end: the probe thread's figure holds
# the server's TCP receive of every request (a quarter of the thread's samples at 10,000 nodes, perf),
# and the server's holds the prober's receive of every answer. On a network each side receives in its
# own kernel context. Here the prober runs in one network namespace and one nginx (answering for
# 10.200.0.0/16, AnyIP) in another, joined by a veth pair in threaded-NAPI mode: each side's receive
# path runs in a kernel thread of its own (napi/veth-*), which the benchmark reports beside the probe
# thread. The prober's side of the probe cost is then the probe thread plus napi/veth-p (the answers'
# receive path); napi/veth-s is the targets' side.
# After the window the reference prober (src/test/c/probe-floor.c) probes the same targets from the
# prober's namespace, for the ratio of the probe thread's CPU to a minimal C prober's.
#
# veth hands a packet to NAPI only with GRO on at the receiver and TSO off at the sender (otherwise it is
# received inside the sender's send, as on loopback); threaded mode can be set only once NAPI is up.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-10000} secs=${2:-30}
[[ $(id -u) == 0 ]] || { echo "bench-probe-veth: needs root (network namespaces)"; exit 1; }
for tool in ethtool nginx ip; do
  command -v "$tool" >/dev/null || { echo "bench-probe-veth: needs $tool (lab/install-deps.sh)"; exit 1; }
done
# The packaged unit's JVM options, without its JNA directory, as bench-keepalived.sh reads them.
DEFAULT_JAVA_OPTS=$(sed -nE 's/^Environment="JAVA_OPTS=(.*)"$/\1/p' packaging/deb/src/deb/files/lvs-director.service \
  | sed -E 's/ ?-Djna\.tmpdir=[^ ]*//')
[[ -n $DEFAULT_JAVA_OPTS ]] || { echo "bench-probe-veth: no JAVA_OPTS in the packaged unit"; exit 1; }

# Namespaces of this run only (a second run at the same time must not delete the first one's).
prober=lvsd-bench-prober-$$ server=lvsd-bench-server-$$
cleanup() {
  ip netns del "$prober" 2>/dev/null || true
  ip netns del "$server" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$prober"
ip netns add "$server"
ip link add veth-p netns "$prober" type veth peer name veth-s netns "$server"
ip -n "$prober" addr add 10.255.0.1/30 dev veth-p
ip -n "$server" addr add 10.255.0.2/30 dev veth-s
for side in "$prober:veth-p" "$server:veth-s"; do
  ns=${side%%:*} dev=${side#*:}
  ip -n "$ns" link set lo up
  ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro on >/dev/null
  ip -n "$ns" link set "$dev" up
  ip netns exec "$ns" sh -c "echo 1 > /sys/class/net/$dev/threaded"
done
ip -n "$server" route add local 10.200.0.0/16 dev lo
ip -n "$prober" route add 10.200.0.0/16 via 10.255.0.2

# bench.sh builds the classes and the reference prober, and runs the JVM in the prober's namespace (not
# exec'd: the trap removes the namespaces when it ends).
JAVA_OPTS="${JAVA_OPTS:-$DEFAULT_JAVA_OPTS} -Dping.server=nginx -Dping.netns=$server -Dping.net=10.200" \
  director-core/bench.sh --netns "$prober" ProbeLoadBenchmark "$nodes" "$secs"
