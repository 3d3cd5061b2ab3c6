#!/usr/bin/env bash
# The demo, inside the lab kernel (lab/demo.sh boots it).
set -euo pipefail
T="$(dirname "$0")/topo.sh"
VIP=198.18.0.100
say() { printf '\n==> %s\n' "$*"; }

say "1. A small network, all inside this kernel: one client, one director, three web servers."
"$T" up --directors 1 --realservers 3
cat <<TXT
   client   198.18.0.2     sends requests to the VIP
   dir1     198.18.0.11    the director: holds the VIP $VIP and runs IPVS
   rs1..rs3 198.18.0.21-23 nginx real servers (stand-ins for Traefik nodes); each also has the VIP on
                           its loopback and never answers ARP for it, so only the director owns it
TXT

say "2. The director gets a direct-routing (DR) virtual service: $VIP:80, round robin, three real servers."
"$T" exec dir1 ipvsadm -A -t $VIP:80 -s rr
for i in 1 2 3; do "$T" exec dir1 ipvsadm -a -t $VIP:80 -r 198.18.0.2$i:80 -g -w 1; done
"$T" exec dir1 ipvsadm -Ln | sed 's/^/   /'

say "3. The client sends 12 requests to http://$VIP/ (a new connection each); who answered:"
for n in $(seq 1 12); do "$T" exec client curl -s --max-time 2 http://$VIP/ || echo "(failed)"; done \
  | sort | uniq -c | awk '{printf "   %-4s answered %d requests\n", $2, $1}'

say "4. Take rs2 out (its nginx stopped) and remove it from the service; 6 more requests:"
"$T" rs-stop 2
"$T" exec dir1 ipvsadm -d -t $VIP:80 -r 198.18.0.22:80
for n in $(seq 1 6); do "$T" exec client curl -s --max-time 2 http://$VIP/ || echo "(failed)"; done \
  | sort | uniq -c | awk '{printf "   %-4s answered %d requests\n", $2, $1}'

sleep 2.2   # the kernel folds its per-CPU counters every 2 s
say "5. The director's counters (ipvsadm -Ln --stats):"
"$T" exec dir1 ipvsadm -Ln --stats --exact | sed 's/^/   /'
out=$("$T" exec dir1 ipvsadm -Ln --stats --exact | awk -v v="$VIP:80" '$2==v {print $5}')
cat <<TXT

   InPkts counts the client's packets that came through the director. OutPkts is $out: the answers went
   from the real servers straight back to the client, never through the director. That is direct
   routing, and why one director can front a lot of traffic.
TXT
"$T" down
