#!/usr/bin/env bash
# bench.sh — runs one of director-core's benchmark programs (src/test/java/io/lvsdirector/core/bench).
#
# Usage (from anywhere, on the build host, from a fresh clone after lab/install-deps.sh):
#   director-core/bench.sh [--lab | --netns NS] BENCHMARK [ARG...]
#     BENCHMARK  ProbeLoadBenchmark | TransitionLatencyBenchmark | DeadNodeBenchmark (their Javadoc: the ARGs)
#     --lab      run it inside the UML lab kernel (lab/uml-run), for TransitionLatencyBenchmark ... netlink
#     --netns NS run the JVM in network namespace NS (root; bench-probe-veth.sh)
#   JAVA_OPTS    extra JVM options, e.g. JAVA_OPTS="-Xmx128m -Dping.threads=2"
set -euo pipefail
cd "$(dirname "$0")/.."

lab=0 netns=
if [[ "${1:-}" == --lab ]]; then lab=1; shift; fi
usage() { sed -n '4,9p' "$0" >&2; exit 2; }
if [[ "${1:-}" == --netns ]]; then [[ $# -ge 3 ]] || usage; netns=$2; shift 2; fi
[[ $# -ge 1 ]] || usage
bench=$1
shift

# -am builds what director-core's tests need (lab, ipvs-netlink and its test classes) in the same
# reactor, so nothing has to be installed in ~/.m2 first; not offline, so a fresh machine fetches the
# dependency plugin. The class path then names the reactor's target folders.
mvn -B -q -pl director-core -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
cp="director-core/target/test-classes:director-core/target/classes:$(cat director-core/target/bench.cp)"
# ProbeLoadBenchmark's reference prober (a C client doing the same probes; -Dping.reference= skips it).
reference=()
if [[ $bench == ProbeLoadBenchmark ]]; then
  director-core/build-probe-floor.sh
  reference=(-Dping.reference=director-core/target/probe-floor)
fi
# shellcheck disable=SC2086,SC2206 # JAVA_OPTS is a list of options
cmd=(java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "${reference[@]}" ${JAVA_OPTS:-} -cp "$cp" "io.lvsdirector.core.bench.$bench" "$@")
if [[ $lab == 1 ]]; then
  exec lab/uml-run --timeout 3000 -- "${cmd[@]}"
fi
if [[ -n $netns ]]; then
  exec ip netns exec "$netns" "${cmd[@]}"
fi
exec "${cmd[@]}"
