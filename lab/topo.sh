#!/usr/bin/env bash
# topo.sh — a direct-routing LVS topology of network namespaces, inside the UML lab kernel.
#
#   client 198.18.0.2 ──┐
#   dir1   198.18.0.11 ─┤                (VIP 198.18.0.100/32 on dir1's eth0 unless --no-vip)
#   dir2   198.18.0.12 ─┼── br0 (one L2 segment in the lab's root namespace)
#   rs1    198.18.0.21 ─┤                every real server: VIPs 198.18.0.100 and .101 on lo,
#   rsN    198.18.0.2N ─┘                arp_ignore=1, arp_announce=2, nginx :80 and /ping on :8080
#
# 198.18.0.0/15 is the range set aside for benchmarking (RFC 2544); nothing here leaves the UML kernel.
#
# With --ecmp N (N = 2 or 3 directors), the client sits behind a router instead (the ecmp mode):
#
#   client 198.18.1.2 ── router 198.18.1.1 | 198.18.0.1 ── br0 ── dir1..dirN, rs1..rsM
#
# The router runs BIRD 2: eBGP (AS 65000) with every director (AS 65001), BFD 200 ms x 5 (at 100 ms a
# loaded UML kernel missed deadlines and flapped the sessions while JVMs started; `topo.sh bfd` changes
# the timers of a running BIRD), each VIP /32 a director announces installed as one ECMP route (merge
# paths), hashed on the packet's 5-tuple (fib_multipath_hash_policy=3, fields 0x37; see ecmp_router).
# A director's BIRD exports the addresses of its dummy interface lvs-vips (which the director itself adds
# and removes) through a filter allowing only 198.18.0.100/31. Directors: net.ipv4.vs.sloppy_tcp=1 (a
# flow the router moves to another director continues there), net.ipv4.vs.conntrack=0,
# expire_nodest_conn=1 (the packaged default), arp_ignore=1. Real servers route the client's segment
# through the router. The router's BIRD logs to /run/lab/router/bird.log (session state changes).
#
# Usage (inside the lab, as root):
#   topo.sh up [--directors N] [--realservers N] [--no-vip]
#   topo.sh down
#   topo.sh rs-stop I | rs-start I      stop / start real server I's nginx (both ports)
#   topo.sh rs-ping I 200|503|500       what real server I's /ping answers (503 = draining, 500 = failed)
#   topo.sh vip-add NS [VIP] | vip-del NS [VIP]   put / remove a VIP on a director's eth0
#   topo.sh exec NS COMMAND...          run a command in a namespace
#   topo.sh addr NS                     print a namespace's segment address
#   topo.sh bird-start NS | bird-stop NS [--kill]   (--ecmp) start / stop BIRD in router or dirN
#   topo.sh birdc NS COMMAND...         (--ecmp) birdc on that BIRD's control socket
#   topo.sh bfd NS INTERVAL_MS MULT     (--ecmp) set that BIRD's BFD timers and reconfigure it (BGP stays up)
set -euo pipefail

NET=198.18.0
VIP=${LAB_VIP:-198.18.0.100}
VIP2=${LAB_VIP2:-198.18.0.101}
STATE=/run/lab

die() { echo "topo: $*" >&2; exit 1; }

[[ "${LAB_INSIDE:-0}" == 1 || -e /proc/net/ip_vs ]] \
  || die "run me inside the lab kernel (lab/uml-run -- $0 ...): this kernel has no IPVS"
command -v ip >/dev/null || die "'ip' missing (package iproute2)"

addr_of() {
  case "$1" in
    client) if [[ -e $STATE/ecmp ]]; then echo "198.18.1.2"; else echo "$NET.2"; fi ;;
    router) echo "$NET.1" ;;
    dir[0-9]*) echo "$NET.$((10 + ${1#dir}))" ;;
    rs[0-9]*) echo "$NET.$((20 + ${1#rs}))" ;;
    *) die "unknown host '$1' (client, dirN, rsN)" ;;
  esac
}

