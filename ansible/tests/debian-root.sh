#!/usr/bin/env bash
# debian-root.sh CACHE_DIR — prints the path of a Debian 12 root made with debootstrap (minbase) plus the
# packages the roles need, building it once per package list: the cache key is a hash of the suite,
# mirror and package list, so a changed list makes a new root and an unchanged one is reused as is.
#
# Packages come in a second step, inside the root behind a policy-rc.d that refuses every start: the
# keepalived and java packages must never start a service on this machine's network.
set -euo pipefail
cache=${1:?usage: debian-root.sh CACHE_DIR}
suite=bookworm
mirror=${LVSD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What the roles install (so their apt tasks find everything present and stay offline; bird2 for the
# ECMP mode), plus python3 and python3-apt for Ansible's own modules, and systemd for systemctl (offline
# enable) and systemd-analyze.
packages=(python3 python3-apt systemd kmod procps iproute2 ipvsadm keepalived curl dbus openjdk-17-jre-headless bird2)
# bird2's package enables bird.service; only an ECMP director runs BIRD, and the director role enables it
# there (so the VRRP roots do not start it when booted, and the ECMP test sees the role's enable).
disabled=(bird.service)
key=$(printf '%s\n' "$suite" "$mirror" "${packages[@]}" disabled "${disabled[@]}" | sha256sum | cut -c1-16)
root=$cache/$suite-$key
if [[ -e $root/.complete ]]; then
  echo "$root"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debian-root: debootstrap is not installed" >&2; exit 1; }
mkdir -p "$cache"
if [[ ! -e $root.partial/.debootstrapped ]]; then
  rm -rf "$root.partial"
  echo "debian-root: debootstrap $suite (minbase) into $root (first run only; a few minutes)" >&2
  debootstrap --variant=minbase "$suite" "$root.partial" "$mirror" >"$cache/debootstrap-$key.log" 2>&1 ||
    { echo "debian-root: debootstrap failed; see $cache/debootstrap-$key.log" >&2; exit 1; }
  touch "$root.partial/.debootstrapped"
fi
printf '#!/bin/sh\n# Nothing starts inside this throwaway root.\nexit 101\n' >"$root.partial/usr/sbin/policy-rc.d"
chmod 0755 "$root.partial/usr/sbin/policy-rc.d"
echo "debian-root: installing ${packages[*]}" >&2
# The JRE's postinst runs java, which needs /proc.
mount -t proc proc "$root.partial/proc"
trap 'umount "$root.partial/proc" 2>/dev/null || true' EXIT
DEBIAN_FRONTEND=noninteractive chroot "$root.partial" apt-get install -y -q --no-install-recommends \
  "${packages[@]}" >>"$cache/debootstrap-$key.log" 2>&1 ||
  { echo "debian-root: apt-get install failed; see $cache/debootstrap-$key.log" >&2; exit 1; }
chroot "$root.partial" systemctl disable "${disabled[@]}" >>"$cache/debootstrap-$key.log" 2>&1 ||
  { echo "debian-root: systemctl disable ${disabled[*]} failed; see $cache/debootstrap-$key.log" >&2; exit 1; }
chroot "$root.partial" apt-get clean
umount "$root.partial/proc"
trap - EXIT
rm -f "$root.partial/.debootstrapped"
touch "$root.partial/.complete"
mv "$root.partial" "$root"
echo "$root"
