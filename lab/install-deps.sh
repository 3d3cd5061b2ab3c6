#!/usr/bin/env bash
# install-deps.sh — installs, from Debian's packages, whatever the build and the lab need and this machine
# lacks; says what it installs, and installs nothing when everything is there.
#
#   Build:  openjdk-17-jdk-headless (unless a JDK >= 17 is on PATH), maven (unless mvn is on PATH)
#   Lab:    user-mode-linux (a Linux kernel with IPVS that runs as a process), kmod (modprobe),
#           iproute2, procps (sysctl), ipvsadm (the reference client), nginx-light (real servers),
#           curl and wrk (clients), keepalived (VRRP), bird2 (BGP for the ecmp mode), prometheus (the real scraper and promtool),
#           chromium (the status page's tests drive it headless), ca-certificates (the HTTPS probe tests' default trust),
#           ethtool (director-core/bench-probe-veth.sh: the veth pair's offloads),
#           gcc and libc6-dev (director-core/build-probe-floor.sh: ProbeLoadBenchmark's reference prober in C),
#           patchelf (lab/install-uml.sh, run last: where Debian 12's kernel cannot boot on this CPU, it
#           takes the user-mode-linux of Debian's next release)
#   Ansible tests (ansible/test.sh): ansible-core, ansible (its collections: the chroot connection),
#           ansible-lint, debootstrap (the throwaway Debian root), busybox (the DaemonSet's sh and ip)
#   Debian package test (packaging/deb/test.sh): lintian
set -euo pipefail

need=()
have_pkg() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }

java_major=0
if command -v javac >/dev/null 2>&1; then
  java_major=$(javac -version 2>&1 | sed -E 's/^javac ([0-9]+).*/\1/' || echo 0)
fi
[[ "$java_major" =~ ^[0-9]+$ && "$java_major" -ge 17 ]] || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
for pkg in user-mode-linux kmod iproute2 procps ipvsadm nginx-light curl wrk keepalived bird2 prometheus chromium ca-certificates ethtool gcc libc6-dev patchelf \
    ansible ansible-core ansible-lint debootstrap busybox lintian; do
  have_pkg "$pkg" || need+=("$pkg")
done

if [[ ${#need[@]} -eq 0 ]]; then
  echo "install-deps: everything needed is installed"
  "$(dirname "$0")/install-uml.sh"
  exit 0
fi
echo "install-deps: installing from Debian: ${need[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: not root: run 'apt-get install ${need[*]}' as root, or run this as root" >&2
  exit 1
fi
# The lab starts its own nginx and keepalived inside UML namespaces; the packages must not start host
# services at install time (they would take :80 on this machine for nothing).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1
fi
trap '[[ $created_policy == 1 ]] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-deps: installed ${need[*]}"
"$(dirname "$0")/install-uml.sh"