add_host() {
  local ns=$1 addr
  addr=$(addr_of "$ns")
  ip netns add "$ns"
  # A namespace deleted just before (the previous test's topology) is torn down by the kernel in the
  # background, and its veth's root end can outlive `ip netns del` for a moment under a slow lab kernel.
  ip link del "v-$ns" 2>/dev/null || true
  ip link add "v-$ns" type veth peer name eth0 netns "$ns"
  ip link set "v-$ns" master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
}

nginx_conf() {
  local i=$1 dir=$STATE/rs$1
  mkdir -p "$dir"
  cat > "$dir/nginx.conf" <<EOF
# Real server rs$i: a stand-in for a Traefik node (:80 serves, :8080 answers the health check).
daemon on;
user root;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000;
  server {
    listen 80 default_server;
    location / { default_type text/plain; return 200 "rs$i\n"; }
  }
  server {
    listen 8080;
    location = /ping {
      default_type text/plain;
      if (-f $dir/ping-503) { return 503 "draining\n"; }
      if (-f $dir/ping-500) { return 500 "failing\n"; }
      return 200 "OK\n";
    }
  }
}
EOF
}

rs_start() {
  local i=$1
  [[ -f $STATE/rs$i/nginx.conf ]] || die "no real server rs$i"
  ip netns exec "rs$i" nginx -c "$STATE/rs$i/nginx.conf"
  # Wait until both ports accept, so callers can rely on "started" meaning "serving".
  for _ in $(seq 1 100); do
    if ip netns exec "rs$i" bash -c 'exec 3<>/dev/tcp/127.0.0.1/80 && exec 4<>/dev/tcp/127.0.0.1/8080' 2>/dev/null; then
      return 0
    fi
    sleep 0.05
  done
  die "nginx in rs$i did not start: $(tail -3 "$STATE/rs$i/error.log" 2>/dev/null)"
}

rs_stop() {
  local i=$1 pid
  pid=$(cat "$STATE/rs$i/nginx.pid" 2>/dev/null || true)
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
}

up() {
  local directors=1 realservers=3 vip=1 ecmp=0
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --ecmp) ecmp=1; directors=$2; vip=0; shift 2 ;;
      --directors) directors=$2; shift 2 ;;
      --realservers) realservers=$2; shift 2 ;;
      --no-vip) vip=0; shift ;;
      *) die "up: unknown option $1" ;;
    esac
  done
  if [[ $ecmp == 1 ]]; then
    [[ $directors =~ ^[23]$ ]] || die "--ecmp must be 2 or 3"
    command -v bird >/dev/null || die "'bird' missing (package bird2)"
  else
    [[ $directors =~ ^[0-2]$ ]] || die "--directors must be 0, 1 or 2"
  fi
  [[ $realservers =~ ^[0-9]+$ && $realservers -le 200 ]] || die "--realservers must be 0..200"
  command -v nginx >/dev/null || [[ $realservers == 0 ]] || die "'nginx' missing (package nginx-light)"
  [[ ! -e $STATE/up ]] || die "a topology is already up (topo.sh down first)"
  mkdir -p "$STATE"

  ip link del br0 2>/dev/null || true # a leftover of a topology whose teardown was cut short
  ip link add br0 type bridge
  ip link set br0 up
  if [[ $ecmp == 1 ]]; then
    touch "$STATE/ecmp"
    ecmp_router "$directors"
  else
    add_host client
  fi
  for d in $(seq 1 "$directors"); do
    add_host "dir$d"
    # Directors forward nothing themselves in DR mode; IPVS rewrites the MAC in LOCAL_IN.
    ip netns exec "dir$d" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
    [[ $ecmp == 0 ]] || ecmp_director "$d"
  done
  for i in $(seq 1 "$realservers"); do
    add_host "rs$i"
    ip -n "rs$i" addr add "$VIP/32" dev lo
    ip -n "rs$i" addr add "$VIP2/32" dev lo
    # Hold the VIP without answering ARP for it (arp_ignore=1) or using it as an ARP source
    # (arp_announce=2): only the director may own the VIP on the segment. rp_filter off, because
    # requests arrive for an address on lo through eth0.
    ip netns exec "rs$i" sysctl -qw \
      net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
      net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.lo.rp_filter=0
    [[ $ecmp == 0 ]] || ip -n "rs$i" route add 198.18.1.0/24 via "$NET.1"
    nginx_conf "$i"
    rs_start "$i"
  done
  if [[ $vip == 1 && $directors -ge 1 ]]; then
    ip -n dir1 addr add "$VIP/32" dev eth0
  fi
  echo "$directors $realservers" > "$STATE/up"
}

