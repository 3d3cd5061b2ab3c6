#!/usr/bin/env bash
# install-uml.sh — makes sure the lab kernel boots on this host (lab/install-deps.sh runs it).
#
# Debian 12's user-mode-linux (Linux 6.1) saves and restores its processes' FPU registers through
# ptrace with an XSAVE buffer of a fixed size. On a host CPU whose XSAVE area is larger (AVX-512, AMX),
# the host kernel refuses that buffer (EFAULT), and the lab kernel dies as it starts init
# ("userspace - ptrace set fp regs failed, errno = 14"). Newer kernels size the buffer from the host.
# So: boot Debian 12's kernel once; when it cannot run a command, take the user-mode-linux package of
# Debian's next release (LVSD_UML_SUITE, default forky; a release whose libc6 lives under /usr, Debian
# 13 or later) and the C library it is built against from Debian's archive, unpack both under
# /var/cache/lvsd-uml, point the kernel at that C library (patchelf), check that it boots and loads IPVS,
# and make it the lab's kernel (lab/uml-kernel.sh picks it up). Nothing is installed into the system's
# package database, and the host's own C library is untouched.
#
# Idempotent: a chosen kernel that boots is kept. Exit 0 when the lab has a kernel that boots, 1 if not.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
suite=${LVSD_UML_SUITE:-forky}
dir=/var/cache/lvsd-uml

# What the last boot said, for the messages below (a kernel that cannot boot is not booted twice).
log=$(mktemp /tmp/lvsd-install-uml.XXXXXX)
work=""
trap 'rm -f "$log"; if [[ -n $work ]]; then rm -rf "$work"; fi' EXIT
boots() { # boots BIN MODULES: the kernel runs a command with IPVS loaded (lab/uml-run's own check)
  UML_BIN=$1 UML_MODULES=$2 "$here/uml-run" --timeout 120 --mem 512M -- true >"$log" 2>&1
}

if [[ -x $dir/linux ]] && boots "$dir/linux" "$dir/modules"; then
  echo "install-uml: the lab kernel is $("$dir/linux" --version) from Debian $(cat "$dir/suite" 2>/dev/null || echo '?') ($dir)"
  exit 0
fi
if boots /usr/bin/linux /usr/lib/uml/modules; then
  rm -rf "$dir" # a kernel chosen before that no longer boots here
  echo "install-uml: Debian 12's user-mode-linux boots on this host"
  exit 0
fi
echo "install-uml: Debian 12's user-mode-linux cannot boot on this host (its last words below); taking the one from Debian $suite"
grep -E "failed, errno|Kernel panic" "$log" | head -n 2 | sed 's/^/  /' || true
if [[ $(id -u) -ne 0 ]]; then
  echo "install-uml: not root: run lab/install-deps.sh as root" >&2
  exit 1
fi
command -v patchelf >/dev/null || { echo "install-uml: patchelf is missing (lab/install-deps.sh installs it)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/lvsd-uml.XXXXXX)
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/debs"
echo "deb http://deb.debian.org/debian $suite main" > "$work/apt/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$work/apt/sources.list" -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o "APT::Get::List-Cleanup=0"
  -o "APT::Sandbox::User=root")
apt-get -qq "${apt_opts[@]}" update
# Downloads only (the archive's signatures are checked by apt as for any package); nothing is installed.
(cd "$work/debs" && apt-get -qq "${apt_opts[@]}" download user-mode-linux libc6)
new="$work/new"
mkdir -p "$new/pkg" "$new/libc"
dpkg-deb -x "$work"/debs/user-mode-linux_*.deb "$new/pkg"
dpkg-deb -x "$work"/debs/libc6_*.deb "$new/libc"
bin=""
for b in "$new/pkg/usr/bin/linux.uml" "$new/pkg/usr/bin/linux"; do
  if [[ -f $b ]]; then bin=$b; break; fi
done
[[ -n $bin ]] || { echo "install-uml: no kernel in Debian $suite's user-mode-linux package" >&2; exit 1; }

# The final layout: $dir/linux (the kernel), $dir/libc (its C library), $dir/modules/<release>.
stage="$dir.new"
rm -rf "$stage"
mkdir -p "$stage/modules"
cp -L "$bin" "$stage/linux"
mv "$new/libc/usr/lib/x86_64-linux-gnu" "$stage/libc"
mv "$new"/pkg/usr/lib/uml/modules/* "$stage/modules/"
# The kernel's loader and libraries are the unpacked C library's, at their final place ($dir), so that
# the host's older C library is never asked for symbols it lacks.
patchelf --set-interpreter "$dir/libc/ld-linux-x86-64.so.2" --set-rpath "$dir/libc" "$stage/linux"
echo "$suite $(dpkg-deb -f "$work"/debs/user-mode-linux_*.deb Version)" > "$stage/suite"
rm -rf "$dir.old"
[[ -e $dir ]] && mv "$dir" "$dir.old"
mv "$stage" "$dir"
if ! boots "$dir/linux" "$dir/modules"; then
  echo "install-uml: Debian $suite's user-mode-linux does not boot here either; the lab has no kernel" >&2
  tail -n 5 "$log" >&2 || true
  rm -rf "$dir"
  [[ -e $dir.old ]] && mv "$dir.old" "$dir"
  exit 1
fi
rm -rf "$dir.old"
echo "install-uml: the lab kernel is $("$dir/linux" --version) from Debian $(cat "$dir/suite") ($dir)"
