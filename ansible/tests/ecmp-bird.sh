#!/usr/bin/env bash
# ecmp-bird.sh ROOT OUT — runs BIRD as the director role installed it in ROOT (a Debian root the ECMP
# variant was applied to: ansible/test.sh) against a second BIRD acting as the router, each in its own
# network namespace on this machine, and checks what the director announces. ROOT's inventory (test.sh):
# VIP range 198.18.0.96/29, BGP from 198.19.0.11 AS 65001 to peer "uplink" 198.19.0.1 AS 65000, BFD.
#   - the director's BIRD is started the way the package's bird.service starts it (its envvars, its
#     prepare-environment, `bird -p`, then `bird -f -u bird -g bird`), from ROOT (chroot), on the role's
#     /etc/bird/bird.conf; the router is this machine's BIRD with a config of its own that imports
#     every route it is offered, so only the director's export filter decides what it learns;
#   - lvs-vips holds 198.18.0.100/32 (a VIP in the range), 198.18.0.120/32 (outside it) and
#     198.18.0.97/30 (inside it, but a /30, not a host route): the BGP session and its BFD session come
#     up; the router learns 198.18.0.100/32 alone, and the director's BIRD lists the other two as
#     refused by the export filter (so they were seen, and filtered out);
#   - the address taken off lvs-vips (what the service does to withdraw a VIP) → the route leaves the
#     router;
#   - BIRD's control socket answers the service user with group bird (the unit drop-in's
#     SupplementaryGroups=bird) and refuses it without.
# This machine's kernel has no dummy interfaces: lvs-vips is one end of a veth pair here (BIRD's
# protocol direct reads any interface's addresses; the service makes a dummy one).
# Prints one "   ok   ecmp: ..." / "   FAIL ecmp: ..." line per check; exit status 0 only when all passed.
set -uo pipefail
root=${1:?usage: ecmp-bird.sh ROOT OUT}
out=${2:?usage: ecmp-bird.sh ROOT OUT}
dns=lvsd-ecmp-dir rns=lvsd-ecmp-rtr
failed=0 dir_pid='' rtr_pid=''
mkdir -p "$out"
ok() { echo "   ok   ecmp: $*"; }
bad() { failed=1; echo "   FAIL ecmp: $1"; [[ -n ${2:-} ]] && sed 's/^/        /' <<<"$2"; }
# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds or SECONDS have passed.
wait_for() {
  local end=$((SECONDS + $1)); shift
  while ((SECONDS < end)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  "$@" >/dev/null 2>&1
}
dbirdc() { chroot "$root" birdc -s /run/bird/bird.ctl "$@"; }
rbirdc() { birdc -s "$out/router.ctl" "$@"; }
# The prefixes the router learnt from the director, one a line, sorted.
learnt() { rbirdc show route protocol director | grep -oE '^[0-9.]+/[0-9]+' | sort; }
cleanup() {
  [[ -n $dir_pid ]] && kill "$dir_pid" 2>/dev/null
  [[ -n $rtr_pid ]] && kill "$rtr_pid" 2>/dev/null
  wait 2>/dev/null
  ip netns del "$dns" 2>/dev/null
  ip netns del "$rns" 2>/dev/null
}
trap cleanup EXIT
ip netns del "$dns" 2>/dev/null
ip netns del "$rns" 2>/dev/null

# The peering link and lvs-vips.
if ! {
  ip netns add "$dns" && ip netns add "$rns" &&
  ip -n "$dns" link set lo up && ip -n "$rns" link set lo up &&
  ip -n "$dns" link add eth0 type veth peer name eth0 netns "$rns" &&
  ip -n "$dns" addr add 198.19.0.11/24 dev eth0 && ip -n "$rns" addr add 198.19.0.1/24 dev eth0 &&
  ip -n "$dns" link set eth0 up && ip -n "$rns" link set eth0 up &&
  ip -n "$dns" link add lvs-vips type veth peer name lvs-vips-peer &&
  ip -n "$dns" link set lvs-vips-peer up && ip -n "$dns" link set lvs-vips up &&
  ip -n "$dns" addr add 198.18.0.100/32 dev lvs-vips &&
  ip -n "$dns" addr add 198.18.0.120/32 dev lvs-vips &&
  ip -n "$dns" addr add 198.18.0.97/30 dev lvs-vips
} >"$out/net.log" 2>&1; then
  bad "the two namespaces, the peering link and lvs-vips" "$(cat "$out/net.log")"
  exit 1
fi

cat >"$out/router.conf" <<'EOF'
# The test's router: one eBGP session with BFD to the director; it imports every route it is offered
# (no filter of its own), so what it learns is what the director's export filter let out.
router id 198.19.0.1;
protocol device { scan time 10; }
protocol bfd { interface "eth0" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; }; }
protocol bgp director {
  local 198.19.0.1 as 65000;
  neighbor 198.19.0.11 as 65001;
  bfd on;
  hold time 9;
  connect retry time 1;
  ipv4 { import all; export none; };
}
EOF
rm -f "$out/router.ctl"
ip netns exec "$rns" bird -f -c "$out/router.conf" -s "$out/router.ctl" >"$out/router.log" 2>&1 &
rtr_pid=$!
# As bird.service runs it (EnvironmentFile=/etc/bird/envvars, both ExecStartPre=, ExecStart=).
ip netns exec "$dns" chroot "$root" sh -c '. /etc/bird/envvars && /usr/lib/bird/prepare-environment &&
  /usr/sbin/bird -p && exec /usr/sbin/bird -f -u "$BIRD_RUN_USER" -g "$BIRD_RUN_GROUP" $BIRD_ARGS' \
  >"$out/director.log" 2>&1 &
