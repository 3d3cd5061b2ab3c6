#!/usr/bin/env bash
# packaging/deb/test.sh — tests the Debian package the Maven build makes (target/lvs-director_*_all.deb):
#   1. its control fields, its files with their modes, its conffiles and its unit's hardening;
#   2. lintian (pedantic, info tags shown): nothing but the overrides the package justifies;
#   3. installed with dpkg into a throwaway overlay of the Ansible test's Debian 12 root (behind its
#      policy-rc.d, so nothing starts): the system user, /etc/lvs-director's owner and mode, the state
#      directory, the unit enabled and accepted by systemd-analyze verify; the installed `lvs-director
#      check` accepts the packaged config once a token file exists; an edited conffile survives a
#      reinstall; a purge leaves none of it behind.
# Needs root, lintian and debootstrap (lab/install-deps.sh). Builds the package when it is missing.
# Exit status 0 only when every check passed; the last line is `deb: N passed, M failed`.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${LVSD_ANSIBLE_CACHE:-/var/cache/lvsd-ansible-test}
work=$here/target/deb-test
passed=0 failed=0 failures=()

ok() { passed=$((passed + 1)); echo "   ok   $1"; }
bad() { failed=$((failed + 1)); failures+=("$1"); echo "   FAIL $1"; [[ -n ${2:-} && -s $2 ]] && tail -n 30 "$2" | sed 's/^/        /'; }
check() {
  local name=$1 log; shift
  log=$work/logs/$(echo "$name" | tr -c 'A-Za-z0-9\n' '_' | cut -c1-120).log
  if "$@" >"$log" 2>&1; then ok "$name"; else bad "$name" "$log"; fi
}
root=$work/root
unmount_root() { umount "$root/proc" 2>/dev/null; umount "$root" 2>/dev/null; }
finish() {
  unmount_root
  for f in "${failures[@]:-}"; do [[ -n $f ]] && echo "   failed: $f"; done
  echo "deb: $passed passed, $failed failed"
}
trap finish EXIT
unmount_root
rm -rf "$work"; mkdir -p "$work/logs"

echo "== deb 1/3: the package's fields and files"
deb=$(ls "$here"/target/lvs-director_*_all.deb 2>/dev/null | head -n1 || true)
if [[ -z $deb ]]; then
  echo "   (no package yet: mvn -o -pl packaging/deb -am package -DskipTests)"
  (cd "$repo" && mvn -B -o -q -pl packaging/deb -am package -DskipTests) >"$work/logs/mvn-package.log" 2>&1
  deb=$(ls "$here"/target/lvs-director_*_all.deb 2>/dev/null | head -n1 || true)
fi
[[ -n $deb ]] || { bad "the build made target/lvs-director_*_all.deb" "$work/logs/mvn-package.log"; exit 1; }
ok "package: ${deb#"$repo"/}"
pom_version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$repo/pom.xml")
field() { dpkg-deb --field "$deb" "$1"; }
check "control: Package lvs-director, Architecture all, Version ${pom_version/-/\~} (the pom's, ~ for -)" bash -c '
  [[ $(dpkg-deb --field "$0" Package) == lvs-director ]] && [[ $(dpkg-deb --field "$0" Architecture) == all ]] &&
  [[ $(dpkg-deb --field "$0" Version) == "$1" ]] && [[ $(basename "$0") == "lvs-director_$1_all.deb" ]]' \
  "$deb" "${pom_version/-/\~}"
check "control: Depends on a Java 17 runtime, systemd, init-system-helpers, kmod, procps, curl, iproute2 (ip: ECMP mode)" bash -c '
  d=$(dpkg-deb --field "$0" Depends)
  for p in "java17-runtime-headless" "systemd" "init-system-helpers" "kmod" "procps" "curl" "iproute2"; do
    grep -qE "(^|[ ,|])$p( |,|$)" <<<"$d" || { echo "missing $p in: $d"; exit 1; }
  done' "$deb"
