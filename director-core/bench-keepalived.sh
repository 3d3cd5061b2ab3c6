#!/usr/bin/env bash
# bench-keepalived.sh — our probes beside keepalived's HTTP_GET checker, same targets, one lab boot.
#
# Usage (repository root or anywhere, on the build host, after lab/install-deps.sh):
#   director-core/bench-keepalived.sh [NODES=2000] [FIRST=60] [WARM=60]
#     NODES  addresses (/32s on one namespace's lo, one nginx answering GET /ping on :8080 for all)
#     FIRST  seconds of the first window, from the prober's process start (start-up and JIT included)
#     WARM   seconds of the warm window that follows it
#   JAVA_OPTS   the probe process's JVM options (default: the packaged unit's, DEFAULT_JAVA_OPTS below)
#   STRACE=1    after the windows, count each prober's system calls for 10 s (strace -c -f)
#
# Inside one lab kernel (lab/uml-run): keepalived 2.2 runs with only its checker (-C), one IPVS virtual
# server whose NODES real servers each have an HTTP_GET check on /ping, delay_loop 1; then, after it
# stopped, ProbeDriver (director-core's probe stack alone in a JVM: NettyChecker + HealthProber, HTTP
# keep-alive, 1 s interval) probes the same addresses. Each is measured over the same two windows:
# whole-process CPU from /proc/PID/stat (utime + stime; for keepalived its checker child, the process
# that probes), RSS (VmRSS, the highest seen), and the requests nginx served in the window
# (stub_status), so "per probe" divides by probes that really reached the server. Before the windows,
# "start-up": from the process start to the first request nginx serves (for the JVM: VM start, class
# loading, the first connects); the first minute with start-up charges it to the first window's probes.
set -euo pipefail

if [[ "${1:-}" != --inside ]]; then
  cd "$(dirname "$0")/.."
  # The packaged unit's JVM options, without the JNA directory (the unit's own path): read from the
  # unit so the benchmark cannot drift from what ships.
  DEFAULT_JAVA_OPTS=$(sed -nE 's/^Environment="JAVA_OPTS=(.*)"$/\1/p' packaging/deb/src/deb/files/lvs-director.service \
    | sed -E 's/ ?-Djna\.tmpdir=[^ ]*//')
  [[ -n $DEFAULT_JAVA_OPTS ]] || { echo "bench-keepalived: no JAVA_OPTS in the packaged unit"; exit 1; }
  nodes=${1:-2000} first=${2:-60} warm=${3:-60}
  # As bench.sh: -am builds what the test classes need in one reactor; not offline, so a fresh machine
  # fetches the dependency plugin.
  mvn -B -q -pl director-core -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
  export LVSD_BENCH_CP="$PWD/director-core/target/test-classes:$PWD/director-core/target/classes:$(cat director-core/target/bench.cp)"
  export LVSD_JAVA_OPTS="${JAVA_OPTS:-$DEFAULT_JAVA_OPTS}" LVSD_STRACE="${STRACE:-0}"
  # The lab kernel counts a process's CPU by sampling its 100 Hz tick, which misses work done in bursts
  # shorter than a tick (the prober's, on a 10 ms grid) on a quiet host. So the host also counts: the
  # whole lab VM's CPU (its kernel, nginx, the prober, this script's sampling), exact on the host, in
  # each window the inside part writes down (the lab's clock is the host's).
  hostlog=$(mktemp -d /tmp/lvsd-kbench-host.XXXXXX)
  export LVSD_HOSTLOG=$hostlog
  lab/uml-run --timeout $((first * 2 + warm * 2 + 600)) -- "$PWD/director-core/bench-keepalived.sh" \
    --inside "$nodes" "$first" "$warm" &
  uml=$!
  while kill -0 "$uml" 2>/dev/null; do
    t=0
    # every descendant of uml-run (the lab kernel starts its own sessions)
    for p in $(ps -e -o pid=,ppid= | awk -v r="$uml" '{ par[$1] = $2 }
        END { for (p in par) { q = p; while (q in par && q != r && q > 1) q = par[q]; if (q == r) print p } }'); do
      x=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null) && t=$((t + x))
    done
    echo "$EPOCHREALTIME $t"
    sleep 0.5
  done > "$hostlog/cpu" &
  rc=0; wait "$uml" || rc=$?
  if [[ -s $hostlog/windows ]]; then
    hz=$(getconf CLK_TCK)
    echo "bench-keepalived: host's count, the whole lab VM's CPU (kernel, nginx, prober) per probe:"
    # cpu at time T: the last sample at or before T
    awk -v hz="$hz" 'NR == FNR { ts[n] = $1; c[n++] = $2; next }
      function at(t,   i, v) { v = c[0]; for (i = 0; i < n && ts[i] <= t; i++) v = c[i]; return v }
      { f = (at($3) - at($2)) / hz; w = (at($4) - at($3)) / hz
        printf "  %-10s first %6.1f µs (%5.1f %% of a core), warm %6.1f µs (%5.1f %% of a core)\n", $1,
          ($5 > 0 ? 1e6 * f / $5 : 0), 100 * f / ($3 - $2), ($6 > 0 ? 1e6 * w / $6 : 0), 100 * w / ($4 - $3)
        fp[$1] = f / $5; wp[$1] = w / $6 }
      END { if (fp["lvsd"] > 0 && wp["lvsd"] > 0)
        printf "bench-keepalived: host count, cheaper per probe than keepalived, whole VM: first window %.1fx, warm %.1fx\n",
          fp["ka"] / fp["lvsd"], wp["ka"] / wp["lvsd"] }' "$hostlog/cpu" "$hostlog/windows"
  fi
  rm -rf "$hostlog"
  exit "$rc"
