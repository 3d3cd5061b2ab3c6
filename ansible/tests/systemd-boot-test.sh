#!/bin/bash
# systemd-boot-test.sh net|test — runs inside the Debian root that tests/systemd-lab.sh boots under the lab
# kernel with systemd as PID 1 (the roles' active-active director dir1: the package, the config, the API
# over TLS, HA on, keepalived).
#   net   (lab-net.service, before keepalived and lvs-director): mounts the host's root at /host, builds
#         lab/topo.sh's DR segment there (br0, client, rs1, rs2 with nginx) and puts this system's eth0 on
#         it as 198.18.0.11.
#   test  (lab-test.service, after multi-user.target): the checks; prints "   ok   systemd: ..." or
#         "   FAIL systemd: ..." per check, then touches /lab/done.
. /lab/env
VIP=198.18.0.100
API=https://127.0.0.1:9440
CA=/etc/keepalived/lvs-director-ca.pem
TOKEN=lab-admin-token-0123456789
# The host's tools (nginx, wrk, the topology script) with this kernel's /proc, /sys, /dev and /run.
H() { chroot /host "$@"; }

net() {
  mkdir -p /host
  mountpoint -q /host || mount -t hostfs none /host -o / || exit 1
  exec >>"/host$LAB_OUT/net.log" 2>&1
  set -x
  for d in proc sys dev run; do
    mountpoint -q "/host/$d" || mount --rbind "/$d" "/host/$d" || exit 1
  done
  modprobe veth && modprobe bridge || exit 1
  H env LAB_INSIDE=1 bash "$LAB_REPO/lab/topo.sh" up --directors 0 --realservers 2 --no-vip || exit 1
  ip link add eth0 type veth peer name v-dir1 || exit 1
  ip link set v-dir1 master br0 up
  ip addr add 198.18.0.11/24 dev eth0
  ip link set eth0 up
  # What udev's 99-systemd.rules runs for a new interface (this minimal root has no udevd): eth0's keys
  # of sysctl.d, the role's accept_local among them (director_vip_checks).
  /lib/systemd/systemd-sysctl --prefix=/net/ipv4/conf/eth0 --prefix=/net/ipv4/neigh/eth0 \
    --prefix=/net/ipv6/conf/eth0 --prefix=/net/ipv6/neigh/eth0
  # DR: IPVS rewrites the MAC in LOCAL_IN; nothing is routed back through here.
  sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
}