dpkg-deb --contents "$deb" | awk '{print $1, $2, $6}' | sed 's: \./: /:' >"$work/contents"
check "files: launcher, notify client, jar, /usr/bin wrapper, unit, sysusers, tmpfiles, modules-load, sysctl, config, docs" bash -c '
  for want in \
    "-rwxr-xr-x root/root /usr/share/lvs-director/bin/lvs-director" \
    "-rwxr-xr-x root/root /usr/share/lvs-director/bin/lvs-director-notify" \
    "-rw-r--r-- root/root /usr/share/lvs-director/lib/lvs-director.jar" \
    "-rwxr-xr-x root/root /usr/bin/lvs-director" \
    "-rw-r--r-- root/root /lib/systemd/system/lvs-director.service" \
    "-rw-r--r-- root/root /usr/lib/sysusers.d/lvs-director.conf" \
    "-rw-r--r-- root/root /usr/lib/tmpfiles.d/lvs-director.conf" \
    "-rw-r--r-- root/root /usr/lib/modules-load.d/lvs-director.conf" \
    "-rw-r--r-- root/root /usr/lib/sysctl.d/90-lvs-director.conf" \
    "-rw-r--r-- root/root /etc/lvs-director/director.yml" \
    "-rw------- root/root /etc/lvs-director/environment" \
    "-rw-r--r-- root/root /usr/share/doc/lvs-director/copyright" \
    "-rw-r--r-- root/root /usr/share/doc/lvs-director/changelog.gz" \
    "-rw-r--r-- root/root /usr/share/man/man1/lvs-director.1.gz"; do
    grep -qxF -- "$want" "$0" || { echo "missing: $want"; exit 1; }
  done
  ! grep -q " /etc/lvs-director/tokens$" "$0"' "$work/contents"
dpkg-deb --ctrl-tarfile "$deb" | tar -x -O ./conffiles >"$work/conffiles" 2>/dev/null
check "conffiles: exactly director.yml and environment (the admin's tokens are never in the package)" bash -c '
  [[ $(sort "$0" | tr "\n" " ") == "/etc/lvs-director/director.yml /etc/lvs-director/environment " ]]' "$work/conffiles"
mkdir -p "$work/extract"
dpkg-deb --extract "$deb" "$work/extract"
unit=$work/extract/lib/systemd/system/lvs-director.service
check "unit: runs as lvs-director with only CAP_NET_ADMIN, NoNewPrivileges, ProtectSystem=strict, state/runtime/cache directories" bash -c '
  u=$0
  grep -qx "User=lvs-director" $u && grep -qx "AmbientCapabilities=CAP_NET_ADMIN" $u &&
  grep -qx "CapabilityBoundingSet=CAP_NET_ADMIN" $u && grep -qx "NoNewPrivileges=yes" $u &&
  grep -qx "ProtectSystem=strict" $u && grep -qx "StateDirectory=lvs-director" $u &&
  grep -qx "RuntimeDirectoryPreserve=restart" $u && grep -qx "CacheDirectory=lvs-director" $u &&
  grep -q "^RestrictAddressFamilies=.*AF_NETLINK" $u &&
  grep -qx "ExecStart=/usr/share/lvs-director/bin/lvs-director server /etc/lvs-director/director.yml" $u' "$unit"
check "modules-load.d: ip_vs and the schedulers; sysctl.d: the IPVS keys the Ansible role sets" bash -c '
  m=$0/usr/lib/modules-load.d/lvs-director.conf s=$0/usr/lib/sysctl.d/90-lvs-director.conf
  for mod in ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_sh ip_vs_mh; do grep -qx $mod $m || exit 1; done
  grep -qx "net.ipv4.vs.expire_nodest_conn = 1" $s && grep -qx "net.ipv4.vs.conn_reuse_mode = 1" $s &&
  grep -qx "net.ipv4.vs.expire_quiescent_template = 1" $s && grep -qx "net.ipv4.vs.sync_threshold = 3 0" $s &&
  grep -qx "net.ipv4.vs.sync_refresh_period = 10" $s && grep -qx "net.ipv4.vs.sync_retries = 1" $s' "$work/extract"
check "the packaged config is the embedded default (config/director.yml)" \
  cmp "$work/extract/etc/lvs-director/director.yml" "$repo/config/director.yml"

