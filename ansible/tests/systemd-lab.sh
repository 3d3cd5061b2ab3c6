#!/usr/bin/env bash
# systemd-lab.sh ROOT REPO OUT — boots the Debian root ROOT (a director the roles configured: the package
# installed, the config, tokens, keepalived) under the lab's user-mode-linux kernel with systemd as PID 1,
# runs tests/systemd-boot-test.sh there as a unit once the system is up, and prints its "ok"/"FAIL" lines.
#
# ROOT is changed (a throwaway overlay): the lab kernel's modules are copied into it (/lib/modules/<version>,
# for systemd-modules-load) with two lab units. It is booted from an ext4 image made from it
# (mkfs.ext4 -d, OUT/root.img, removed afterwards) on the kernel's block device ubda: on the host's root
# (hostfs) a file the service user creates is not its own, so the state file could not be written.
# Inside, the host's root is mounted at /host (hostfs) for the lab's topology script, nginx and wrk, which
# the Debian root does not carry, and for the results: OUT/output (the check lines), OUT/security.txt
# (systemd-analyze security), OUT/journal.txt (the service's journal), OUT/keepalived-journal.txt (keepalived's).
# Exit status: the boot test's (0 when every check passed), 124 on timeout, 125 when the boot failed.
set -uo pipefail
root=${1:?usage: systemd-lab.sh ROOT REPO OUT}
repo=${2:?usage: systemd-lab.sh ROOT REPO OUT}
out=${3:?usage: systemd-lab.sh ROOT REPO OUT}
here=$(cd "$(dirname "$0")" && pwd)
timeout_s=${LVSD_SYSTEMD_LAB_TIMEOUT:-600}
# shellcheck source=lab/uml-kernel.sh
source "$here/../../lab/uml-kernel.sh"
uml=$UML_BIN
version=$UML_VERSION
[[ -x $uml && -n $version && -d $UML_MODULES/$version ]] || { echo "   FAIL systemd: no user-mode-linux kernel (lab/install-deps.sh)"; exit 125; }

# The kernel's modules where systemd-modules-load (kmod) looks for them.
rm -rf "$root/lib/modules/$version"
mkdir -p "$root/lib/modules"
cp -a "$UML_MODULES/$version" "$root/lib/modules/$version"

mkdir -p "$root/lab" "$root/host" "$out"
out=$(cd "$out" && pwd)
rm -f "$out/output" "$out/done" "$out/net.log" "$out/security.txt" "$out/journal.txt"
cp "$here/systemd-boot-test.sh" "$root/lab/boot-test.sh"
chmod 0755 "$root/lab/boot-test.sh"
printf 'LAB_REPO=%q\nLAB_OUT=%q\n' "$repo" "$out" >"$root/lab/env"

# Before keepalived and lvs-director: the host's root at /host, the lab's segment (br0, real servers
# rs1 and rs2 with nginx, a client) and this director's eth0 on it, as lab/topo.sh builds them.
cat >"$root/etc/systemd/system/lab-net.service" <<'EOF'
[Unit]
Description=lab: the host's root at /host, the DR segment and eth0
DefaultDependencies=no
After=local-fs.target systemd-modules-load.service
Before=network-pre.target keepalived.service lvs-director.service
Wants=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/lab/boot-test.sh net

[Install]
WantedBy=sysinit.target
EOF
cat >"$root/etc/systemd/system/lab-test.service" <<'EOF'
[Unit]
Description=lab: the checks, then power off
After=multi-user.target lvs-director.service keepalived.service

[Service]
Type=oneshot
ExecStart=/lab/boot-test.sh test
ExecStopPost=/bin/systemctl poweroff --no-block
TimeoutStartSec=480

[Install]
WantedBy=multi-user.target
EOF
ln -sfn /etc/systemd/system/lab-net.service "$root/etc/systemd/system/sysinit.target.wants/lab-net.service" 2>/dev/null ||
  { mkdir -p "$root/etc/systemd/system/sysinit.target.wants"; ln -sfn /etc/systemd/system/lab-net.service "$root/etc/systemd/system/sysinit.target.wants/lab-net.service"; }
ln -sfn /etc/systemd/system/lab-test.service "$root/etc/systemd/system/multi-user.target.wants/lab-test.service"
# No login prompts on a console nobody types into; no policy-rc.d in a booted system.
ln -sfn /dev/null "$root/etc/systemd/system/getty@tty1.service"
ln -sfn /dev/null "$root/etc/systemd/system/serial-getty@.service"
ln -sfn /dev/null "$root/etc/systemd/system/console-getty.service"
rm -f "$root/usr/sbin/policy-rc.d"
# systemd: a hostname and a machine id, as an installer would leave them.
echo sd1 >"$root/etc/hostname"
[[ -s $root/etc/machine-id ]] || (cat /proc/sys/kernel/random/uuid | tr -d - >"$root/etc/machine-id")

console=$out/console.log
start=$SECONDS
img=$out/root.img
rm -f "$img"
truncate -s 3G "$img"
mkfs.ext4 -q -F -L lab-root -d "$root" "$img" || { echo "   FAIL systemd: mkfs.ext4 -d of the root"; exit 125; }
status=0
# setsid: the kernel forks one host process per UML process; its process group is killed as a whole.
setsid "$uml" mem=1536M ubd0="$img" root=/dev/ubda rw \
  init=/lib/systemd/systemd systemd.show_status=false con=null con0=fd:0,fd:1 \
  </dev/null >"$console" 2>&1 &
uml_pid=$!
trap 'kill -KILL -- "-$uml_pid" 2>/dev/null; rm -f "$img"' EXIT
while kill -0 "$uml_pid" 2>/dev/null; do
  if ((SECONDS - start > timeout_s)); then
    kill -KILL -- "-$uml_pid" 2>/dev/null
    status=124
    break
  fi
  sleep 1
done
wait "$uml_pid" 2>/dev/null
elapsed=$((SECONDS - start))
rm -f "$img"
if [[ -s $out/output ]]; then
  cat "$out/output"
fi
if [[ $status -eq 124 ]]; then
  echo "   FAIL systemd: the boot did not end within ${timeout_s}s"
  tail -n 40 "$console" | sed 's/^/        /'
  exit 124
fi
if [[ ! -e $out/done ]]; then
  echo "   FAIL systemd: the boot ended before its checks did (after ${elapsed}s); its last words:"
  tail -n 40 "$console" | sed 's/^/        /'
  [[ -s $out/net.log ]] && tail -n 20 "$out/net.log" | sed 's/^/        /'
  exit 125
fi
echo "   (systemd boot from the ext4 image, checks and power-off: ${elapsed}s)"
grep -q '^   FAIL ' "$out/output" && exit 1
exit 0