fi

# ---- inside the lab kernel
nodes=$2 first=$3 warm=$4
hz=$(getconf CLK_TCK)
work=$(mktemp -d /tmp/lvsd-kbench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  ip netns del nodes 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536

# The nodes: NODES /32s on lo of one namespace, reached over a veth with one route (thousands of
# on-link neighbours would overflow the ARP table).
ip netns add nodes
ip link add kb0 type veth peer name kb1
ip link set kb1 netns nodes
ip addr add 198.18.200.1/30 dev kb0 && ip link set kb0 up
ip -n nodes addr add 198.18.200.2/30 dev kb1 && ip -n nodes link set kb1 up && ip -n nodes link set lo up
ip route add 198.19.0.0/16 via 198.18.200.2
for ((i = 0; i < nodes; i++)); do
  echo "198.19.$((i / 250)).$((i % 250 + 1))"
done > "$work/addresses"
sed 's|^|addr add |; s|$|/32 dev lo|' "$work/addresses" | ip -n nodes -batch -

mkdir -p "$work/nginx"
cat > "$work/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 65536;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  keepalive_requests 1000000; keepalive_timeout 600s;
  server { listen 8080 reuseport; location = /ping { return 200 "ok\n"; } }
  server { listen 127.0.0.1:8081; location = /status { stub_status; } }
}
EOF
ip netns exec nodes nginx -c "$work/nginx.conf" -p "$work/nginx"
served() { ip netns exec nodes curl -s http://127.0.0.1:8081/status | awk 'NR == 3 { print $3 }'; }
ip netns exec nodes curl -sf --max-time 5 -o /dev/null "http://$(head -1 "$work/addresses"):8080/ping" \
  || { echo "bench-keepalived: nginx does not answer"; exit 1; }

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# measure NAME PID: start-up (the process start to nginx's first request from it), then the two
# windows; sets NAME_start_ticks/secs, NAME_first/warm ticks, probes and secs, NAME_rss (KiB, highest).
measure() {
  local name=$1 pid=$2 t0 s0 w0 t1 s1 w1 t2 s2 w2 r=0 x ts ss ws
  # Wall time from the clock, not from the loop's count: a fork in the lab kernel takes tens of ms.
  t0=$(ticks "$pid") w0=$EPOCHREALTIME ss=$(served)
  # Each status request is one request: more than one since the last look is the prober's.
  while :; do
    sleep 0.1; s0=$(served)
    ((s0 - ss > 1)) && break
    ss=$s0
    awk -v a="$EPOCHREALTIME" -v b="$w0" 'BEGIN { exit !(a - b > 300) }' \
      && { echo "bench-keepalived: $name did not probe within 300 s"; exit 1; }
  done
  ts=$(ticks "$pid") ws=$EPOCHREALTIME
  printf -v "${name}_start_ticks" %s $((ts - t0))
  printf -v "${name}_start_secs" %s "$(awk -v a="$ws" -v b="$w0" 'BEGIN { print a - b }')"
  t0=$ts w0=$ws
  while awk -v a="$EPOCHREALTIME" -v b="$w0" -v n="$first" 'BEGIN { exit !(a - b < n) }'; do
    sleep 1; x=$(rss "$pid"); ((x > r)) && r=$x
  done
  t1=$(ticks "$pid") s1=$(served) w1=$EPOCHREALTIME
  while awk -v a="$EPOCHREALTIME" -v b="$w1" -v n="$warm" 'BEGIN { exit !(a - b < n) }'; do
    sleep 1; x=$(rss "$pid"); ((x > r)) && r=$x
  done
  t2=$(ticks "$pid") s2=$(served) w2=$EPOCHREALTIME
  # Each status request is one of the requests counted: take them out.
  printf -v "${name}_first_ticks" %s $((t1 - t0)); printf -v "${name}_first_probes" %s $((s1 - s0 - 1))
  printf -v "${name}_warm_ticks" %s $((t2 - t1)); printf -v "${name}_warm_probes" %s $((s2 - s1 - 1))
  printf -v "${name}_first_secs" %s "$(awk -v a="$w1" -v b="$w0" 'BEGIN { print a - b }')"
  printf -v "${name}_warm_secs" %s "$(awk -v a="$w2" -v b="$w1" 'BEGIN { print a - b }')"
  printf -v "${name}_rss" %s "$r"
  [[ -n ${LVSD_HOSTLOG:-} ]] && echo "$name $w0 $w1 $w2 $((s1 - s0 - 1)) $((s2 - s1 - 1))" >> "$LVSD_HOSTLOG/windows"
  if [[ ${LVSD_STRACE:-0} == 1 ]]; then
    local p0 p1 n
    p0=$(served)
    timeout -s INT 10 strace -f -qq -p "$pid" -o "$work/$name.strace" || true
    p1=$(served)
    n=$((p1 - p0 - 1))
    echo "bench-keepalived: $name system calls in 10 s under strace, $n probes served meanwhile; per call (count, per probe):"
    # Lines are "TID call(...", "TID <... call resumed>..." (counted once, at the start) or signals.
    awk '$2 ~ /^[a-z_0-9]+\(/ { sub(/\(.*/, "", $2); print $2 }' "$work/$name.strace" | sort | uniq -c \
      | sort -rn | head -12 | awk -v n="$n" '{ printf "  %-18s %7d %7.3f\n", $2, $1, (n > 0 ? $1 / n : 0) }'
    echo "bench-keepalived: $name per thread (calls; the top three calls):"
    awk '$2 ~ /^[a-z_0-9]+\(/ { sub(/\(.*/, "", $2); print $1, $2 }' "$work/$name.strace" | sort | uniq -c \
      | while read -r c tid call; do
          echo "$(tr ' ' _ < "/proc/$pid/task/$tid/comm" 2>/dev/null || echo "gone-$tid") $c $call"
        done | sed -E 's/^([A-Za-z_ -]*[A-Za-z_-])[0-9#-]*[0-9] /\1# /' | sort -k1,1 -k2,2rn \
      | awk '{ t[$1] += $2; if (++k[$1] <= 3) top[$1] = top[$1] " " $3 "=" $2 }
             END { for (x in t) printf "  %-24s %7d %s\n", x, t[x], top[x] }' | sort -k2,2rn | head -15
  fi
}

# keepalived: its checker only, one virtual server holding every address.
{
  echo 'global_defs { router_id lvsd_bench }'
  echo 'virtual_server 198.18.201.1 80 {'
  echo '  delay_loop 1'
  echo '  lb_algo rr'
  echo '  lb_kind DR'
  echo '  protocol TCP'
  while read -r a; do
    echo "  real_server $a 80 { HTTP_GET { url { path /ping status_code 200 } connect_port 8080 connect_timeout 1 retry 0 } }"
  done < "$work/addresses"
  echo '}'
} > "$work/keepalived.conf"
/usr/sbin/keepalived -n -l -C -f "$work/keepalived.conf" -p "$work/ka.pid" -c "$work/ka-check.pid" \
  > "$work/keepalived.log" 2>&1 &
pids+=($!)
for ((i = 0; i < 100; i++)); do [[ -s $work/ka-check.pid ]] && break; sleep 0.1; done
[[ -s $work/ka-check.pid ]] || { echo "bench-keepalived: keepalived did not start:"; cat "$work/keepalived.log"; exit 1; }
measure ka "$(cat "$work/ka-check.pid")"
ka_rs=$(ipvsadm -Ln | grep -c -- '->.*198\.19\.' || true)
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
pids=()

# Ours: the probe stack alone in a JVM.
# shellcheck disable=SC2086 # LVSD_JAVA_OPTS is a list of options
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn $LVSD_JAVA_OPTS -cp "$LVSD_BENCH_CP" \
  io.lvsdirector.core.bench.ProbeDriver "$work/addresses" 8080 > "$work/driver.log" 2>&1 &
pids+=($!)
measure lvsd "${pids[0]}"
tail -1 "$work/driver.log"
lvsd_healthy=$(tail -1 "$work/driver.log" | sed -nE 's/.*healthy=([0-9]+).*/\1/p')
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
pids=()

# per probe in µs of CPU, % of one core
line() { # WHO TICKS PROBES SECONDS
  awk -v w="$1" -v t="$2" -v p="$3" -v s="$4" -v hz="$hz" 'BEGIN {
    printf "%-10s %5.1f s: cpu=%5.1f %% of one core, probes/s=%6.0f, %6.1f µs per probe\n", w, s, 100 * t / hz / s, p / s, (p > 0 ? 1e6 * t / hz / p : 0) }'
}
ratio() { # KA_TICKS KA_PROBES OUR_TICKS OUR_PROBES
  awk -v kt="$1" -v kp="$2" -v ot="$3" -v op="$4" 'BEGIN {
    if (kp == 0 || op == 0) { print "n/a"; exit }
    if (ot == 0) { print "inf (ours below one clock tick)"; exit }
    printf "%.1f", (kt / kp) / (ot / op) }'
}
startup() { # WHO TICKS SECONDS
  awk -v w="$1" -v t="$2" -v s="$3" -v hz="$hz" 'BEGIN { printf "%-10s %5.1f s to the first probe, %6.2f s of CPU\n", w, s, t / hz }'
}
echo "bench-keepalived: nodes=$nodes, each probed once a second; windows: first ${first} s from the first probe, then ${warm} s"
echo "bench-keepalived: lvsd JVM options: $LVSD_JAVA_OPTS"
echo "bench-keepalived: start-up (process start to the first probe)"
startup keepalived "$ka_start_ticks" "$ka_start_secs"
startup lvsd "$lvsd_start_ticks" "$lvsd_start_secs"
echo "bench-keepalived: first window"
line keepalived "$ka_first_ticks" "$ka_first_probes" "$ka_first_secs"
line lvsd "$lvsd_first_ticks" "$lvsd_first_probes" "$lvsd_first_secs"
echo "bench-keepalived: warm window"
line keepalived "$ka_warm_ticks" "$ka_warm_probes" "$ka_warm_secs"
line lvsd "$lvsd_warm_ticks" "$lvsd_warm_probes" "$lvsd_warm_secs"
echo "bench-keepalived: rss keepalived checker=$((ka_rss / 1024)) MiB, lvsd=$((lvsd_rss / 1024)) MiB; keepalived real servers in IPVS=$ka_rs/$nodes, lvsd healthy=${lvsd_healthy:-?}/$nodes"
echo "bench-keepalived: cheaper per probe than keepalived: first window $(ratio "$ka_first_ticks" "$ka_first_probes" "$lvsd_first_ticks" "$lvsd_first_probes")x, with start-up charged to it $(ratio $((ka_start_ticks + ka_first_ticks)) "$ka_first_probes" $((lvsd_start_ticks + lvsd_first_ticks)) "$lvsd_first_probes")x, warm $(ratio "$ka_warm_ticks" "$ka_warm_probes" "$lvsd_warm_ticks" "$lvsd_warm_probes")x"
# Runs (the tiny size in lab/test.sh proves that): both checkers probed in the warm window and every
# target is healthy.
[[ $ka_warm_probes -gt 0 && $lvsd_warm_probes -gt 0 && ${lvsd_healthy:-0} -eq $nodes ]]
