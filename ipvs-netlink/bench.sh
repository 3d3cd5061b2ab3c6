#!/usr/bin/env bash
# bench.sh — the ipvs-netlink apply/read benchmark, inside the UML lab kernel, in one boot.
#
# Applies 1,000 services x 10 DR real servers (11,000 operations) with ipvsadm-restore and with
# NetlinkIpvs.apply, reads the table back with `ipvsadm -Ln --stats` and NetlinkIpvs.snapshot, interleaved
# over several rounds, and prints the ratios. Results: ipvs-netlink/target/bench/apply.txt.
#
# Usage (from anywhere, on the build host, from a fresh clone after lab/install-deps.sh):
#   ipvs-netlink/bench.sh [ROUNDS]   (default 7)
#   ipvs-netlink/bench.sh --tiny     10 services x 2 real servers, one round: proves it runs (lab/test.sh),
#                                    not a figure; results in ipvs-netlink/target/bench/apply-tiny.txt
set -euo pipefail
cd "$(dirname "$0")/.."

size=()
out=ipvs-netlink/target/bench/apply.txt
rounds=7
if [[ "${1:-}" == --tiny ]]; then
  size=(-Dbench.services=10 -Dbench.realServers=2 -Dbench.settleMs=100)
  out=ipvs-netlink/target/bench/apply-tiny.txt
  rounds=1
  shift
fi
rounds=${1:-$rounds}

# -am builds the modules ipvs-netlink's tests need (lab) in the same reactor, so nothing has to be
# installed in ~/.m2 first; not offline, so a fresh machine fetches the dependency plugin. The class
# path then names the reactor's target/classes folders.
mkdir -p ipvs-netlink/target/bench
mvn -B -q -pl ipvs-netlink -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench/classpath.txt -Dmdep.includeScope=test >/dev/null
cp="ipvs-netlink/target/test-classes:ipvs-netlink/target/classes:$(cat ipvs-netlink/target/bench/classpath.txt)"
exec lab/uml-run --timeout 3000 -- java -Xms512m -Xmx1g "${size[@]}" -cp "$cp" \
  io.lvsdirector.ipvs.bench.ApplyBenchmark "$rounds" "$out"