# The router namespace: BIRD 2 with one eBGP session per director, ECMP with an L4 hash, and the
# client on its own segment behind it.
ecmp_router() {
  local n=$1 d
  add_host router
  ip netns add client
  ip link add eth1 netns router type veth peer name eth0 netns client
  ip -n router addr add 198.18.1.1/24 dev eth1
  ip -n router link set eth1 up
  ip -n client link set lo up
  ip -n client addr add 198.18.1.2/24 dev eth0
  ip -n client link set eth0 up
  ip -n client route add default via 198.18.1.1
  # The multipath hash: policy 3 with fields src/dst IP, protocol, src/dst port (0x01|0x02|0x04|0x10|0x20)
  # dissects every forwarded packet afresh. Policy 1 (L4) would not: it takes a hash already on the skb
  # (fib_multipath_hash in net/ipv4/route.c: "short-circuit if we already have L4 hash present"), and a
  # veth keeps the hash the client's TCP socket put there, which TCP re-draws on a retransmission timeout.
  # The lab then sent every connection of a client where its socket's hash said, not where its 5-tuple
  # does, and a failed director's share was never measurable. A hardware router hashes the headers.
  ip netns exec router sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=3 \
    net.ipv4.fib_multipath_hash_fields=0x0037 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.eth1.rp_filter=0
  mkdir -p "$STATE/router"
  {
    cat <<EOF
# The lab's upstream router: learns each VIP /32 from every director that announces it and installs them
# as one multipath route (merge paths); accepts nothing outside the VIP range.
router id $NET.1;
log "$STATE/router/bird.log" all;
debug protocols { states };
protocol device { scan time 10; }
protocol kernel {
  ipv4 { import none; export filter { if net ~ [ 198.18.0.100/31{32,32} ] then accept; reject; }; };
  merge paths on;
}
protocol bfd { interface "eth0" { min rx interval 200 ms; min tx interval 200 ms; multiplier 5; }; }
template bgp director {
  local $NET.1 as 65000;
  bfd on;
  hold time 9;
  connect retry time 2;
  error wait time 1, 10;
  ipv4 { import filter { if net ~ [ 198.18.0.100/31{32,32} ] then accept; reject; }; export none; };
}
EOF
    for d in $(seq 1 "$n"); do
      echo "protocol bgp dir$d from director { neighbor $NET.$((10 + d)) as 65001; }"
    done
  } > "$STATE/router/bird.conf"
}

# A director in the ecmp mode: the sysctls the mode needs and its BIRD's config (lvs-vips exported).
ecmp_director() {
  local d=$1
  ip netns exec "dir$d" sysctl -qw net.ipv4.vs.sloppy_tcp=1 net.ipv4.vs.conntrack=0 \
    net.ipv4.vs.expire_nodest_conn=1 net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
  mkdir -p "$STATE/dir$d"
  cat > "$STATE/dir$d/bird.conf" <<EOF
# Director dir$d: announces the addresses the director puts on lvs-vips, and only those in the VIP range.
router id $NET.$((10 + d));
protocol device { scan time 10; }
protocol direct vips { ipv4; interface "lvs-vips"; }
protocol bfd { interface "eth0" { min rx interval 200 ms; min tx interval 200 ms; multiplier 5; }; }
filter vip_ranges { if net ~ [ 198.18.0.100/31{32,32} ] then accept; reject; }
protocol bgp uplink {
  local $NET.$((10 + d)) as 65001;
  neighbor $NET.1 as 65000;
  bfd on;
  hold time 9;
  connect retry time 2;
  error wait time 1, 10;
  ipv4 { import none; export filter vip_ranges; };
}
EOF
}

bird_start() {
  local ns=$1 dir=$STATE/$1
  [[ -f $dir/bird.conf ]] || die "no BIRD config for $ns (topo.sh up --ecmp N)"
  ip netns exec "$ns" bird -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid"
}

