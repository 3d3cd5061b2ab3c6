#!/usr/bin/env bash
# failover-lab.sh DIR1_ROOT DIR2_ROOT — runs inside the lab kernel (lab/uml-run). The two roots are the
# directors the playbook was applied to (ansible/test.sh). In lab/topo.sh's namespaces dir1 and dir2 it
# runs what the roles installed, from those roots (chroot): the packaged lvs-director with the rendered
# config and token file, and keepalived with the rendered keepalived.conf, track script and notify hook.
# With the active-active files (VI_1 198.18.0.100 master on dir1, VI_2 198.18.0.101 master on dir2):
# checks that each director takes its own VIP and, told by the notify hook, its lvs-director runs master
# and backup sync daemons and reports role master on /v1/ha; and that once dir1's lvs-director stops,
# dir1 gives its VIP up (FAULT), dir2 holds both, and dir1 keeps only the backup sync daemon.
# Prints one "ok"/"FAIL" line per check; exit status 0 only when all passed.
set -uo pipefail
roots=("${1:?usage: failover-lab.sh DIR1_ROOT DIR2_ROOT}" "${2:?usage: failover-lab.sh DIR1_ROOT DIR2_ROOT}")
here=$(cd "$(dirname "$0")" && pwd)
topo=$(cd "$here/../.." && pwd)/lab/topo.sh
vip1=198.18.0.100 vip2=198.18.0.101
tmp=$(mktemp -d /tmp/lvsd-failover-lab.XXXXXX)
failed=0
pids=()