dir_pid=$!
start=$SECONDS

established() { dbirdc show protocols uplink | grep -q Established; }
if wait_for 30 established; then
  ok "the director's BIRD, started as bird.service starts it, has its BGP session to the router Established ($((SECONDS - start)) s)"
else
  bad "BGP session uplink Established within 30 s" "$(dbirdc show protocols all uplink 2>&1; cat "$out/director.log" "$out/router.log")"
fi
if wait_for 10 sh -c "chroot '$root' birdc -s /run/bird/bird.ctl show bfd sessions | grep -q '198.19.0.1 .* Up'"; then
  ok "its BFD session with the router is Up"
else
  bad "BFD session Up" "$(dbirdc show bfd sessions 2>&1)"
fi
if wait_for 10 sh -c "birdc -s '$out/router.ctl' show route protocol director | grep -q '^198.18.0.100/32'" &&
   sleep 1 && [[ $(learnt | tr '\n' ' ') == "198.18.0.100/32 " ]]; then
  ok "the router learns 198.18.0.100/32 alone from lvs-vips' 198.18.0.100/32, 198.18.0.120/32 and 198.18.0.97/30"
else
  bad "the router learns the in-range VIP alone" "$(rbirdc show route all 2>&1)"
fi
noexport=$(dbirdc show route noexport uplink 2>&1)
if grep -q '^198.18.0.120/32' <<<"$noexport" && grep -q '^198.18.0.96/30' <<<"$noexport" &&
   ! grep -q '^198.18.0.100/32' <<<"$noexport"; then
  ok "the director's export filter refused 198.18.0.120/32 (outside the range) and 198.18.0.96/30 (not a host route)"
else
  bad "the export filter refused the out-of-range and non-host routes" "$noexport"
fi

ip -n "$dns" addr del 198.18.0.100/32 dev lvs-vips
t0=$SECONDS
if wait_for 10 sh -c "! birdc -s '$out/router.ctl' show route protocol director | grep -q '^198.18.0.100/32'"; then
  ok "198.18.0.100/32 taken off lvs-vips: the router's route is gone ($((SECONDS - t0)) s or less)"
else
  bad "the route leaves the router when the VIP leaves lvs-vips" "$(rbirdc show route all 2>&1)"
fi

# The service reads the socket as lvs-director; the role's drop-in adds group bird.
if chroot "$root" setpriv --reuid=lvs-director --regid=lvs-director --groups=bird \
     birdc -s /run/bird/bird.ctl show protocols >"$out/socket.log" 2>&1 && grep -q uplink "$out/socket.log"; then
  ok "BIRD's control socket answers lvs-director with group bird (the drop-in's SupplementaryGroups=bird)"
else
  bad "the control socket answers lvs-director in group bird" "$(ls -l "$root/run/bird"; cat "$out/socket.log")"
fi
if chroot "$root" setpriv --reuid=lvs-director --regid=lvs-director --clear-groups \
     birdc -s /run/bird/bird.ctl show protocols >"$out/socket-nogroup.log" 2>&1 && grep -q uplink "$out/socket-nogroup.log"; then
  bad "the control socket answered lvs-director without group bird (so the group proves nothing)" "$(ls -l "$root/run/bird")"
else
  ok "... and refuses it without group bird"
fi
exit "$failed"