bird_stop() {
  local ns=$1 sig=TERM pid
  [[ "${2:-}" == --kill ]] && sig=KILL
  pid=$(cat "$STATE/$ns/bird.pid" 2>/dev/null || true)
  [[ -n "$pid" ]] || return 0
  kill -"$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$STATE/$ns/bird.pid"; return 0; }
    sleep 0.05
  done
  die "BIRD in $ns did not stop"
}

# New BFD timers for a running BIRD: rewrites its config's bfd line and reconfigures it. BIRD applies new
# intervals to the live sessions (a BFD poll sequence); the BGP sessions are not restarted. Both ends of a
# session need the new values: the detection time is the peer's multiplier x the slower of its tx and the
# local rx interval.
bfd_timers() {
  local ns=$1 ms=$2 mult=$3 conf=$STATE/$1/bird.conf
  [[ -f $conf ]] || die "no BIRD config for $ns"
  [[ $ms =~ ^[0-9]+$ && $mult =~ ^[0-9]+$ ]] || die "bfd: INTERVAL_MS and MULT are numbers"
  sed -i -E "s/min rx interval [0-9]+ ms; min tx interval [0-9]+ ms; multiplier [0-9]+;/min rx interval $ms ms; min tx interval $ms ms; multiplier $mult;/" "$conf"
  grep -q "min rx interval $ms ms; min tx interval $ms ms; multiplier $mult;" "$conf" || die "bfd: no bfd line in $conf"
  birdc -s "$STATE/$ns/bird.ctl" configure | grep -q "Reconfigur" || die "bfd: BIRD in $ns did not reconfigure"
}

down() {
  local ns
  for f in "$STATE"/rs*/nginx.pid; do
    [[ -e $f ]] || continue
    kill -KILL "$(cat "$f")" 2>/dev/null || true
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  # The root ends of the veths go with their pairs; deleting them here does not wait for the kernel's
  # background teardown of the namespaces, so the next `up` finds no name taken.
  for link in $(ip -o link show 2>/dev/null | sed -nE 's/^[0-9]+: (v-[^@:]+)[@:].*/\1/p'); do
    ip link del "$link" 2>/dev/null || true
  done
  ip link del br0 2>/dev/null || true
  for f in "$STATE"/*/bird.pid; do
    [[ -e $f ]] || continue
    kill -KILL "$(cat "$f")" 2>/dev/null || true
  done
  rm -rf "$STATE"
}

cmd=${1:-}
[[ -n $cmd ]] || die "usage: topo.sh up|down|rs-stop|rs-start|rs-ping|vip-add|vip-del|exec|addr ..."
shift
case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  rs-stop) rs_stop "${1:?real server number}" ;;
  rs-start) rs_start "${1:?real server number}" ;;
  rs-ping)
    i=${1:?real server number}; code=${2:?200 or 503}
    [[ -d $STATE/rs$i ]] || die "no real server rs$i"
    case "$code" in
      200) rm -f "$STATE/rs$i/ping-503" "$STATE/rs$i/ping-500" ;;
      503) rm -f "$STATE/rs$i/ping-500"; touch "$STATE/rs$i/ping-503" ;;
      500) rm -f "$STATE/rs$i/ping-503"; touch "$STATE/rs$i/ping-500" ;;
      *) die "rs-ping: 200, 503 or 500" ;;
    esac ;;
  vip-add) ip -n "${1:?namespace}" addr add "${2:-$VIP}/32" dev eth0 ;;
  vip-del) ip -n "${1:?namespace}" addr del "${2:-$VIP}/32" dev eth0 ;;
  exec) ns=${1:?namespace}; shift; exec ip netns exec "$ns" "$@" ;;
  addr) addr_of "${1:?namespace}" ;;
  bird-start) bird_start "${1:?namespace}" ;;
  bird-stop) bird_stop "${1:?namespace}" "${2:-}" ;;
  birdc) ns=${1:?namespace}; shift; exec birdc -s "$STATE/$ns/bird.ctl" "$@" ;;
  bfd) bfd_timers "${1:?namespace}" "${2:?interval ms}" "${3:?multiplier}" ;;
  *) die "unknown command '$cmd'" ;;
esac
