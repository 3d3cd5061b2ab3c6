#!/usr/bin/env bash
# The demo, inside the lab kernel (lab/demo.sh boots it): the lvs-director service programs IPVS on a
# director, health-checks three nginx real servers, and keeps traffic flowing while one dies.
set -euo pipefail
lab=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$lab")
T="$lab/topo.sh"
VIP=198.18.0.100
say() { printf '\n==> %s\n' "$*"; }
indent() { sed 's/^/   /'; }

work=$(mktemp -d /tmp/lvsd-demo.XXXXXX)
token=demo-admin-token-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
director_pid=
finish() {
  [[ -n $director_pid ]] && kill "$director_pid" 2>/dev/null && wait "$director_pid" 2>/dev/null || true
  "$T" down || true
  rm -rf "$work"
}
trap finish EXIT

api() { # METHOD PATH [JSON]
  local args=(-s --max-time 10 -X "$1" -H "Authorization: Bearer $token")
  [[ $# -ge 3 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
  "$T" exec dir1 curl "${args[@]}" "http://127.0.0.1:9440$2"
}
requests() { # N: N fresh connections from the client through the VIP; who answered
  for _ in $(seq 1 "$1"); do "$T" exec client curl -s --max-time 2 "http://$VIP/" || echo "(failed)"; done \
    | sort | uniq -c | awk '{printf "   %-8s answered %d\n", $2, $1}'
}
table() { "$T" exec dir1 ipvsadm -Ln | tail -n +4 | indent; }
wait_for() { # SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds; print how long it took
  local limit=$1 what=$2; shift 2
  local start=$(date +%s%N)
  until "$@" >/dev/null 2>&1; do
    if (( ($(date +%s%N) - start) / 1000000000 >= limit )); then echo "   (not within ${limit} s: $what)"; return 1; fi
    sleep 0.05
  done
  echo "   $what after $(( ($(date +%s%N) - start) / 1000000 )) ms"
}
has_rs() { "$T" exec dir1 ipvsadm -Ln -t $VIP:80 | grep -q "$1:80"; }
weight_of() { "$T" exec dir1 ipvsadm -Ln -t $VIP:80 | awk -v a="$1:80" '$2==a {print $4}'; }

say "1. A small network, all inside this kernel: one client, one director, three web servers."
"$T" up --directors 1 --realservers 3
cat <<TXT
   client   198.18.0.2      sends requests to the VIP
   dir1     198.18.0.11     the director: holds the VIP $VIP, runs IPVS and lvs-director
   rs1..rs3 198.18.0.21-23  nginx real servers (stand-ins for Traefik nodes: :80 serves, :8080/ping is
                            the health check). Each also holds the VIP on its loopback without answering
                            ARP for it, so packets for the VIP reach the director first.
TXT

say "2. Start lvs-director on the director (REST API on :9440; the kernel table starts empty)."
printf 'admin demo %s\n' "$token" > "$work/tokens"
chmod 600 "$work/tokens"
cat > "$work/director.yml" <<YML
state:
  file: $work/state.json
  createIfMissing: true
kernel:
  resyncInterval: 3s
auth:
  tokenFile: $work/tokens
server:
  applicationConnectors: [{type: http, bindHost: 127.0.0.1, port: 9440}]
  adminConnectors: [{type: http, bindHost: 127.0.0.1, port: 9441}]
  requestLog: {appenders: []}
logging:
  level: WARN
  loggers: {io.lvsdirector.changes: INFO}
  appenders: [{type: file, currentLogFilename: $work/director.log, archive: false}]
YML
"$root/api/bin/lvs-director" check "$work/director.yml" | indent
ip netns exec dir1 "$root/api/bin/lvs-director" server "$work/director.yml" >"$work/server.out" 2>&1 &
director_pid=$!
wait_for 120 "lvs-director answered its health check" \
  "$T" exec dir1 curl -sf --max-time 1 http://127.0.0.1:9441/healthcheck \
  || { tail -20 "$work/server.out" "$work/director.log" >&2; exit 1; }

say "3. One API call describes the service: VIP $VIP:80, round robin, direct routing, three real servers,"
echo "   health-checked with GET /ping on :8080 every second (generous for this slow lab kernel; the default is 100 ms)."
web='{"vip": "198.18.0.100", "port": 80, "protocol": "tcp", "scheduler": "rr", "forwarding": "dr",
  "realServers": {"static": [{"address": "198.18.0.21", "port": 80, "weight": 1},
                             {"address": "198.18.0.22", "port": 80, "weight": 1},
                             {"address": "198.18.0.23", "port": 80, "weight": 1}]},
  "healthCheck": {"type": "http", "port": 8080, "path": "/ping", "intervalMs": 1000, "timeoutMs": 900,
                  "rise": 2, "fall": 2}}'
code=$("$T" exec dir1 curl -s --max-time 10 -o "$work/put.out" -w '%{http_code}' -X PUT -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' --data-binary "$web" http://127.0.0.1:9440/v1/services/web)
echo "   PUT /v1/services/web -> HTTP $code (and without the token: HTTP $("$T" exec dir1 curl -s -o /dev/null \
  -w '%{http_code}' -X PUT -H 'Content-Type: application/json' --data-binary "$web" \
  http://127.0.0.1:9440/v1/services/web))"
[[ $code == 20? ]] || { echo "   the director refused the service: $(cat "$work/put.out")"; exit 1; }
wait_for 10 "all three real servers in the kernel table" has_rs 198.18.0.23
echo "   The director wrote this IPVS table itself, over netlink (ipvsadm -Ln shows it):"
table

say "4. The client sends 12 requests through the VIP (a new connection each):"
requests 12

say "5. rs2's nginx dies. Nobody touches the director; its health probes notice."
"$T" rs-stop 2
wait_for 10 "rs2 was taken out of the kernel table" bash -c "! $(declare -f has_rs); T=$T VIP=$VIP; ! has_rs 198.18.0.22" || true
echo "   12 more requests:"
requests 12

say "6. rs3 starts draining (its /ping answers 503, as Traefik does while it shuts down)."
"$T" rs-ping 3 503
wait_for 10 "rs3 is at weight 0: no new connections, existing ones may finish" \
  bash -c "$(declare -f weight_of); T=$T VIP=$VIP; [[ \$(weight_of 198.18.0.23) == 0 ]] || ! $(declare -f has_rs); ! has_rs 198.18.0.23" || true
table
echo "   12 more requests:"
requests 12

say "7. rs2 comes back and rs3 is healthy again: both return after 2 good probes."
"$T" rs-start 2
"$T" rs-ping 3 200
wait_for 10 "rs2 and rs3 back in rotation" bash -c "$(declare -f has_rs); T=$T VIP=$VIP; has_rs 198.18.0.22 && has_rs 198.18.0.23"
requests 12

sleep 2.2   # the kernel folds its per-CPU counters into what ipvsadm reads every 2 s
say "8. The director's counters (ipvsadm -Ln --stats):"
"$T" exec dir1 ipvsadm -Ln --stats --exact | tail -n +3 | indent
out=$("$T" exec dir1 ipvsadm -Ln --stats --exact | awk -v v="$VIP:80" '$2==v {print $5}')
cat <<TXT
   InPkts counts the client's packets that came through the director. OutPkts is ${out:-?}: the answers went
   from the real servers straight back to the client, never through the director. That is direct routing.
TXT

say "9. Someone runs 'ipvsadm -C' by hand and wipes the table. The director repairs it at its next resync."
"$T" exec dir1 ipvsadm -C
wait_for 10 "the table was restored" has_rs 198.18.0.21
table

say "10. What the director reports (GET /v1/services/web, status part):"
api GET /v1/services/web | sed 's/.*"status"://' | tr '{' '\n' | grep '"address"' \
  | sed -E 's/.*"address":"([^"]*)".*"desiredWeight":([^,]*).*"kernelWeight":([^,]*).*"health":"([^"]*)".*"reason":"([^"]*)".*/\1  desired weight \2, kernel weight \3, \4 (\5)/' | indent
cat <<TXT


What changed in the kernel, from the director's change log:
TXT
grep -h "event=" "$work/director.log" | grep -v "^\s*$" | sed -E 's/^[A-Z]+ +\[[^]]*\] [^ ]+: //' | cut -c1-200 | indent | head -30