echo "== deb 2/3: lintian"
if command -v lintian >/dev/null; then
  # Every tag lintian knows, info and pedantic included; the package's overrides (each with its reason in
  # /usr/share/lintian/overrides/lvs-director) are the only ones it may hide.
  lintian --pedantic --display-info --fail-on error,warning,info,pedantic "$deb" 2>&1 |
    grep -v '^running with root privileges' >"$work/logs/lintian.log"
  lintian_status=${PIPESTATUS[0]}
  if [[ $lintian_status -eq 0 && ! -s $work/logs/lintian.log ]]; then
    ok "lintian --pedantic --display-info: no tag"
  else
    bad "lintian --pedantic --display-info: no tag (exit $lintian_status)" "$work/logs/lintian.log"
  fi
else
  bad "lintian is missing (lab/install-deps.sh installs it)"
fi

echo "== deb 3/3: dpkg -i into a throwaway Debian 12 root"
base=$("$repo/ansible/tests/debian-root.sh" "$cache" 2>"$work/logs/debian-root.log") ||
  { bad "Debian 12 root (ansible/tests/debian-root.sh)" "$work/logs/debian-root.log"; exit 1; }
mkdir -p "$work/overlay/upper" "$work/overlay/work" "$root"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/overlay/upper,workdir=$work/overlay/work" "$root" ||
  { bad "overlay mount of the Debian root"; exit 1; }
mount -t proc proc "$root/proc"
cp "$deb" "$root/tmp/lvs-director.deb"
in_root() { chroot "$root" "$@"; }
check "dpkg -i installs it (its dependencies are in the root); policy-rc.d keeps it stopped" \
  in_root env DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/lvs-director.deb
check "postinst: system user and group lvs-director, no shell, home /var/lib/lvs-director" bash -c '
  IFS=: read -r name _ uid gid _ home shell < <(chroot "$0" getent passwd lvs-director)
  [[ $name == lvs-director && $uid -lt 1000 && $home == /var/lib/lvs-director && $shell == /usr/sbin/nologin ]] &&
  [[ $(chroot "$0" getent group lvs-director | cut -d: -f3) == "$gid" ]]' "$root"
check "postinst: /etc/lvs-director 0750 root:lvs-director; /var/lib/lvs-director 0750 lvs-director (tmpfiles.d)" bash -c '
  [[ $(chroot "$0" stat -c "%a %U:%G" /etc/lvs-director) == "750 root:lvs-director" ]] &&
  [[ $(chroot "$0" stat -c "%a %U:%G" /var/lib/lvs-director) == "750 lvs-director:lvs-director" ]]' "$root"
check "postinst: the unit is enabled (multi-user.target.wants)" \
  test -L "$root/etc/systemd/system/multi-user.target.wants/lvs-director.service"
check "systemd-analyze verify accepts the installed unit" in_root systemd-analyze verify lvs-director.service
printf 'admin ops deb-test-admin-token-0123456789\n' >"$root/etc/lvs-director/tokens"
in_root chown lvs-director:lvs-director /etc/lvs-director/tokens
chmod 0600 "$root/etc/lvs-director/tokens"
check "the installed lvs-director check (wrapper, launcher, jar, JRE) accepts the packaged config" \
  in_root lvs-director check --user lvs-director /etc/lvs-director/director.yml
sed -i 's/^  level: INFO$/  level: WARN/' "$root/etc/lvs-director/director.yml"
check "a reinstall keeps the admin's edited conffile" bash -c '
  chroot "$0" env DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold /tmp/lvs-director.deb &&
  grep -qx "  level: WARN" "$0/etc/lvs-director/director.yml"' "$root"
check "dpkg --purge removes the files, the config, the state directory and the unit's enablement" bash -c '
  chroot "$0" dpkg --purge lvs-director &&
  [[ ! -e $0/usr/share/lvs-director && ! -e $0/etc/lvs-director && ! -e $0/var/lib/lvs-director ]] &&
  [[ ! -e $0/etc/systemd/system/multi-user.target.wants/lvs-director.service ]] &&
  [[ ! -e $0/lib/systemd/system/lvs-director.service && ! -e $0/usr/bin/lvs-director ]]' "$root"
[[ $failed -eq 0 ]]
