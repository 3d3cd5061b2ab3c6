#!/usr/bin/env bash
# bench.sh — the ipvs-netlink apply/read benchmark, inside the UML lab kernel, in one boot.
#
# Applies 1,000 services x 10 DR real servers (11,000 operations) with ipvsadm-restore and with
# NetlinkIpvs.apply, reads the table back with `ipvsadm -Ln --stats` and NetlinkIpvs.snapshot, interleaved
# over several rounds, and prints the ratios. Results: ipvs-netlink/target/bench/apply.txt.
#
# Usage (from anywhere, on the build host): ipvs-netlink/bench.sh [ROUNDS]   (default 7)
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -o -q -pl ipvs-netlink test-compile
mkdir -p ipvs-netlink/target/bench
mvn -B -o -q -pl ipvs-netlink dependency:build-classpath -Dmdep.outputFile=target/bench/classpath.txt >/dev/null
cp="ipvs-netlink/target/test-classes:ipvs-netlink/target/classes:$(cat ipvs-netlink/target/bench/classpath.txt)"
exec lab/uml-run --timeout 3000 -- java -Xms512m -Xmx1g -cp "$cp" io.lvsdirector.ipvs.bench.ApplyBenchmark "${1:-7}" \
  ipvs-netlink/target/bench/apply.txt
