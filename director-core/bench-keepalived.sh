#!/usr/bin/env bash
# bench-keepalived.sh — our probes beside keepalived's HTTP_GET checker, same targets, one lab boot.
#
# Usage (repository root or anywhere, on the build host, after lab/install-deps.sh):
#   director-core/bench-keepalived.sh [NODES=2000] [FIRST=60] [WARM=60]
#     NODES  addresses (/32s on one namespace's lo, one nginx answering GET /ping on :8080 for all)
#     FIRST  seconds of the first window, from the prober's first probe (JIT warm-up included)
#     WARM   seconds of the warm window that follows it
#   JAVA_OPTS   the probe process's JVM options (default: the packaged unit's, DEFAULT_JAVA_OPTS below)
#   STRACE=1    after the windows, count each prober's system calls for 10 s (strace -c -f)
#   LVSD_ONLY=1 ours alone (no keepalived run): for comparing our own variants, half the time
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
# Also per probe: each prober's and nginx's context switches, and the prober's page faults (exact
# counts from /proc).
#
# The lab's own CPU count is tick-sampled, so the figures to trust are the host's: the whole lab VM's
# CPU in each window (every guest process and the guest kernel; exact on the host), then the same net of
# the idle VM (nginx up and nothing probing, after both, as long as the warm window and at most 30 s),
# the start-up by the same count, and split by host process (the lab kernel's main thread does every
# guest system call and packet; each guest address space, as the JVM's, runs in a host process of its own).
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
  export LVSD_JAVA_OPTS="${JAVA_OPTS:-$DEFAULT_JAVA_OPTS}" LVSD_STRACE="${STRACE:-0}" LVSD_ONLY="${LVSD_ONLY:-0}"
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
      # all of it (with its reaped children's) for the VM's total; its own (without them) and its
      # parent for the split by process (a guest process that exits moves into the kernel's children)
      read -r x own parent < <(awk '{ print $14 + $15 + $16 + $17, $14 + $15, $4 }' "/proc/$p/stat" 2>/dev/null) || continue
      t=$((t + x))
      kind=space; [[ $parent == "$uml" ]] && kind=kernel
      echo "$EPOCHREALTIME $p $own $kind" >> "$hostlog/pids"
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
      { who[++k] = $1; f[$1] = (at($3) - at($2)) / hz; w[$1] = (at($4) - at($3)) / hz
        fs[$1] = $3 - $2; ws[$1] = $4 - $3; fp[$1] = $5; wp[$1] = $6; st[$1] = (at($2) - at($7)) / hz }
      END {
        for (i = 1; i <= k; i++) { x = who[i]; if (x == "idle") continue
          printf "  %-10s first %6.1f µs (%5.1f %% of a core), warm %6.1f µs (%5.1f %% of a core)\n", x,
            (fp[x] > 0 ? 1e6 * f[x] / fp[x] : 0), 100 * f[x] / fs[x], (wp[x] > 0 ? 1e6 * w[x] / wp[x] : 0), 100 * w[x] / ws[x] }
        both = fp["lvsd"] > 0 && wp["lvsd"] > 0 && fp["ka"] > 0 && wp["ka"] > 0
        if (both) printf "bench-keepalived: host count, cheaper per probe than keepalived, whole VM: first window %.1fx, warm %.1fx\n",
          (f["ka"] / fp["ka"]) / (f["lvsd"] / fp["lvsd"]), (w["ka"] / wp["ka"]) / (w["lvsd"] / wp["lvsd"])
        for (i = 1; i <= k; i++) { x = who[i]; if (x != "idle") printf "  %-10s start-up (process start to the first probe) %.2f s of the VM'"'"'s CPU\n", x, st[x] }
        if (both) printf "bench-keepalived: host count, whole VM, start-up charged to the first window: %.1fx\n",
          ((f["ka"] + st["ka"]) / fp["ka"]) / ((f["lvsd"] + st["lvsd"]) / fp["lvsd"])
        if (!("idle" in f) || fs["idle"] <= 0) exit
        # The VM with nginx up and nothing probing: its own tick, timers and this script. Not a cost of
        # either prober, so taken out of both.
        r = f["idle"] / fs["idle"]
        printf "bench-keepalived: host count, the idle VM (nothing probing): %.1f %% of a core\n", 100 * r
        for (i = 1; i <= k; i++) { x = who[i]; if (x == "idle" || fp[x] <= 0 || wp[x] <= 0) continue
          nf[x] = (f[x] - r * fs[x]) / fp[x]; nw[x] = (w[x] - r * ws[x]) / wp[x]
          printf "  %-10s net of the idle VM: first %6.1f µs, warm %6.1f µs per probe\n", x, 1e6 * nf[x], 1e6 * nw[x] }
        if (both) printf "bench-keepalived: host count, net of the idle VM, cheaper per probe than keepalived: first window %.1fx, warm %.1fx\n",
          nf["ka"] / nf["lvsd"], nw["ka"] / nw["lvsd"] }' "$hostlog/cpu" "$hostlog/windows"
  fi
  if [[ -s $hostlog/windows && -s $hostlog/pids ]]; then
    echo "bench-keepalived: host count per host process, % of a core (kernel: the lab kernel's main thread, which does every guest system call, page fault and packet; space: a guest address space's process, its user code and the host's side of its traps, largest first: the prober, nginx, this script):"
    awk 'NR == FNR { w[++k] = $1; a[k] = $2; b[k] = $3; c[k] = $4; next }
      { for (i = 1; i <= k; i++) { if ($1 <= a[i]) s0[i, $2] = $3; if ($1 <= b[i]) s1[i, $2] = $3; if ($1 <= c[i]) s2[i, $2] = $3 }
        kind[$2] = $4 }
      END { for (i = 1; i <= k; i++) { n = 0
          for (p in kind) { f = (s1[i, p] - s0[i, p]) / (b[i] - a[i]); g = (c[i] > b[i] ? (s2[i, p] - s1[i, p]) / (c[i] - b[i]) : 0)
            if (f + g >= 0.5) { n++; key[n] = (kind[p] == "kernel" ? 1e9 : f + g); txt[n] = sprintf(" %s first %.1f warm %.1f;", kind[p], f, g) } }
          line = sprintf("  %-6s", w[i])
          for (m = 1; m <= n; m++) { best = 0; for (j = 1; j <= n; j++) if (!(j in used) && (best == 0 || key[j] > key[best])) best = j; used[best] = 1; line = line txt[best] }
          delete used; print line } }' "$hostlog/windows" "$hostlog/pids"
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

# The sampling below forks nothing while a window runs (bash builtins only): a fork and exec in the
# lab kernel costs milliseconds of CPU, which the host's count of the whole VM would charge to the
# probes, and more per probe to the prober that probes more often.
mkfifo "$work/tick"
exec {tick}<>"$work/tick"
pause() { read -r -t "$1" -u "$tick" _ || true; } # nobody writes: returns after $1 s
# Functions that set a variable rather than print: $(...) forks a subshell.
usecs() { local t=${EPOCHREALTIME/./}; USECS=$((10#$t)); }
# PID's CPU so far (utime + stime, in ticks) and its page faults (minor + major; each is a trip
# through the lab kernel, counted exactly), from one read of its stat.
procstat() { local f; read -r -a f < "/proc/$1/stat"; TICKS=$((f[13] + f[14])) FAULTS=$((f[9] + f[11])); }
rss() { local k v; RSS=0; while read -r k v _; do [[ $k == VmRSS: ]] && { RSS=$v; return; }; done < "/proc/$1/status"; }
# Context switches of every thread of PID (voluntary: it slept, mostly waiting for the next event;
# involuntary: preempted): each is a wake-up of the process, dear in the lab kernel. Sets SWITCHES to
# "VOLUNTARY INVOLUNTARY" (a variable, not printed: the window edges read it, and $(...) would fork there).
switches() {
  local t k v vol=0 inv=0
  for t in /proc/"$1"/task/*; do
    while read -r k v; do
      case $k in
        voluntary_ctxt_switches:) vol=$((vol + v)) ;;
        nonvoluntary_ctxt_switches:) inv=$((inv + v)) ;;
      esac
    done < "$t/status" 2>/dev/null || true
  done
  SWITCHES="$vol $inv"
}
nginx_pid() { local p; for p in $(pgrep -f 'nginx: worker'); do echo "$p"; return; done; }

# measure NAME PID: start-up (the process start to nginx's first request from it), then the two
# windows; sets NAME_start_ticks/secs, NAME_first/warm ticks, probes and secs, NAME_rss (KiB, highest),
# NAME_first/warm_switches (the prober's and nginx's wake-ups per probe).
measure() {
  local name=$1 pid=$2 t0 s0 w0 t1 s1 w1 t2 s2 w2 r=0 ts ss ws c0 c1 c2 n0 n1 n2 ngx
  ngx=$(nginx_pid)
  # Wall time from the clock, not from the loop's count: a fork in the lab kernel takes tens of ms.
  procstat "$pid"; t0=$TICKS w0=$EPOCHREALTIME ss=$(served)
  # Each status request is one request: more than one since the last look is the prober's.
  while :; do
    sleep 0.1; s0=$(served)
    ((s0 - ss > 1)) && break
    ss=$s0
    awk -v a="$EPOCHREALTIME" -v b="$w0" 'BEGIN { exit !(a - b > 300) }' \
      && { echo "bench-keepalived: $name did not probe within 300 s"; exit 1; }
  done
  procstat "$pid"; ts=$TICKS ws=$EPOCHREALTIME
  local f0=$FAULTS f1 f2
  printf -v "${name}_start_ticks" %s $((ts - t0))
  printf -v "${name}_start_secs" %s "$(awk -v a="$ws" -v b="$w0" 'BEGIN { print a - b }')"
  local wp=$w0
  t0=$ts w0=$ws
  switches "$pid"; c0=$SWITCHES; switches "$ngx"; n0=$SWITCHES
  usecs; local end=$((USECS + first * 1000000))
  while usecs; ((USECS < end)); do
    pause 1; rss "$pid"; ((RSS > r)) && r=$RSS
  done
  procstat "$pid"; t1=$TICKS f1=$FAULTS s1=$(served) w1=$EPOCHREALTIME
  switches "$pid"; c1=$SWITCHES; switches "$ngx"; n1=$SWITCHES
  usecs; end=$((USECS + warm * 1000000))
  while usecs; ((USECS < end)); do
    pause 1; rss "$pid"; ((RSS > r)) && r=$RSS
  done
  procstat "$pid"; t2=$TICKS f2=$FAULTS s2=$(served) w2=$EPOCHREALTIME
  switches "$pid"; c2=$SWITCHES; switches "$ngx"; n2=$SWITCHES
  # Each status request is one of the requests counted: take them out.
  printf -v "${name}_first_ticks" %s $((t1 - t0)); printf -v "${name}_first_probes" %s $((s1 - s0 - 1))
  printf -v "${name}_warm_ticks" %s $((t2 - t1)); printf -v "${name}_warm_probes" %s $((s2 - s1 - 1))
  printf -v "${name}_first_secs" %s "$(awk -v a="$w1" -v b="$w0" 'BEGIN { print a - b }')"
  printf -v "${name}_warm_secs" %s "$(awk -v a="$w2" -v b="$w1" 'BEGIN { print a - b }')"
  printf -v "${name}_rss" %s "$r"
  printf -v "${name}_switches" %s "$(awk -v c0="$c0" -v c1="$c1" -v c2="$c2" -v n0="$n0" -v n1="$n1" -v n2="$n2" \
    -v p1=$((s1 - s0 - 1)) -v p2=$((s2 - s1 - 1)) 'BEGIN {
      split(c0, a); split(c1, b); split(c2, c); split(n0, d); split(n1, e); split(n2, f)
      if (p1 < 1) p1 = 1; if (p2 < 1) p2 = 1 # no probes: the final check fails the run
      printf "first %.2f (%.2f preempted), nginx %.2f; warm %.2f (%.2f preempted), nginx %.2f",
        (b[1] - a[1] + b[2] - a[2]) / p1, (b[2] - a[2]) / p1, (e[1] - d[1] + e[2] - d[2]) / p1,
        (c[1] - b[1] + c[2] - b[2]) / p2, (c[2] - b[2]) / p2, (f[1] - e[1] + f[2] - e[2]) / p2 }')"
  printf -v "${name}_faults" %s "$(awk -v a=$((f1 - f0)) -v b=$((f2 - f1)) -v p1=$((s1 - s0 - 1)) -v p2=$((s2 - s1 - 1)) \
    'BEGIN { printf "first %d (%.2f per probe), warm %d (%.2f per probe)", a, (p1 > 0 ? a / p1 : 0), b, (p2 > 0 ? b / p2 : 0) }')"
  [[ -n ${LVSD_HOSTLOG:-} ]] && echo "$name $w0 $w1 $w2 $((s1 - s0 - 1)) $((s2 - s1 - 1)) $wp" >> "$LVSD_HOSTLOG/windows"
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
# (LVSD_ONLY=1: keepalived's figures stay 0 and its lines read n/a.)
ka_start_ticks=0 ka_start_secs=0 ka_first_ticks=0 ka_first_probes=0 ka_warm_ticks=0 ka_warm_probes=0
ka_first_secs=1 ka_warm_secs=1 ka_rss=0 ka_rs=0 ka_switches="not run" ka_faults="not run"
if [[ ${LVSD_ONLY:-0} != 1 ]]; then
/usr/sbin/keepalived -n -l -C -f "$work/keepalived.conf" -p "$work/ka.pid" -c "$work/ka-check.pid" \
  > "$work/keepalived.log" 2>&1 &
pids+=($!)
for ((i = 0; i < 100; i++)); do [[ -s $work/ka-check.pid ]] && break; sleep 0.1; done
[[ -s $work/ka-check.pid ]] || { echo "bench-keepalived: keepalived did not start:"; cat "$work/keepalived.log"; exit 1; }
measure ka "$(cat "$work/ka-check.pid")"
ka_rs=$(ipvsadm -Ln | grep -c -- '->.*198\.19\.' || true)
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
pids=()
fi

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

# The idle VM: nginx up, nothing probing, for the host's count to take out of both (as long as the
# warm window, at most 30 s).
if [[ -n ${LVSD_HOSTLOG:-} ]]; then
  iw0=$EPOCHREALTIME; pause $((warm < 30 ? warm : 30)); iw1=$EPOCHREALTIME
  echo "idle $iw0 $iw1 $iw1 0 0 $iw0" >> "$LVSD_HOSTLOG/windows"
fi

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
echo "bench-keepalived: wake-ups per probe (context switches from /proc, exact): keepalived $ka_switches"
echo "bench-keepalived: wake-ups per probe (context switches from /proc, exact): lvsd       $lvsd_switches"
echo "bench-keepalived: page faults of the prober (exact): keepalived $ka_faults"
echo "bench-keepalived: page faults of the prober (exact): lvsd       $lvsd_faults"
echo "bench-keepalived: cheaper per probe than keepalived: first window $(ratio "$ka_first_ticks" "$ka_first_probes" "$lvsd_first_ticks" "$lvsd_first_probes")x, with start-up charged to it $(ratio $((ka_start_ticks + ka_first_ticks)) "$ka_first_probes" $((lvsd_start_ticks + lvsd_first_ticks)) "$lvsd_first_probes")x, warm $(ratio "$ka_warm_ticks" "$ka_warm_probes" "$lvsd_warm_ticks" "$lvsd_warm_probes")x"
# Runs (the tiny size in lab/test.sh proves that): both checkers probed in the warm window and every
# target is healthy.
[[ ( ${LVSD_ONLY:-0} == 1 || $ka_warm_probes -gt 0 ) && $lvsd_warm_probes -gt 0 && ${lvsd_healthy:-0} -eq $nodes ]]
