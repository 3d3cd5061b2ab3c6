#!/usr/bin/env bash
# ansible/test.sh — tests the roles for real, not only their syntax:
#   1. ansible-lint (production profile) and ansible-playbook --syntax-check on both example inventories;
#      the DaemonSet carries the role's script; promtool accepts the Prometheus scrape config;
#   2. the playbook applied twice to throwaway Debian 12 roots (debootstrap, chroot connection): two
#      directors (the director role installs packaging/deb's package) and one Traefik node; the second run must report changed=0 everywhere;
#   3. in those roots: keepalived -t accepts the rendered keepalived.conf, systemd-analyze verify the
#      rendered units, the service's own `check` the rendered config; each checker is also shown a
#      broken copy and must reject it (so a pass means something); files, owners and modes;
#   4. the ECMP variant (BIRD 2, no keepalived) applied to a fourth root: its files, and its BIRD
#      run as bird.service runs it against a router BIRD in network namespaces here (tests/ecmp-bird.sh):
#      only in-range host routes reach the router;
#   5. the active-active variant (two VIPs) applied over the same roots, its configs checked the same way;
#   6. inside the lab kernel (lab/uml-run): Traefik-node namespaces prepared with the files the role
#      rendered serve the VIP through an IPVS DR director and do not answer ARP for it, and the
#      DaemonSet's copy of the script does the same under busybox (tests/realserver-lab.sh); the two
#      directors run the installed lvs-director and keepalived (active-active files) from their roots:
#      each holds its VIP, and dir2 takes both when dir1's lvs-director stops, the notify hook keeping
#      the sync daemons in step (tests/failover-lab.sh);
#   7. dir1's root booted by the lab kernel with systemd as PID 1 (tests/systemd-lab.sh): the service as
#      its unit runs it (CAP_NET_ADMIN alone), start/stop/restart under load/kill -9 against the kernel
#      table, systemd-analyze security.
# Nothing starts from the roots on this machine: the roles start services only on a target booted with
# systemd, and the roots carry a policy-rc.d that refuses every start. Only the lab kernel runs the
# installed services from them, in its own network namespaces.
# Exit status 0 only when every check passed; the last line counts them.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cache=${LVSD_ANSIBLE_CACHE:-/var/cache/lvsd-ansible-test}
work=$here/tests/work
export ANSIBLE_CONFIG=$here/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0
# Pipelining: one chroot+python per task instead of four commands; profile_tasks: each task's time in the logs.
export ANSIBLE_PIPELINING=1 ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks
start=$(date +%s)
passed=0 failed=0 failures=()

