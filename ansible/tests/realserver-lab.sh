#!/usr/bin/env bash
# realserver-lab.sh RS_ROOT DIR_ROOT — runs inside the lab kernel (lab/uml-run). RS_ROOT is a Debian root
# the realserver role was applied to, DIR_ROOT one the director and keepalived_vip roles were applied to
# (ansible/test.sh makes both). Checks, in lab/topo.sh's namespaces:
#   - a real server that holds the VIP without the role's settings answers ARP for it (the probe below
#     can see ARP answers at all);
#   - rs1, prepared as a booted node would be (systemd-sysctl reads the role's sysctl.d file, then the
#     role's unit runs its script with the role's vips.conf), rs2, prepared by the DaemonSet's copy of
#     the script under busybox sh and busybox ip, and rs3, the role's script with a dummy interface, do
#     not answer ARP for either VIP;
#   - with the VIPs on the director (IPVS, rr, -g), curl through each VIP reaches both rs1 and rs2, the
#     client learns the director's MAC for the VIP, and the director sent no packet back (DR);
#   - the role's VRRP notify hook in ipvsadm mode, run in the director namespace, starts a master and a backup sync
#     daemon on MASTER and keeps only the backup on BACKUP.
# Prints one "ok"/"FAIL" line per check; exit status 0 only when all passed.
set -uo pipefail
rs_root=${1:?usage: realserver-lab.sh RS_ROOT DIR_ROOT}
dir_root=${2:?usage: realserver-lab.sh RS_ROOT DIR_ROOT}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
topo=$repo/lab/topo.sh
vip=198.18.0.100 vip2=198.18.0.101
script=$rs_root/usr/local/sbin/lvs-realserver-vips
conf=$rs_root/etc/lvs-realserver/vips.conf
sysctl_file=$rs_root/etc/sysctl.d/90-lvs-realserver.conf
# The hook rendered with keepalived_vip_sync_daemon: ipvsadm (ansible/test.sh); the roots carry the
# service-mode one, which failover-lab.sh runs through keepalived.
notify=$dir_root/tmp/vrrp-notify-ipvsadm
tmp=$(mktemp -d /tmp/lvsd-rs-lab.XXXXXX)
failed=0