failed=0
ok() { echo "   ok   systemd: $1"; }
bad() { failed=$((failed + 1)); echo "   FAIL systemd: $1"; [[ -n ${2:-} ]] && sed 's/^/        /' <<<"$2"; }
# wait_for SECONDS CMD...: polls CMD every 0.5 s until it succeeds or SECONDS have passed.
wait_for() {
  local end=$((SECONDS + $1)); shift
  while ((SECONDS < end)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  "$@" >/dev/null 2>&1
}
api() { curl -sS --cacert "$CA" -H "Authorization: Bearer $TOKEN" "$@"; }
healthy() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://127.0.0.1:9441/healthcheck) == 200 ]]; }
main_pid() { systemctl show -p MainPID --value lvs-director.service; }
# The table without its connection columns (services, real servers, forwarding, weights), and the web
# service's connection counter.
# The header's "(size=N)" is left out: newer kernels grow the connection table as it fills.
table() { ipvsadm -Ln | awk 'NR == 1 {sub(/ \(size=[0-9]+\)/, "")} $1 == "->" && $2 != "RemoteAddress:Port" {print $1, $2, $3, $4; next} {$1 = $1; print}'; }
conns() { ipvsadm -Ln --stats -t "$VIP:80" | awk -v s="$VIP:80" '$2 == s {print $3}'; }
# The role's track script as keepalived runs it (user keepalived_script); GRACE defaults to the role's.
track() { runuser -u keepalived_script -- /usr/local/libexec/lvs-director/vrrp-track "$@" 2>&1; }
has_vip() { ip -4 addr show dev eth0 | grep -q " $VIP/32 "; }
# sample OUT: every 0.5 s, "VIP VERDICT MESSAGE" (VIP 1 when on eth0, VERDICT the track script's exit).
sample() { while sleep 0.5; do has_vip && v=1 || v=0; m=$(track); echo "$v $? $m"; done >"$1"; }
journal() { journalctl -u lvs-director.service -n "${1:-30}" --no-pager -o cat 2>&1 | tail -n "${1:-30}"; }

test_() {
  # 1. The boot.
  if [[ $(cat /proc/1/comm) == systemd ]]; then ok "PID 1 is systemd ($(systemctl --version | head -1))"; else bad "PID 1 is $(cat /proc/1/comm)"; fi
  # (is-system-running would say "starting" until this very unit ends: it is part of the boot.)
  failed_units=$(systemctl --failed --no-legend --no-pager 2>&1)
  if [[ $(systemctl is-active multi-user.target) == active && -z $failed_units ]]; then
    ok "multi-user.target reached with no failed unit"
  else
    bad "multi-user.target reached with no failed unit" "$(systemctl is-active multi-user.target) $failed_units"
  fi
  if lsmod | grep -q '^ip_vs_wrr ' && [[ $(sysctl -n net.ipv4.vs.sync_threshold | tr -s '\t ' ' ') == "3 0" ]] &&
     [[ $(sysctl -n net.ipv4.vs.expire_nodest_conn) == 1 ]]; then
    ok "at boot: IPVS and its schedulers loaded (modules-load.d), the IPVS sysctls set (sysctl.d)"
  else
    bad "at boot: modules-load.d / sysctl.d not applied" "$(lsmod | grep ip_vs; sysctl net.ipv4.vs.sync_threshold 2>&1)"
  fi

  # 2. The service as systemd runs it: its user, its capabilities, its health; keepalived holds the VIP.
  if wait_for 90 healthy; then ok "lvs-director.service started at boot and /healthcheck answers 200"; else
    bad "lvs-director.service healthy within 90 s ($(systemctl is-active lvs-director.service))" "$(journal)"; fi
  pid=$(main_pid)
  caps=$(grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' "/proc/$pid/status" | tr -s '\t ' ' ')
  user=$(ps -o user= -p "$pid")
  want="CapInh: 0000000000001000
CapPrm: 0000000000001000
CapEff: 0000000000001000
CapBnd: 0000000000001000
CapAmb: 0000000000001000
NoNewPrivs: 1"
  if [[ $user == lvs-director && $caps == "$want" ]]; then
    ok "the JVM (PID $pid) runs as lvs-director with CAP_NET_ADMIN alone (effective, permitted, bounding, ambient) and no_new_privs"
  else
    bad "the JVM runs as lvs-director with only CAP_NET_ADMIN" "user=$user
$caps"
  fi
  if wait_for 30 sh -c "ip -4 addr show dev eth0 | grep -q ' $VIP/32 '"; then
    ok "keepalived.service holds the VIP $VIP on eth0 (MASTER; its peer dir2 is absent)"
  else
    bad "keepalived holds the VIP" "$(ip addr show dev eth0; journalctl -u keepalived -n 20 --no-pager -o cat)"
  fi

  # 3. A service through the API (over TLS), programmed into the kernel, serving through the VIP.
  code=$(api -o /tmp/put.out -w '%{http_code}' -X PUT -H 'Content-Type: application/json' "$API/v1/services/web" --data \
    '{"vip": "'$VIP'", "port": 80, "protocol": "tcp", "scheduler": "rr", "forwarding": "dr",
      "realServers": {"static": [{"address": "198.18.0.21", "port": 80, "weight": 1},
                                 {"address": "198.18.0.22", "port": 80, "weight": 1}]},
      "healthCheck": {"type": "http", "port": 8080, "path": "/ping", "intervalMs": 500, "timeoutMs": 500,
                      "rise": 1, "fall": 2}}')
  programmed() { table | grep -qx -- "-> 198.18.0.21:80 Route 1" && table | grep -qx -- "-> 198.18.0.22:80 Route 1"; }
  if [[ $code == 201 ]] && wait_for 20 programmed; then ok "PUT /v1/services/web (201) is programmed: ipvsadm -Ln shows rs1 and rs2, DR, weight 1"; else
    bad "PUT /v1/services/web programmed (HTTP $code)" "$(cat /tmp/put.out; table)"; fi
  answers=$(for _ in 1 2 3 4; do H ip netns exec client curl -s --max-time 3 "http://$VIP/"; done | sort | uniq -c | tr -s ' \n' ' ')
  if [[ $answers == *rs1* && $answers == *rs2* ]]; then ok "the client reaches rs1 and rs2 through the VIP ($answers)"; else
    bad "the client reaches both real servers through the VIP" "$answers"; fi

  # 3b. A check via the VIP on this VRRP master (keepalived holds the VIP on eth0): the nodes answer from
  #     the VIP, an address of this host, which needs the role's accept_local on eth0
  #     (director_vip_checks); with it set to 0 by hand both nodes fail. Deleted afterwards.
  al="$(sysctl -n net.ipv4.conf.eth0.accept_local) $(sysctl -n net.ipv4.conf.all.accept_local)"
  code=$(api -o /tmp/put-vip.out -w '%{http_code}' -X PUT -H 'Content-Type: application/json' "$API/v1/services/vipcheck" --data \
    '{"vip": "'$VIP'", "port": 8080, "protocol": "tcp", "scheduler": "rr", "forwarding": "dr",
      "realServers": {"static": [{"address": "198.18.0.21", "port": 8080}, {"address": "198.18.0.22", "port": 8080}]},
      "healthCheck": {"type": "http", "port": 8080, "path": "/ping", "intervalMs": 500, "timeoutMs": 500,
                      "rise": 1, "fall": 2, "via": "vip"}}')
  # vip_nodes STATE: both of vipcheck's nodes are in health STATE.
  vip_nodes() { [[ $(api "$API/v1/services/vipcheck" | grep -o "\"health\":\"$1\"" | wc -l) -eq 2 ]]; }
  if [[ $al == "1 0" && $code == 201 ]] && wait_for 30 vip_nodes healthy; then
    ok "a check via the VIP on the VIP holder: both nodes healthy (accept_local 1 on eth0 from the role's sysctl.d, 0 on all)"
  else
    bad "a check via the VIP passes on the VIP holder (accept_local eth0/all: $al, PUT $code)" "$(cat /tmp/put-vip.out; api "$API/v1/services/vipcheck")"
  fi
  sysctl -qw net.ipv4.conf.eth0.accept_local=0
  if wait_for 15 vip_nodes failed; then ok "... and with accept_local 0 on eth0 both fail"; else
    bad "with accept_local 0 the checks via the VIP fail" "$(api "$API/v1/services/vipcheck")"; fi
  sysctl -qw net.ipv4.conf.eth0.accept_local=1
  wait_for 15 vip_nodes healthy
  api -o /dev/null -X DELETE "$API/v1/services/vipcheck"
  wait_for 15 sh -c '! ipvsadm -Ln | grep -q -e FWM -e ":8080 "' || bad "vipcheck and its probe paths leave the table" "$(table)"

  # 4. kill -9: systemd restarts the service; the table and its counters are untouched. Meanwhile
  #    keepalived's track script (vrrp-track) sees a crash restart within its grace and the IPVS table
  #    still forwarding: the VIP stays on eth0 all along, and every sample of the script passes.
  # Some connections first, so that a service deleted and added again would show (its counter from 0).
  H ip netns exec client bash -c "for i in \$(seq 1 10); do curl -s -o /dev/null --max-time 5 http://$VIP/; done"
  wait_for 10 sh -c "[ \"\$(ipvsadm -Ln --stats -t $VIP:80 | awk '\$2 == \"$VIP:80\" {print \$3}')\" -ge 10 ]"
  sleep 3
  before=$(table) c0=$(conns) pid=$(main_pid) n0=$(systemctl show -p NRestarts --value lvs-director.service)
  ha_before=$(cat /run/lvs-director/ha.json 2>/dev/null)
  kill -KILL "$pid"
  sample /tmp/vip.samples &
  sampler=$!
  restarted() { [[ $(systemctl show -p NRestarts --value lvs-director.service) -gt $n0 ]] && [[ $(main_pid) != "$pid" ]] && healthy; }
  crash_start=$SECONDS
  if wait_for 90 restarted; then
    kill "$sampler"
    ok "kill -9 of the JVM (PID $pid): systemd restarted it (NRestarts $n0 -> $(systemctl show -p NRestarts --value lvs-director.service), PID $(main_pid)), healthy after $((SECONDS - crash_start)) s"
    vip_gone=$(grep -c '^0' /tmp/vip.samples) track_failed=$(grep -vc '^[01] 0 ' /tmp/vip.samples)
    if [[ $vip_gone -eq 0 && $track_failed -eq 0 && $(grep -c 'pass: lvs-director.service restarting' /tmp/vip.samples) -gt 0 ]]; then
      ok "kill -9: the track script passed in all $(wc -l </tmp/vip.samples) samples (0.5 s apart; 'restarting' until healthy) and keepalived kept the VIP on eth0 throughout"
    else
      bad "kill -9: the track script keeps passing and the VIP stays" "$vip_gone samples without the VIP, $track_failed failed verdicts:
$(grep -v '^1 0 ' /tmp/vip.samples | head -10)"
    fi
  else
    bad "kill -9: systemd restarts the service" "$(systemctl status lvs-director.service --no-pager 2>&1 | head -20)"
  fi
  kill "$sampler" 2>/dev/null
  sleep 3
  if [[ $(table) == "$before" && $(conns) == "$c0" && $c0 -ge 10 ]]; then
    ok "after the crash and restart the table is the same and its counters too ($c0 connections, no traffic since)"
  else
    bad "the table and its counters are untouched by the crash" "$(diff <(echo "$before") <(table)); conns $c0 -> $(conns)"
  fi
  # keepalived kept its states (no report while the service was down); what must hold is that the
  # restarted service knows them from its state file and keeps both sync daemons.
  ha_back() {
    ha=$(api "$API/v1/ha")
    grep -q '"role":"master"' <<<"$ha" && grep -q '"inStep":true' <<<"$ha" &&
      [[ $(ipvsadm -L --daemon | grep -c 'sync daemon') == 2 ]]
  }
  if [[ -n $ha_before && -s /run/lvs-director/ha.json ]] && wait_for 30 ha_back; then
    ok "after the crash /run/lvs-director/ha.json is there (RuntimeDirectoryPreserve=restart), /v1/ha says master, in step, master and backup sync daemons run"
  else
    bad "the HA state after the crash" "ha.json: $(cat /run/lvs-director/ha.json 2>&1 | tr -d ' \n')
$ha
$(ipvsadm -L --daemon)"
  fi


  # 5. systemctl restart under load: not one request lost; the kernel service is the same one (its
  #    counter goes on from where it was) and the table is unchanged. keepalived holds the VIP all along:
  #    its track script sees the restart (sampled every 0.5 s besides keepalived's own runs).
  H ip netns exec client bash -c "for i in \$(seq 1 30); do curl -s -o /dev/null --max-time 3 http://$VIP/; done"
  wait_for 10 sh -c "[ \"\$(ipvsadm -Ln --stats -t $VIP:80 | awk '\$2 == \"$VIP:80\" {print \$3}')\" -ge 30 ]"
  before=$(table)
  # Timeouts of 10 s: on these shared machines the lab kernel's processes can wait seconds for a CPU, and
  # a client that gives up then has not lost its request to the director.
  # The load runs from before the restart until 2 s after the service is healthy again (wrk prints its
  # figures on SIGINT; the curl loop stops at a flag file).
  rm -f /run/lab-load.stop
  H ip netns exec client wrk -t1 -c2 -d300s --timeout 10s "http://$VIP/" >/tmp/wrk.out 2>&1 &
  wrk_pid=$!
  H ip netns exec client bash -c "while [ ! -e /run/lab-load.stop ]; do
      curl -s -o /dev/null -w '%{http_code} %{time_total} '\$(date +%s.%N)'\n' --max-time 10 http://$VIP/; done" >/tmp/curl.out 2>&1 &
  curl_pid=$!
  sleep 3
  old_pid=$(main_pid)
  c0=$(conns) l0=$(wc -l </tmp/curl.out)
  sample /tmp/restart.samples &
  sampler=$!
  restart_start=$(date +%s%N)
  systemctl restart lvs-director.service
  wait_for 60 healthy
  restart_end=$(date +%s%N)
  restart_ms=$(((restart_end - restart_start) / 1000000))
  new_pid=$(main_pid)
  sleep 2
  touch /run/lab-load.stop
  pkill -INT -x wrk
  kill "$sampler"
  wait "$wrk_pid" "$curl_pid"
  l1=$(wc -l </tmp/curl.out)
  curl_total=$l1 curl_bad=$(grep -vc '^200 ' /tmp/curl.out)
  # New connections opened while the service was down or starting (between restart and healthy).
  during=$(awk -v a="${restart_start:0:10}.${restart_start:10}" -v b="${restart_end:0:10}.${restart_end:10}" \
    '$3 <= b && $3 + $2 >= a' /tmp/curl.out | wc -l)
  wrk_requests=$(awk '/requests in/ {print $1}' /tmp/wrk.out)
  if [[ $new_pid != "$old_pid" && $curl_bad -eq 0 && $curl_total -gt 0 && -n $wrk_requests ]] &&
     ! grep -qE 'Socket errors|Non-2xx' /tmp/wrk.out; then
    ok "systemctl restart (PID $old_pid -> $new_pid, healthy again in ${restart_ms} ms) under load: 0 of $curl_total new connections ($during of them while it restarted) and 0 of $wrk_requests keep-alive requests (wrk -c2) failed"
  else
    bad "systemctl restart under load loses no request" "pids $old_pid -> $new_pid; restart $restart_start..$restart_end; curl: $curl_bad of $curl_total failed (code, seconds, start):
$(cat /tmp/curl.out)
$(cat /tmp/wrk.out)"
  fi
  vip_gone=$(grep -c '^0' /tmp/restart.samples) track_failed=$(grep -vc '^[01] 0 ' /tmp/restart.samples)
  if [[ $vip_gone -eq 0 && $track_failed -eq 0 && $(grep -c 'pass: lvs-director.service restarting' /tmp/restart.samples) -gt 0 ]]; then
    ok "systemctl restart: the track script passed in all $(wc -l </tmp/restart.samples) samples ($(grep -c 'restarting' /tmp/restart.samples) of them 'restarting') and keepalived kept the VIP on eth0 throughout"
  else
    bad "systemctl restart: the track script keeps passing and the VIP stays" "$vip_gone samples without the VIP, $track_failed failed verdicts:
$(grep -v '^1 0 ' /tmp/restart.samples | head -10)"
  fi
  if [[ $(table) == "$before" ]]; then ok "the restart left the table unchanged (services, real servers, weights)"; else
    bad "the restart left the table unchanged" "$(diff <(echo "$before") <(table))"; fi
  # Each curl after the restart began is a new connection: a service deleted and added again would count
  # from 0, not from c0.
  want_c=$((c0 + $(tail -n +$((l0 + 1)) /tmp/curl.out | grep -c '^200 ')))
  if wait_for 10 sh -c "[ \$(ipvsadm -Ln --stats -t $VIP:80 | awk '\$2 == \"$VIP:80\" {print \$3}') -ge $want_c ]"; then
    ok "the kernel service's connection counter went on across the restart ($c0 before, $(conns) after >= $c0 + $((l1 - l0)) new)"
  else
    bad "the connection counter went on across the restart" "before $c0, new connections since $((l1 - l0)), now $(conns)"
  fi

  # 6. The sandbox as systemd rates it.
  systemd-analyze security --no-pager lvs-director.service >"/host$LAB_OUT/security.txt" 2>&1
  exposure=$(sed -nE 's/.*Overall exposure level for lvs-director.service: ([0-9.]+) ([A-Z]+).*/\1 \2/p' "/host$LAB_OUT/security.txt")
  if [[ -n $exposure ]]; then ok "systemd-analyze security lvs-director.service: exposure $exposure"; else
    bad "systemd-analyze security lvs-director.service" "$(tail -5 "/host$LAB_OUT/security.txt")"; fi

  # 7. The track script's failures. A stop is a withdrawal: the very next run fails, and keepalived gives
  #    the VIP up (FAULT) after its fall of 2 runs 2 s apart.
  systemctl stop lvs-director.service
  verdict=$(track); rc=$?
  if [[ $rc -ne 0 && $verdict == *"not restarting"* ]] && wait_for 15 sh -c "! ip -4 addr show dev eth0 | grep -q ' $VIP/32 '"; then
    ok "systemctl stop: the next track script run fails ($verdict) and keepalived takes the VIP off eth0"
  else
    bad "systemctl stop: the track script fails at once, the VIP goes" "exit $rc: $verdict
$(ip -4 addr show dev eth0)"
  fi
  # A crash loop (a drop-in whose ExecStart exits 1; Restart=on-failure restarts it every 5 s): the
  # script gives it the grace (8 s here) from the first crash, then fails, and the crashes that follow do
  # not start the grace again.
  mkdir -p /run/systemd/system/lvs-director.service.d
  printf '[Service]\nExecStart=\nExecStart=/bin/false\n' >/run/systemd/system/lvs-director.service.d/lab-crash.conf
  systemctl daemon-reload
  systemctl start lvs-director.service
  loop_start=$SECONDS
  (while sleep 0.5; do m=$(track 8); echo "$((SECONDS - loop_start)) $? $m"; done) >/tmp/loop.samples &
  sampler=$!
  sleep 20
  kill "$sampler"
  loop_restarts=$(systemctl show -p NRestarts --value lvs-director.service)
  first_fail=$(awk '$2 != 0 && /past the 8 s grace/ {print $1; exit}' /tmp/loop.samples)
  # Before and after the first failure in the samples' order: a pass and the first failure can fall in the
  # same second of the sampler's clock.
  passed_before=$(awk '$2 != 0 && /past the 8 s grace/ {exit} $2 == 0 && /restarting/ {n++} END {print n + 0}' /tmp/loop.samples)
  passed_after=$(awk 'failed && $2 == 0 {n++} $2 != 0 && /past the 8 s grace/ {failed = 1} END {print n + 0}' /tmp/loop.samples)
  if [[ -n $first_fail && $first_fail -le 16 && $passed_before -gt 0 && $passed_after -eq 0 && $loop_restarts -ge 2 ]]; then
    ok "a crash loop (NRestarts $loop_restarts in 20 s): the track script passed while restarting, failed past its 8 s grace from ${first_fail} s on and kept failing"
  else
    bad "a crash loop: grace, then failure" "NRestarts $loop_restarts, first failure past the grace at ${first_fail:-never}:
$(head -45 /tmp/loop.samples)"
  fi
  rm -f /run/systemd/system/lvs-director.service.d/lab-crash.conf
  systemctl daemon-reload
  systemctl stop lvs-director.service
  systemctl reset-failed lvs-director.service 2>/dev/null
  journalctl -u lvs-director.service --no-pager -o short-monotonic >"/host$LAB_OUT/journal.txt" 2>&1
  # keepalived's view of the track script (each FAULT and why: a failure or a timeout).
  journalctl -u keepalived.service --no-pager -o short-monotonic >"/host$LAB_OUT/keepalived-journal.txt" 2>&1
}

case ${1:-} in
  net) net ;;
  test)
    exec >>"/host$LAB_OUT/output" 2>&1
    test_
    touch "/host$LAB_OUT/done"
    ;;
  *) echo "usage: $0 net|test" >&2; exit 2 ;;
esac