ok() { echo "   ok   lab: $*"; }
fail() { echo "   FAIL lab: $*"; failed=1; }
# vips NS: the VIPs NS holds on eth0, e.g. "100 101".
vips() { ip -n "$1" -4 -o addr show dev eth0 | grep -o ' inet 198\.18\.0\.10[01]/32' | sed 's#.*\.##; s#/32##' | sort | tr '\n' ' ' | sed 's/ $//'; }
vips_are() { [[ $(vips dir1) == "$1" && $(vips dir2) == "$2" ]]; }
daemons_are() { [[ $(daemons dir1) == "$1" && $(daemons dir2) == "$2" ]]; }
daemons() { ip netns exec "$1" ipvsadm -L --daemon 2>/dev/null | cut -d' ' -f1 | sort | tr '\n' ' '; }
# wait_for SECONDS CMD...: polls CMD every half second.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}
# api_args NS: curl's URL base (and CA file) for NS's API: https with the CA file the role gave the notify
# hook when the rendered config has TLS on (the active-active variant), else plain http.
api_args() {
  local root=${roots[${1#dir} - 1]}
  if grep -q 'type: https' "$root/etc/lvs-director/director.yml"; then
    echo "--cacert $root/etc/keepalived/lvs-director-ca.pem https://127.0.0.1:9440"
  else
    echo "http://127.0.0.1:9440"
  fi
}
# ha_role NS: the role lvs-director reports on GET /v1/ha (master | backup), with the read token.
ha_role() {
  local args
  read -ra args <<<"$(api_args "$1")"
  ip netns exec "$1" curl -fsS --max-time 3 -H "Authorization: Bearer lab-read-token-0123456789" \
    "${args[@]:0:${#args[@]}-1}" "${args[-1]}/v1/ha" 2>/dev/null |
    grep -o '"role" *: *"[a-z]*"' | grep -o '[a-z]*"$' | tr -d '"'
}
roles_are() { [[ "$(ha_role dir1) $(ha_role dir2)" == "$1 $2" ]]; }
healthy() { ip netns exec "$1" curl -fsS -o /dev/null --max-time 2 http://127.0.0.1:9441/healthcheck 2>/dev/null; }
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 1
  for root in "${roots[@]}"; do
    umount "$root/dev" "$root/proc" "$root/tmp" "$root/var/lib/lvs-director" "$root/run/lvs-director" 2>/dev/null
  done
  "$topo" down >/dev/null 2>&1
  [[ $failed == 0 ]] || tail -n 15 "$tmp"/*.log 2>/dev/null | sed 's/^/        /'
  rm -rf "$tmp"
}
trap cleanup EXIT
# start_service NS ROOT: the installed lvs-director as its unit runs it: the environment file read as root
# (systemd's EnvironmentFile=), then the service user with CAP_NET_ADMIN only (User=, AmbientCapabilities=),
# so the token file's owner check sees the user it expects. In the background; $! is its pid.
# The roots are on the lab kernel's hostfs, which creates every file as the host's root: a file the service
# user creates there is not its own (the state file's temp file could not be written). So its writable
# directories (StateDirectory=, RuntimeDirectory=, and /tmp for JNA's library) are tmpfs mounts owned by
# it, as systemd would make them; mounted once, so a restart finds the state it left.
start_service() {
  local root=$2 uid gid d
  uid=$(chroot "$root" id -u lvs-director) && gid=$(chroot "$root" id -g lvs-director) || return 1
  for d in /var/lib/lvs-director /run/lvs-director; do
    mkdir -p "$root$d"
    mountpoint -q "$root$d" || mount -t tmpfs -o "mode=0750,uid=$uid,gid=$gid" tmpfs "$root$d"
  done
  mountpoint -q "$root/tmp" || mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  ip netns exec "$1" chroot "$root" sh -c 'set -a; . /etc/lvs-director/environment; set +a
    exec setpriv --reuid=lvs-director --regid=lvs-director --init-groups --inh-caps=-all,+net_admin \
      --ambient-caps=-all,+net_admin --bounding-set=-all,+net_admin \
      /usr/bin/lvs-director server /etc/lvs-director/director.yml' >>"$tmp/service-$1.log" 2>&1 &
}

"$topo" up --directors 2 --realservers 1 --no-vip >"$tmp/topo.log" 2>&1 || { cat "$tmp/topo.log"; exit 1; }
for i in 1 2; do
  root=${roots[$((i - 1))]}
  # This kernel's /proc and /dev, not the ones the host mounted there.
  mount -t proc proc "$root/proc" && mount --bind /dev "$root/dev" || { fail "dir$i: mounts in $root"; exit 1; }
  start_service "dir$i" "$root"
  pids+=($!)
done
for i in 1 2; do
  wait_for 120 healthy "dir$i" && ok "dir$i: the installed lvs-director answers healthy on :9441/healthcheck" ||
    { fail "dir$i: lvs-director not healthy within 120 s"; exit 1; }
done
service1=${pids[0]}

for i in 1 2; do
  ip netns exec "dir$i" chroot "${roots[$((i - 1))]}" keepalived --dont-fork --log-console --log-detail \
    --use-file=/etc/keepalived/keepalived.conf >"$tmp/keepalived-dir$i.log" 2>&1 &
  pids+=($!)
done
# Generous: under load the lab kernel's curl can outlast the track script's 3 s timeout, and each
# failure restarts keepalived's rise count.
if wait_for 120 vips_are 100 101; then
  ok "keepalived: dir1 holds $vip1 (VI_1), dir2 holds $vip2 (VI_2)"
else
  fail "keepalived: want .100 on dir1 and .101 on dir2; dir1 holds '$(vips dir1)', dir2 '$(vips dir2)'"
fi
if wait_for 30 daemons_are "backup master " "backup master "; then
  ok "notify hook → lvs-director: each director, master of one instance, runs master and backup sync daemons"
else
  fail "notify hook → lvs-director: sync daemons dir1 '$(daemons dir1)', dir2 '$(daemons dir2)'"
fi
if wait_for 10 roles_are master master; then
  ok "GET /v1/ha: both directors report role master (each holds one VIP)"
else
  fail "GET /v1/ha: want master on both; dir1 '$(ha_role dir1)', dir2 '$(ha_role dir2)'"
fi

# dir1's service goes down: its track script fails, dir1 goes to FAULT and gives its VIP up.
kill "$service1"
if wait_for 60 vips_are "" "100 101"; then
  ok "failover: with dir1's lvs-director down, dir2 holds both VIPs and dir1 none"
else
  fail "failover: want both VIPs on dir2; dir1 holds '$(vips dir1)', dir2 '$(vips dir2)'"
fi
# dir1's daemons stay as they were: nobody is there to take the FAULT report (the hook retries, then
# gives up), and a master daemon on a director without the VIP has nothing to send.
if wait_for 30 daemons_are "backup master " "backup master " && [[ $(ha_role dir2) == master ]]; then
  ok "after failover: dir2 runs master and backup sync daemons and reports master on /v1/ha"
else
  fail "after failover: sync daemons dir1 '$(daemons dir1)', dir2 '$(daemons dir2)', dir2 role '$(ha_role dir2)'"
fi

# dir1's service comes back with the states it had persisted; keepalived's track script passes again,
# dir1 leaves FAULT, takes VI_1 back (priority 150, preempt) and reports it.
start_service dir1 "${roots[0]}"
pids+=($!)
if wait_for 120 vips_are 100 101 && wait_for 30 roles_are master master &&
  wait_for 30 daemons_are "backup master " "backup master "; then
  ok "failback: dir1's lvs-director back, dir1 holds $vip1 again and both report master with both daemons"
else
  fail "failback: dir1 holds '$(vips dir1)', dir2 '$(vips dir2)'; roles '$(ha_role dir1) $(ha_role dir2)'; daemons dir1 '$(daemons dir1)', dir2 '$(daemons dir2)'"
fi
exit "$failed"