ok() { echo "   ok   lab: $*"; }
fail() { echo "   FAIL lab: $*"; failed=1; }
mac() { ip -n "$1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2; }
# The MAC the client learned for ADDRESS after trying to reach it (empty when nobody answered ARP).
arp_answer() {
  ip -n client neigh flush dev eth0 >/dev/null 2>&1
  ip netns exec client curl -s -o /dev/null --max-time 1 "http://$1/" >/dev/null 2>&1
  ip -n client neigh show "$1" dev eth0 | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2
}
cleanup() { "$topo" down >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT

"$topo" up --directors 1 --realservers 3 --no-vip >"$tmp/topo.log" 2>&1 || { cat "$tmp/topo.log"; exit 1; }

# topo.sh makes its real servers DR-ready itself; undo that, so the role's files alone do it here.
for i in 1 2 3; do
  ip -n "rs$i" addr del "$vip/32" dev lo 2>/dev/null
  ip -n "rs$i" addr del "$vip2/32" dev lo 2>/dev/null
  for c in all lo eth0; do
    ip netns exec "rs$i" sysctl -qw "net.ipv4.conf.$c.arp_ignore=0" "net.ipv4.conf.$c.arp_announce=0"
  done
done

# Negative control: rs3 holds the VIP with the kernel's ARP defaults and answers ARP for it.
ip -n rs3 addr add "$vip/32" dev lo
answer=$(arp_answer "$vip")
if [[ -n $answer && $answer == "$(mac rs3)" ]]; then
  ok "control: rs3 with the VIP on lo and default ARP settings answers ARP for it ($answer)"
else
  fail "control: rs3 with default ARP settings should answer ARP for the VIP (learned '$answer')"
fi
ip -n rs3 addr del "$vip/32" dev lo

# rs1: what a booted node does: systemd-sysctl reads the role's sysctl.d file, then the role's unit runs
# `lvs-realserver-vips up` with the role's vips.conf.
ip netns exec rs1 sysctl -q -p "$sysctl_file" &&
  LVS_REALSERVER_STATE=$tmp/rs1.applied ip netns exec rs1 sh "$script" -c "$conf" up >"$tmp/rs1.log" 2>&1 ||
  { fail "rs1: the role's sysctl file and script failed: $(cat "$tmp/rs1.log")"; }
# rs2: the DaemonSet's container: its ConfigMap's script and config under busybox sh and busybox ip.
mkdir -p "$tmp/bin" "$tmp/cm"
ln -s "$(command -v busybox)" "$tmp/bin/ip"
python3 - "$here/../kubernetes/lvs-realserver-daemonset.yaml" "$tmp/cm" "$vip $vip2" <<'PY'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
data = docs[1]["data"]
open(sys.argv[2] + "/lvs-realserver-vips", "w").write(data["lvs-realserver-vips"])
# The manifest's example VIP is the seeds'; the lab's are 198.18.0.100 and .101.
conf = "\n".join('VIPS="%s"' % sys.argv[3] if l.startswith("VIPS=") else l for l in data["vips.conf"].splitlines())
open(sys.argv[2] + "/vips.conf", "w").write(conf + "\n")
PY
ip netns exec rs2 env PATH="$tmp/bin:$PATH" LVS_REALSERVER_STATE="$tmp/rs2.applied" \
  busybox sh "$tmp/cm/lvs-realserver-vips" -c "$tmp/cm/vips.conf" up >"$tmp/rs2.log" 2>&1 ||
  fail "rs2: the DaemonSet's script under busybox failed: $(cat "$tmp/rs2.log")"

for i in 1 2; do
  for a in "$vip" "$vip2"; do
    if ip -n "rs$i" -4 -o addr show dev lo | grep " inet $a/32 " >/dev/null; then
      ok "rs$i holds $a/32 on lo"
    else
      fail "rs$i does not hold $a/32 on lo"
    fi
  done
  for key in all.arp_ignore=1 all.arp_announce=2 all.rp_filter=2 lo.arp_ignore=1 lo.arp_announce=2; do
    got=$(ip netns exec "rs$i" sysctl -n "net.ipv4.conf.${key%=*}")
    [[ $got == "${key#*=}" ]] || fail "rs$i: net.ipv4.conf.${key%=*} is $got, want ${key#*=}"
  done
done
LVS_REALSERVER_STATE=$tmp/rs1.applied ip netns exec rs1 sh "$script" -c "$conf" status >/dev/null &&
  ok "rs1: lvs-realserver-vips status says all is in place" || fail "rs1: lvs-realserver-vips status"
# A second `up` changes nothing (the unit may run again, the DaemonSet re-runs it every 30 s).
out=$(LVS_REALSERVER_STATE=$tmp/rs1.applied ip netns exec rs1 sh "$script" -c "$conf" up 2>&1)
[[ -z $out ]] && ok "rs1: a second 'up' is a no-op" || fail "rs1: a second 'up' did something: $out"

# rs3: the same script with a dummy interface instead of lo (realserver_vip_interface: lvs0).
sed 's/^VIP_INTERFACE=.*/VIP_INTERFACE=lvs0/' "$conf" >"$tmp/rs3.conf"
LVS_REALSERVER_STATE=$tmp/rs3.applied ip netns exec rs3 sh "$script" -c "$tmp/rs3.conf" up >"$tmp/rs3.log" 2>&1 ||
  fail "rs3: the script with a dummy interface failed: $(cat "$tmp/rs3.log")"
held=$(ip -n rs3 -4 -o addr show dev lvs0 2>/dev/null | grep -c " inet 198\.18\.0\.10[01]/32 ")
[[ $held == 2 ]] && ok "rs3 holds both VIPs on the dummy interface lvs0 it created" ||
  fail "rs3 holds $held of the 2 VIPs on lvs0"

for a in "$vip" "$vip2"; do
  answer=$(arp_answer "$a")
  [[ -z $answer ]] && ok "nobody answers ARP for $a while only rs1, rs2 (lo) and rs3 (lvs0) hold it" ||
    fail "someone answered ARP for $a ($answer; rs1 $(mac rs1), rs2 $(mac rs2))"
done

# The director takes both VIPs and an IPVS DR service on each.
"$topo" vip-add dir1 "$vip"; "$topo" vip-add dir1 "$vip2"
for a in "$vip" "$vip2"; do
  ip netns exec dir1 ipvsadm -A -t "$a:80" -s rr
  ip netns exec dir1 ipvsadm -a -t "$a:80" -r 198.18.0.21:80 -g
  ip netns exec dir1 ipvsadm -a -t "$a:80" -r 198.18.0.22:80 -g
  seen=""
  for _ in 1 2 3 4 5 6; do
    seen+=" $(ip netns exec client curl -s --max-time 3 "http://$a/" || echo none)"
  done
  if [[ $seen == *rs1* && $seen == *rs2* && $seen != *none* ]]; then
    ok "curl http://$a/ through the director reaches rs1 and rs2:$seen"
  else
    fail "curl http://$a/ through the director:$seen"
  fi
  answer=$(ip -n client neigh show "$a" dev eth0 | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2)
  [[ $answer == "$(mac dir1)" ]] && ok "the client's ARP entry for $a is the director's ($answer)" ||
    fail "the client's ARP entry for $a is '$answer', the director's is $(mac dir1)"
done
# Replies went straight from the real servers: the director forwarded packets in, none out. IPVS folds
# its counters every 2 s, so wait for the in-packets to show.
for _ in $(seq 1 10); do
  stats=$(ip netns exec dir1 ipvsadm -Ln --stats --exact -t "$vip:80" | awk '$1 == "TCP" {print $4, $5}')
  [[ ${stats%% *} -gt 0 ]] && break
  sleep 1
done
if [[ ${stats%% *} -gt 0 && ${stats##* } -eq 0 ]]; then
  ok "DR: the director forwarded ${stats%% *} packets in and sent 0 out for $vip:80"
else
  fail "DR: director InPkts/OutPkts for $vip:80 are '$stats' (want >0 and 0)"
fi

# The VRRP notify hook drives the sync daemon (keepalived_vip_sync_daemon: ipvsadm).
export LVS_VRRP_STATE_DIR=$tmp/vrrp
ip netns exec dir1 sh "$notify" INSTANCE VI_1 MASTER 150 2>/dev/null
daemons=$(ip netns exec dir1 ipvsadm -L --daemon)
[[ $daemons == *"master sync daemon"*"syncid=1"* && $daemons == *"backup sync daemon"* ]] &&
  ok "notify MASTER: master and backup sync daemons run: $(echo $daemons)" ||
  fail "notify MASTER: want master and backup sync daemons, ipvsadm says: $daemons"
ip netns exec dir1 sh "$notify" INSTANCE VI_1 BACKUP 100 2>/dev/null
daemons=$(ip netns exec dir1 ipvsadm -L --daemon)
[[ $daemons != *"master sync daemon"* && $daemons == *"backup sync daemon"* ]] &&
  ok "notify BACKUP: only the backup sync daemon runs: $(echo $daemons)" ||
  fail "notify BACKUP: want only a backup sync daemon, ipvsadm says: $daemons"

exit "$failed"