say() { echo "== ansible [$(( $(date +%s) - start ))s]: $*"; }
ok() { passed=$((passed + 1)); echo "   ok   $1"; }
bad() { failed=$((failed + 1)); failures+=("$1"); echo "   FAIL $1"; [[ -n ${2:-} && -s $2 ]] && tail -n 40 "$2" | sed 's/^/        /'; }
# relay NAME LOG STATUS WHAT [indent-others-on-failure]: a sub-script's "   ok   NAME: ..." and
# "   FAIL NAME: ..." lines count as checks here; its other lines are echoed (with the fifth argument, only
# when it failed, indented). A failed script that printed no FAIL line is a failure of its own.
relay() {
  local name=$1 log=$2 status=$3 what=$4 quiet=${5:-} line
  while IFS= read -r line; do
    case $line in
      "   ok   $name: "*) ok "${line#"   ok   "}" ;;
      "   FAIL $name: "*) bad "${line#"   FAIL "}" ;;
      *) if [[ -z $quiet ]]; then echo "$line"; elif [[ $status -ne 0 ]]; then echo "        $line"; fi ;;
    esac
  done <"$log"
  if [[ $status -ne 0 ]] && ! grep -q "^   FAIL $name: " "$log"; then
    bad "$name: $what exited $status before its checks ended"
  fi
}
# check NAME CMD...: runs CMD, output to a log shown only on failure.
check() {
  local name=$1 log; shift
  log=$work/logs/$(echo "$name" | tr -c 'A-Za-z0-9\n' '_').log
  if "$@" >"$log" 2>&1; then ok "$name"; else bad "$name" "$log"; fi
}
# reject NAME CMD...: CMD must fail (a checker shown a broken file).
reject() {
  local name=$1 log; shift
  log=$work/logs/$(echo "$name" | tr -c 'A-Za-z0-9\n' '_').log
  if "$@" >"$log" 2>&1; then bad "$name (accepted a broken file)" "$log"; else ok "$name"; fi
}
unmount_roots() {
  local r
  for r in "$work"/roots/*; do
    [[ -d $r ]] || continue
    umount "$r/proc" 2>/dev/null
    umount "$r" 2>/dev/null
  done
}
finish() {
  # The roots' upper layers stay in tests/work/overlay/HOST/upper: exactly what the roles wrote.
  unmount_roots
  say "done in $(( $(date +%s) - start ))s"
  for f in "${failures[@]:-}"; do [[ -n $f ]] && echo "   failed: $f"; done
  echo "ansible: $passed passed, $failed failed"
}
trap finish EXIT

for tool in ansible-playbook ansible-lint debootstrap; do
  command -v "$tool" >/dev/null || { echo "ansible/test.sh: $tool is missing (lab/install-deps.sh installs it)" >&2; exit 1; }
done
unmount_roots
rm -rf "$work"; mkdir -p "$work/logs" "$work/roots"
cd "$here"

say "1/7 lint and syntax"
check "ansible-lint --profile production" ansible-lint --offline --profile production
for inv in inventories/*/hosts.yml; do
  check "syntax-check site.yml with $inv" ansible-playbook -i "$inv" --syntax-check site.yml
done
# ECMP: the director role's BIRD config for the example inventory, parsed by BIRD itself (bird -p: parse
# only), its export filter holding the inventory's range and nothing else, and a broken render refused.
mkdir -p "$work/bird"
check "ecmp inventory: bird.conf renders for lb1..lb3" env BIRD_RENDER_DIR="$work/bird" \
  ansible-playbook -i inventories/ecmp-three-directors/hosts.yml tests/bird-render.yml
for h in lb1 lb2 lb3; do
  check "$h: bird -p accepts bird.conf" bird -p -c "$work/bird/bird-$h.conf"
done
check "lb2: BGP to 192.168.19.1 AS 65000 from .159 AS 65001, BFD on, imports nothing, exports only 192.168.19.200/29 host routes" \
  bash -c 'f=$1; grep -q "local 192.168.19.159 as 65001;" "$f" && grep -q "neighbor 192.168.19.1 as 65000;" "$f" &&
    grep -q "bfd on;" "$f" && grep -q "ipv4 { import none; export filter vip_ranges; };" "$f" &&
    grep -q "net ~ \[ 192.168.19.200/29{32,32} \] then accept;" "$f" && [ "$(grep -c "then accept" "$f")" = 1 ]' _ "$work/bird/bird-lb2.conf"
reject "bird -p rejects a bird.conf whose filter lost its closing brace" \
  bash -c 'sed "0,/^  reject;/s//  reject;\n  {/" "$1" > "$1.broken" && bird -p -c "$1.broken"' _ "$work/bird/bird-lb1.conf"

check "DaemonSet manifest parses; its script is the role's, byte for byte" python3 - <<'PY'
import yaml
docs = list(yaml.safe_load_all(open("kubernetes/lvs-realserver-daemonset.yaml")))
assert [d["kind"] for d in docs] == ["Namespace", "ConfigMap", "DaemonSet"], [d["kind"] for d in docs]
script = docs[1]["data"]["lvs-realserver-vips"]
assert script == open("roles/realserver/files/lvs-realserver-vips").read(), "DaemonSet script differs from the role's"
pod = docs[2]["spec"]["template"]["spec"]
assert pod["hostNetwork"] is True and pod["containers"][0]["securityContext"]["privileged"] is True
PY

if command -v promtool >/dev/null; then
  check "promtool check config accepts the scrape config" promtool check config prometheus/lvs-director-scrape.yml
else
  bad "promtool (Debian's prometheus, from lab/install-deps.sh) is missing: the scrape config is unchecked"
fi

say "2/7 the Debian package and the Debian root"
deb=${LVSD_ANSIBLE_DEB:-$(ls "$repo"/packaging/deb/target/lvs-director_*_all.deb 2>/dev/null | head -n1 || true)}
if [[ -z $deb ]]; then
  say "no packaging/deb/target/lvs-director_*_all.deb yet: building it (mvn -pl packaging/deb -am package -DskipTests)"
  (cd "$repo" && mvn -B -o -q -pl packaging/deb -am package -DskipTests) >"$work/logs/mvn-package.log" 2>&1 || true
  deb=$(ls "$repo"/packaging/deb/target/lvs-director_*_all.deb 2>/dev/null | head -n1 || true)
fi
if [[ -z $deb || ! -f $deb ]]; then
  bad "the Debian package packaging/deb/target/lvs-director_*_all.deb exists" "$work/logs/mvn-package.log"
  exit 1
fi
ok "Debian package: ${deb#"$repo"/}"
base=$("$here/tests/debian-root.sh" "$cache") || { bad "Debian 12 root (debootstrap)"; exit 1; }
ok "Debian 12 root: $base"
# Each host is an overlay over the cached root: made in no time, and its upper layer holds exactly what
# the playbook changed.
for host in dir1 dir2 rs1 ec1; do
  mkdir -p "$work/overlay/$host/upper" "$work/overlay/$host/work" "$work/roots/$host"
  mount -t overlay overlay \
    -o "lowerdir=$base,upperdir=$work/overlay/$host/upper,workdir=$work/overlay/$host/work" "$work/roots/$host" ||
    { bad "overlay mount of the Debian root for $host"; exit 1; }
  # java (the service's check) and keepalived -t read /proc.
  mount -t proc proc "$work/roots/$host/proc"
done

# inventory VARIANT: the lab's addresses (198.18.0.0/15), so the rendered files are the ones the lab runs.
inventory() {
  local variant=$1
  cat <<YAML
all:
  vars:
    ansible_connection: community.general.chroot
    ansible_python_interpreter: /usr/bin/python3
    director_apt_update_cache: false
    director_deb_src: $deb
    keepalived_vip_auth_pass: labpass1
    keepalived_vip_interface: eth0
    director_ha_enabled: true
    keepalived_vip_sync_daemon: service
    # The lab kernel on a shared machine: a JVM restart took up to 97 s, above the role's 90 s default.
    keepalived_vip_restart_grace: 180
    director_notify_token: lab-notify-token-0123456789
    director_api_tokens:
      - {role: admin, name: ops, token: lab-admin-token-0123456789}
      - {role: read, name: prometheus, token: lab-read-token-0123456789}
    realserver_vips: "{{ keepalived_vip_instances | map(attribute='addresses') | flatten | map('regex_replace', '/.*\$', '') | list }}"
    keepalived_vip_instances:
      - {name: VI_1, virtual_router_id: 101, addresses: [198.18.0.100/32], master: dir1}
YAML
  [[ $variant == active-active ]] &&
    echo "      - {name: VI_2, virtual_router_id: 102, addresses: [198.18.0.101/32], master: dir2}"
  # The active-active variant also runs the API over TLS (a key store made below), so the lab's failover
  # drives keepalived's notify hook over https, and turns on checks via the VIP (accept_local on eth0).
  [[ $variant == active-active ]] && cat <<YAML
    director_vip_checks: true
    director_tls_enabled: true
    director_tls_keystore_src: $work/tls/director.p12
    director_tls_keystore_password: lab-keystore-pass-0123
    director_tls_ca_src: $work/tls/director-ca.pem
YAML
  cat <<YAML
  children:
    directors:
      hosts:
        dir1: {ansible_host: $work/roots/dir1, keepalived_vip_address: 198.18.0.11}
        dir2: {ansible_host: $work/roots/dir2, keepalived_vip_address: 198.18.0.12}
    realservers:
      hosts:
        rs1: {ansible_host: $work/roots/rs1}
    monitoring:
      hosts:
        rs1: {monitoring_validate_rules: false}
YAML
}
# apply NAME VARIANT: runs the playbook; records the recap.
apply() {
  local name=$1 variant=$2
  inventory "$variant" >"$work/inventory-$variant.yml"
  check "$name" ansible-playbook -i "$work/inventory-$variant.yml" site.yml
  cp "$work/logs/$(echo "$name" | tr -c 'A-Za-z0-9\n' '_').log" "$work/last-run.log"
}
# The ECMP variant on root ec1: the example inventory's shape (ecmp-three-directors) with the test's
# addresses; tests/ecmp-bird.sh builds the peering link and the router these name.
ecmp_inventory() {
  cat <<YAML
all:
  vars:
    ansible_connection: community.general.chroot
    ansible_python_interpreter: /usr/bin/python3
    director_apt_update_cache: false
    director_deb_src: $deb
    director_api_tokens:
      - {role: admin, name: ops, token: lab-admin-token-0123456789}
    director_ecmp_enabled: true
    director_ecmp_vip_ranges: [198.18.0.96/29]
    director_bgp_local_as: 65001
    director_bgp_peers:
      - {name: uplink, address: 198.19.0.1, as: 65000}
    director_vip_checks: true
  children:
    directors:
      hosts:
        ec1: {ansible_host: $work/roots/ec1, director_bgp_local_address: 198.19.0.11}
YAML
}
# unchanged: every host of the last run's recap says changed=0.
unchanged() {
  grep -A5 '^PLAY RECAP' "$work/last-run.log" | grep -E 'ok=' >"$work/logs/recap.log"
  [[ $(wc -l <"$work/logs/recap.log") -eq 3 ]] && ! grep -qv 'changed=0 ' "$work/logs/recap.log"
}
in_root() { local host=$1; shift; chroot "$work/roots/$host" "$@"; }
# accept_local HOST IFACE: prints "IFACE all" accept_local after HOST's sysctl.d file is applied to a new
# interface IFACE as udev does when one appears (99-systemd.rules: systemd-sysctl --prefix), in a
# network namespace of its own (this machine's settings are not touched; its kernel has no dummy
# interfaces, so IFACE is a veth).
accept_local() {
  unshare --net sh -c '
    ip link add "$2" type veth peer name lvsd-peer &&
    chroot "$1" /lib/systemd/systemd-sysctl --prefix="/net/ipv4/conf/$2" /etc/sysctl.d/90-lvs-director.conf &&
    echo "$(cat /proc/sys/net/ipv4/conf/"$2"/accept_local) $(cat /proc/sys/net/ipv4/conf/all/accept_local)"' \
    _ "$work/roots/$1" "$2"
}
export work
export -f accept_local

say "3/7 the playbook on three throwaway roots (dir1, dir2, rs1), twice"
apply "first run (active-standby)" active-standby
apply "second run (active-standby)" active-standby
check "second run reports changed=0 on every host" unchanged
cat "$work/logs/recap.log" | sed 's/^/        /'

say "4/7 the rendered files, checked by the tools that read them"
for host in dir1 dir2; do
  check "$host: keepalived -t accepts keepalived.conf" in_root $host unshare --pid --fork keepalived -t -f /etc/keepalived/keepalived.conf
done
check "dir1 is MASTER (150) of VI_1, dir2 BACKUP (100); unicast to each other; no virtual_server" bash -c '
  grep -Pzo "vrrp_instance VI_1 \\{\\n    state MASTER\\n    priority 150" '"$work"'/roots/dir1/etc/keepalived/keepalived.conf &&
  grep -Pzo "vrrp_instance VI_1 \\{\\n    state BACKUP\\n    priority 100" '"$work"'/roots/dir2/etc/keepalived/keepalived.conf &&
  grep -Pzo "unicast_src_ip 198.18.0.11\\n    unicast_peer \\{\\n        198.18.0.12\\n" '"$work"'/roots/dir1/etc/keepalived/keepalived.conf &&
  ! grep -Eq "^ *virtual_server" '"$work"'/roots/dir*/etc/keepalived/keepalived.conf'
sed 's/auth_pass labpass1/auth_pass/' "$work/roots/dir1/etc/keepalived/keepalived.conf" >"$work/roots/dir1/tmp/broken-keepalived.conf"
reject "keepalived -t rejects a config whose auth_pass is missing" \
  in_root dir1 unshare --pid --fork keepalived -t -f /tmp/broken-keepalived.conf
check "dir1: the package is installed; no file of the role's pre-package layout is left" bash -c '
  r='"$work"'/roots/dir1
  [[ $(chroot $r dpkg-query -W -f="\${Status} \${Version}" lvs-director) == "install ok installed $(dpkg-deb --field '"$deb"' Version)" ]] &&
  [[ $(chroot $r dpkg-query -S /usr/share/lvs-director/lib/lvs-director.jar) == "lvs-director: /usr/share/lvs-director/lib/lvs-director.jar" ]] &&
  [[ ! -e $r/opt/lvs-director && ! -e $r/usr/local/bin/lvs-director && ! -e $r/etc/systemd/system/lvs-director.service ]]'
check "dir1: systemd-analyze verify lvs-director.service (the package's unit with the role's drop-in)" in_root dir1 systemd-analyze verify lvs-director.service
check "rs1 (monitoring): the alert rules and the dashboard installed are the repository's, and promtool accepts the rules" bash -c '
  r='"$work"'/roots/rs1
  cmp '"$repo"'/monitoring/alerts.yml $r/etc/prometheus/lvs-director-alerts.yml &&
  cmp '"$repo"'/monitoring/grafana/provisioning/lvs-director-dashboards.yml $r/etc/grafana/provisioning/dashboards/lvs-director-dashboards.yml &&
  cmp '"$repo"'/monitoring/grafana/lvs-director.json $r/var/lib/grafana/dashboards/lvs-director/lvs-director.json &&
  promtool check rules $r/etc/prometheus/lvs-director-alerts.yml >/dev/null'
check "rs1: systemd-analyze verify lvs-realserver-vips.service" in_root rs1 systemd-analyze verify /etc/systemd/system/lvs-realserver-vips.service
sed 's/^ExecStart=.*/ExecStart=relative-binary server/' "$work/roots/dir1/lib/systemd/system/lvs-director.service" \
  >"$work/roots/dir1/tmp/broken.service"
reject "systemd-analyze verify rejects a unit with a relative ExecStart" in_root dir1 systemd-analyze verify /tmp/broken.service
check "dir1: unit runs as lvs-director with only CAP_NET_ADMIN, NoNewPrivileges, ProtectSystem=strict, StateDirectory; drop-in sets user and the unit's own JVM options" bash -c '
  d='"$work"'/roots/dir1/etc/systemd/system/lvs-director.service.d/ansible.conf
  u='"$work"'/roots/dir1/lib/systemd/system/lvs-director.service
  grep -qx "User=lvs-director" $d && grep -qx "Environment=JAVA=/usr/bin/java" $d &&
  o=$(grep "^Environment=\"JAVA_OPTS=-Xms64m .*-XX:+UseSerialGC .*-Djna.tmpdir=" $u) && grep -qxF "$o" $d &&
  grep -qx "User=lvs-director" $u && grep -qx "AmbientCapabilities=CAP_NET_ADMIN" $u &&
  grep -qx "CapabilityBoundingSet=CAP_NET_ADMIN" $u && grep -qx "NoNewPrivileges=yes" $u &&
  grep -qx "ProtectSystem=strict" $u && grep -qx "StateDirectory=lvs-director" $u &&
  grep -q "^RestrictAddressFamilies=.*AF_NETLINK" $u'
check "dir1: the service's check accepts the rendered config" \
  in_root dir1 /usr/bin/lvs-director check --user lvs-director /etc/lvs-director/director.yml
printf 'kernel:\n  resyncInterval: 1ms\n  minInterval: 5s\n' >"$work/roots/dir1/tmp/broken-director.yml"
reject "the service's check rejects a config with resyncInterval below minInterval" \
  in_root dir1 /usr/bin/lvs-director check --user lvs-director /tmp/broken-director.yml
reject "the service's check refuses the token file for a server running as another user" \
  in_root dir1 /usr/bin/lvs-director check --user nobody /etc/lvs-director/director.yml
cp -p "$work/roots/dir1/etc/lvs-director/tokens" "$work/roots/dir1/tmp/tokens-shared"
chmod 640 "$work/roots/dir1/tmp/tokens-shared"
sed 's|tokenFile: .*|tokenFile: /tmp/tokens-shared|' "$work/roots/dir1/etc/lvs-director/director.yml" \
  >"$work/roots/dir1/tmp/shared-tokens.yml"
reject "the service's check refuses a group-readable token file" \
  in_root dir1 /usr/bin/lvs-director check --user lvs-director /tmp/shared-tokens.yml
check "dir1: admin port on 127.0.0.1, tasks and diagnostics off, API over plain http (TLS off)" bash -c '
  c='"$work"'/roots/dir1/etc/lvs-director/director.yml
  grep -Pzo "adminConnectors:\n  - bindHost: 127.0.0.1\n" $c >/dev/null &&
  grep -Pzo "adminEndpoints:\n  diagnostics: false\n  tasks: false\n" $c >/dev/null &&
  grep -Pzo "applicationConnectors:\n  - bindHost: 0.0.0.0\n    port: .?9440.?\n    type: http\n" $c >/dev/null &&
  [[ ! -e '"$work"'/roots/dir1/etc/lvs-director/keystore.p12 ]]'
check "dir1: token file 0600 lvs-director, config 0640 root:lvs-director" bash -c '
  [[ $(chroot '"$work"'/roots/dir1 stat -c "%a %U" /etc/lvs-director/tokens) == "600 lvs-director" ]] &&
  [[ $(chroot '"$work"'/roots/dir1 stat -c "%a %U:%G" /etc/lvs-director/director.yml) == "640 root:lvs-director" ]]'
check "dir1: HA wiring: notify token 0640 root:keepalived_script, notify line in tokens, hook runs as keepalived_script, config ha on" bash -c '
  r='"$work"'/roots/dir1
  [[ $(chroot $r stat -c "%a %U:%G" /etc/keepalived/lvs-director-notify-token) == "640 root:keepalived_script" ]] &&
  grep -qx "lab-notify-token-0123456789" $r/etc/keepalived/lvs-director-notify-token &&
  grep -qx "notify keepalived lab-notify-token-0123456789" $r/etc/lvs-director/tokens &&
  grep -q "notify \"/usr/local/libexec/lvs-director/vrrp-notify\" keepalived_script" $r/etc/keepalived/keepalived.conf &&
  grep -q "^exec /usr/share/lvs-director/bin/lvs-director-notify " $r/usr/local/libexec/lvs-director/vrrp-notify &&
  [[ -x $r/usr/share/lvs-director/bin/lvs-director-notify ]] &&
  grep -Pzo "ha:\n  enabled: true\n  stateFile: /run/lvs-director/ha.json\n  syncId: '"'"'?1'"'"'?\n  syncInterface: eth0\n" $r/etc/lvs-director/director.yml >/dev/null &&
  grep -qx "RuntimeDirectoryPreserve=restart" $r/lib/systemd/system/lvs-director.service'
check "dir1: modules-load.d loads ip_vs and the schedulers; sysctl.d sets the IPVS keys (incl. connection sync)" bash -c '
  r='"$work"'/roots/dir1
  grep -qx ip_vs $r/etc/modules-load.d/lvs-director.conf && grep -qx ip_vs_wrr $r/etc/modules-load.d/lvs-director.conf &&
  grep -qx "net.ipv4.vs.expire_nodest_conn = 1" $r/etc/sysctl.d/90-lvs-director.conf &&
  grep -qx "net.ipv4.vs.conn_reuse_mode = 1" $r/etc/sysctl.d/90-lvs-director.conf &&
  grep -qx "net.ipv4.vs.expire_quiescent_template = 1" $r/etc/sysctl.d/90-lvs-director.conf &&
  grep -qx "net.ipv4.vs.sync_threshold = 3 0" $r/etc/sysctl.d/90-lvs-director.conf &&
  grep -qx "net.ipv4.vs.sync_refresh_period = 10" $r/etc/sysctl.d/90-lvs-director.conf'
check "dir1: track script 0755 root, POSIX sh (dash -n), tracked with the grace; its state dir 0700 keepalived_script; dbus installed" bash -c '
  r='"$work"'/roots/dir1
  [[ $(chroot $r stat -c "%a %U:%G" /usr/local/libexec/lvs-director/vrrp-track) == "755 root:root" ]] &&
  chroot $r dash -n /usr/local/libexec/lvs-director/vrrp-track &&
  grep -q "script \"/usr/local/libexec/lvs-director/vrrp-track 180\"" $r/etc/keepalived/keepalived.conf &&
  [[ $(chroot $r stat -c "%a %U" /var/lib/lvs-director-vrrp-track) == "700 keepalived_script" ]] &&
  [[ -x $r/usr/bin/dbus-daemon ]]'
if command -v shellcheck >/dev/null; then
  check "shellcheck accepts the track script" shellcheck -s sh "$work/roots/dir1/usr/local/libexec/lvs-director/vrrp-track"
fi
# Run as keepalived runs it, in a root with no service, no table and no systemd: it must fail.
reject "dir1: the track script fails with no /healthcheck, no IPVS service, no systemd" \
  in_root dir1 runuser -u keepalived_script -- /usr/local/libexec/lvs-director/vrrp-track 180
check "dir1: no accept_local without director_vip_checks (the file has none; a new eth0 keeps 0)" bash -c '
  ! grep -q "^[^#]*accept_local" '"$work"'/roots/dir1/etc/sysctl.d/90-lvs-director.conf &&
  [[ $(accept_local dir1 eth0) == "0 0" ]]'
check "dir1, rs1: units enabled (multi-user.target.wants)" bash -c '
  [[ -L '"$work"'/roots/dir1/etc/systemd/system/multi-user.target.wants/lvs-director.service ]] &&
  [[ -L '"$work"'/roots/dir1/etc/systemd/system/multi-user.target.wants/keepalived.service ]] &&
  [[ -L '"$work"'/roots/rs1/etc/systemd/system/multi-user.target.wants/lvs-realserver-vips.service ]]'

say "5/7 the ECMP variant (BIRD 2, no keepalived) on a fourth root; its BIRD against a router BIRD"
inventory_ecmp=$work/inventory-ecmp.yml
ecmp_inventory >"$inventory_ecmp"
check "the role refuses director_vip_check_interfaces: [all] (accept_local on every interface), before it changes anything" bash -c '
  ! ansible-playbook -i "$1" site.yml -e "{\"director_vip_check_interfaces\": [\"all\"]}" >"$2" 2>&1 &&
  grep -q "director_vip_check_interfaces must list the interfaces" "$2" && grep -q "changed=0 .*failed=1" "$2"' \
  _ "$inventory_ecmp" "$work/logs/vip-check-all.log"
# Applied once, as the active-active variant is (a second run would cost 15-25 s more; the roles'
# idempotence is step 3's).
check "ecmp run" ansible-playbook -i "$inventory_ecmp" site.yml
check "ec1: bird2 installed, bird.conf 0640 root:bird, parsed by the root's own bird -p; bird.service enabled" bash -c '
  r='"$work"'/roots/ec1
  [[ $(chroot $r dpkg-query -W -f="\${Status}" bird2) == "install ok installed" ]] &&
  [[ $(chroot $r stat -c "%a %U:%G" /etc/bird/bird.conf) == "640 root:bird" ]] &&
  chroot $r bird -p -c /etc/bird/bird.conf &&
  [[ -L $r/etc/systemd/system/multi-user.target.wants/bird.service ]]'
check "ec1: bird.conf: BGP uplink 198.19.0.1 AS 65000 from 198.19.0.11 AS 65001, BFD, imports nothing, exports only 198.18.0.96/29 host routes from lvs-vips" bash -c '
  f='"$work"'/roots/ec1/etc/bird/bird.conf
  grep -q "^router id 198.19.0.11;" $f && grep -q "interface \"lvs-vips\";" $f &&
  grep -q "local 198.19.0.11 as 65001;" $f && grep -q "neighbor 198.19.0.1 as 65000;" $f && grep -q "bfd on;" $f &&
  grep -q "ipv4 { import none; export filter vip_ranges; };" $f &&
  grep -q "net ~ \[ 198.18.0.96/29{32,32} \] then accept;" $f && [ "$(grep -c "then accept" $f)" = 1 ]'
check "ec1: config: ecmp on (lvs-vips, the range, BIRD's socket), ha off; the service's check accepts it" bash -c '
  r='"$work"'/roots/ec1 c='"$work"'/roots/ec1/etc/lvs-director/director.yml
  grep -Pzo "ecmp:\n  birdSocket: /run/bird/bird.ctl\n  enabled: true\n  interface: lvs-vips\n  vipRanges:\n  - 198.18.0.96/29\n" $c >/dev/null &&
  grep -Pzo "ha:\n  enabled: false\n" $c >/dev/null &&
  chroot $r /usr/bin/lvs-director check --user lvs-director /etc/lvs-director/director.yml'
check "ec1: the unit's drop-in adds group bird (BIRD's socket); systemd-analyze verify accepts unit and drop-in" bash -c '
  r='"$work"'/roots/ec1
  grep -qx "SupplementaryGroups=bird" $r/etc/systemd/system/lvs-director.service.d/ansible.conf &&
  grep -qx "User=lvs-director" $r/etc/systemd/system/lvs-director.service.d/ansible.conf &&
  chroot $r getent group bird >/dev/null &&
  chroot $r systemd-analyze verify lvs-director.service &&
  [[ -L $r/etc/systemd/system/multi-user.target.wants/lvs-director.service ]]'
check "ec1: the drop-in withdraws every VIP when the service ends without doing it (ExecStopPost flushes lvs-vips global addresses, run here in a namespace; the other roots have none)" bash -c '
  d='"$work"'/roots/ec1/etc/systemd/system/lvs-director.service.d/ansible.conf
  cmd=$(sed -n "s/^ExecStopPost=-//p" $d)
  [[ $cmd == "/usr/sbin/ip addr flush dev lvs-vips scope global" ]] || exit 1
  ! grep -q ExecStopPost '"$work"'/roots/dir1/etc/systemd/system/lvs-director.service.d/ansible.conf || exit 1
  ns=lvsd-ecmp-stop-$$
  ip netns add $ns && trap "ip netns del $ns" EXIT
  ip -n $ns link add lvs-vips type veth peer name lvs-vips-p && ip -n $ns link set lvs-vips up &&
  ip -n $ns addr add 198.18.0.100/32 dev lvs-vips && ip -n $ns addr add 198.18.0.101/32 dev lvs-vips &&
  ip -n $ns addr add fe80::1/64 dev lvs-vips scope link nodad &&
  ip netns exec $ns $cmd &&
  [[ -z $(ip -n $ns -4 -o addr show dev lvs-vips) ]] && ip -n $ns -6 -o addr show dev lvs-vips | grep -q "fe80::1/64"'
check "ec1: sysctl.d: sloppy_tcp 1, conntrack 0, accept_local 1 on eth0 only; applied to a new eth0: 1 there, all stays 0" bash -c '
  f='"$work"'/roots/ec1/etc/sysctl.d/90-lvs-director.conf
  grep -qx "net.ipv4.vs.sloppy_tcp = 1" $f && grep -qx "net.ipv4.vs.conntrack = 0" $f &&
  grep -qx "net.ipv4.conf.eth0.accept_local = 1" $f && [ "$(grep -c "^[^#]*accept_local" $f)" = 1 ] &&
  [[ $(accept_local ec1 eth0) == "1 0" ]] && [[ $(accept_local ec1 eth1) == "0 0" ]]'
check "ec1: no keepalived config, track script or notify hook (site.yml skips keepalived_vip with ECMP)" bash -c '
  r='"$work"'/roots/ec1
  [[ ! -e $r/etc/keepalived/keepalived.conf && ! -e $r/usr/local/libexec/lvs-director/vrrp-track &&
     ! -e $r/usr/local/libexec/lvs-director/vrrp-notify ]]'
# BIRD for real: each "ok"/"FAIL" line of tests/ecmp-bird.sh counts as one check.
ecmp_log=$work/logs/ecmp-bird.log
ecmp_status=0
"$here/tests/ecmp-bird.sh" "$work/roots/ec1" "$work/ecmp" >"$ecmp_log" 2>&1 || ecmp_status=$?
relay ecmp "$ecmp_log" "$ecmp_status" tests/ecmp-bird.sh

say "6/7 the active-active variant (two VIPs, one master each, the API over TLS), then the lab"
# A self-signed certificate for both directors' addresses and 127.0.0.1 (the notify hook's URL).
mkdir -p "$work/tls"
keytool=$(dirname "$(readlink -f "$(command -v java)")")/keytool
check "keytool makes the lab's key store and CA file" bash -c '
  "'"$keytool"'" -genkeypair -alias lvs-director -keyalg EC -groupname secp256r1 -dname "CN=lvs-director lab" \
    -ext SAN=ip:127.0.0.1,ip:198.18.0.11,ip:198.18.0.12 -validity 2 -storetype PKCS12 \
    -keystore '"$work"'/tls/director.p12 -storepass lab-keystore-pass-0123 &&
  "'"$keytool"'" -exportcert -rfc -alias lvs-director -keystore '"$work"'/tls/director.p12 \
    -storepass lab-keystore-pass-0123 -file '"$work"'/tls/director-ca.pem'
apply "active-active run" active-active
for host in dir1 dir2; do
  check "$host: keepalived -t accepts the two-VIP keepalived.conf" in_root $host unshare --pid --fork keepalived -t -f /etc/keepalived/keepalived.conf
done
check "active-active: dir1 MASTER of VI_1 and BACKUP of VI_2, dir2 the reverse; rs1 carries both VIPs" bash -c '
  grep -Pzo "vrrp_instance VI_1 \\{\\n    state MASTER" '"$work"'/roots/dir1/etc/keepalived/keepalived.conf &&
  grep -Pzo "vrrp_instance VI_2 \\{\\n    state BACKUP" '"$work"'/roots/dir1/etc/keepalived/keepalived.conf &&
  grep -Pzo "vrrp_instance VI_1 \\{\\n    state BACKUP" '"$work"'/roots/dir2/etc/keepalived/keepalived.conf &&
  grep -Pzo "vrrp_instance VI_2 \\{\\n    state MASTER" '"$work"'/roots/dir2/etc/keepalived/keepalived.conf &&
  grep -qx "VIPS=\"198.18.0.100 198.18.0.101\"" '"$work"'/roots/rs1/etc/lvs-realserver/vips.conf'
check "dir1 (director_vip_checks): accept_local 1 on eth0 (keepalived's interface) only; applied to a new eth0: 1 there, all stays 0" bash -c '
  f='"$work"'/roots/dir1/etc/sysctl.d/90-lvs-director.conf
  grep -qx "net.ipv4.conf.eth0.accept_local = 1" $f && [ "$(grep -c "^[^#]*accept_local" $f)" = 1 ] &&
  [[ $(accept_local dir1 eth0) == "1 0" ]] && [[ $(accept_local dir1 eth1) == "0 0" ]]'

check "dir1: TLS: https connector, password only in the 0600 environment file, key store 0640, hook has the CA file" bash -c '
  r='"$work"'/roots/dir1
  grep -Pzo "applicationConnectors:\n  - bindHost: 0.0.0.0\n    keyStorePassword: \\$\\{LVS_DIRECTOR_KEYSTORE_PASSWORD\\}\n    keyStorePath: /etc/lvs-director/keystore.p12\n    keyStoreType: PKCS12\n    port: .?9440.?\n    supportedProtocols:\n    - TLSv1.3\n    - TLSv1.2\n    type: https\n" $r/etc/lvs-director/director.yml >/dev/null &&
  ! grep -q lab-keystore-pass-0123 $r/etc/lvs-director/director.yml &&
  [[ $(chroot $r stat -c "%a %U:%G" /etc/lvs-director/environment) == "600 root:root" ]] &&
  grep -qx "LVS_DIRECTOR_KEYSTORE_PASSWORD=lab-keystore-pass-0123" $r/etc/lvs-director/environment &&
  [[ $(chroot $r stat -c "%a %U:%G" /etc/lvs-director/keystore.p12) == "640 root:lvs-director" ]] &&
  grep -qx "EnvironmentFile=/etc/lvs-director/environment" $r/lib/systemd/system/lvs-director.service &&
  [[ $(chroot $r stat -c "%a" /etc/keepalived/lvs-director-ca.pem) == 644 ]] &&
  grep -qx "LVS_DIRECTOR_NOTIFY_URL=https://127.0.0.1:9440" $r/usr/local/libexec/lvs-director/vrrp-notify &&
  grep -qx "LVS_DIRECTOR_NOTIFY_CA_FILE=/etc/keepalived/lvs-director-ca.pem" $r/usr/local/libexec/lvs-director/vrrp-notify'
check "dir1: the service's check opens the key store with the password from the environment file" \
  in_root dir1 /usr/bin/lvs-director check --user lvs-director /etc/lvs-director/director.yml
sed 's|keyStorePassword: .*|keyStorePassword: wrong-password-0123|' "$work/roots/dir1/etc/lvs-director/director.yml" \
  >"$work/roots/dir1/tmp/wrong-keystore-password.yml"
reject "the service's check rejects a key store password that does not open it" \
  in_root dir1 /usr/bin/lvs-director check --user lvs-director /tmp/wrong-keystore-password.yml

# The notify hook's ipvsadm mode (for a director without HA in its config), rendered beside the roots'
# service-mode one for tests/realserver-lab.sh.
check "the notify hook renders in ipvsadm mode" ansible localhost -c local -m ansible.builtin.template \
  -a "src=$here/roles/keepalived_vip/templates/vrrp-notify.sh.j2 dest=$work/roots/dir1/tmp/vrrp-notify-ipvsadm mode=0755" \
  -e '{"keepalived_vip_sync_daemon": "ipvsadm", "keepalived_vip_sync_interface": "eth0", "keepalived_vip_sync_id": 1}'

if [[ -x $repo/lab/uml-run ]]; then
  # Each "ok"/"FAIL" line the lab scripts print counts as one check.
  lab_log=$work/logs/lab.log
  lab_status=0
  "$repo/lab/uml-run" --timeout 600 -- "$here/tests/lab.sh" "$work/roots/rs1" "$work/roots/dir1" "$work/roots/dir2" \
    >"$lab_log" 2>&1 || lab_status=$?
  relay lab "$lab_log" "$lab_status" lab/uml-run quiet
else
  bad "lab: lab/uml-run is missing"
fi

say "7/7 real systemd: dir1's root booted under the lab kernel with systemd as PID 1"
# A copy-on-write layer over dir1 as the roles left it (the package, the active-active config with TLS
# and HA, keepalived), so the boot's writes stay out of what the roles wrote.
umount "$work/roots/dir1/proc" 2>/dev/null
umount "$work/roots/dir1" 2>/dev/null
mkdir -p "$work/overlay/sd1/upper" "$work/overlay/sd1/work" "$work/roots/sd1"
if mount -t overlay overlay \
    -o "lowerdir=$work/overlay/dir1/upper:$base,upperdir=$work/overlay/sd1/upper,workdir=$work/overlay/sd1/work" \
    "$work/roots/sd1"; then
  systemd_log=$work/logs/systemd-lab.log
  systemd_status=0
  "$here/tests/systemd-lab.sh" "$work/roots/sd1" "$repo" "$work/systemd" >"$systemd_log" 2>&1 || systemd_status=$?
  relay systemd "$systemd_log" "$systemd_status" tests/systemd-lab.sh
  # What systemd-analyze security said, item by item, for the README's figure.
  # (tests/work/systemd/: security.txt, journal.txt, console.log, output.)
else
  bad "overlay mount of dir1's root for the systemd boot"
fi
[[ $failed -eq 0 ]]
