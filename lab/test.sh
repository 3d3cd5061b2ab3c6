#!/usr/bin/env bash
# test.sh — every test: unit tests on this machine, kernel tests inside the UML lab kernel, then the
# Ansible roles applied for real (ansible/test.sh).
# Installs what it needs first (lab/install-deps.sh). Exit status 0 only when every test passed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

lab/install-deps.sh

echo "== 1/3: build and unit tests on this machine"
# -Pkernel -DskipITs also fetches the failsafe plugin, so the kernel stage can run offline.
mvn -B -Pkernel -DskipITs clean verify

echo "== 2/3: kernel tests inside the UML lab kernel (real IPVS, real nginx real servers)"
kernel_status=0
lab/uml-run --timeout 2700 -- mvn -B -o -Pkernel -DskipUnitTests=true verify || kernel_status=$?

echo "== 3/3: the Ansible roles, applied for real (throwaway Debian roots, then the lab kernel)"
ansible_status=0
ansible_log=$(mktemp /tmp/lvsd-ansible-test.XXXXXX)
bash ansible/test.sh 2>&1 | tee "$ansible_log" || ansible_status=$?
ansible_line=$(grep -E '^ansible: [0-9]+ passed, [0-9]+ failed' "$ansible_log" | tail -1 || true)
rm -f "$ansible_log"
ap=$(sed -nE 's/^ansible: ([0-9]+) passed.*/\1/p' <<<"$ansible_line"); ap=${ap:-0}
af=$(sed -nE 's/^ansible: [0-9]+ passed, ([0-9]+) failed.*/\1/p' <<<"$ansible_line"); af=${af:-0}
if [[ $ansible_status -ne 0 && $af -eq 0 ]]; then af=1; fi

# Count what ran from the reports (plain shell: a fresh Debian has no python).
count() { # prints "tests failures skipped" summed over the <testsuite> elements of the given reports
  local t=0 f=0 s=0 file line
  for file in "$@"; do
    [[ -e $file ]] || continue
    line=$(grep -m1 -o '<testsuite [^>]*>' "$file" || true)
    attr() { sed -nE "s/.* $1=\"([0-9]+)\".*/\1/p" <<<"$line"; }
    t=$((t + $(attr tests))); s=$((s + $(attr skipped)))
    f=$((f + $(attr failures) + $(attr errors)))
  done
  echo "$t $f $s"
}
read -r ut uf us < <(count "$root"/*/target/surefire-reports/TEST-*.xml)
read -r kt kf ks < <(count "$root"/*/target/failsafe-reports/TEST-*.xml)
echo "== unit tests (this machine): $ut run, $uf failed, $us skipped"
echo "== kernel tests (inside UML): $kt run, $kf failed, $ks skipped"
if [[ $kernel_status -ne 0 && $kf -eq 0 ]]; then
  echo "== the kernel stage failed (exit $kernel_status) before or outside the tests: see its output above"
  kf=1
fi
echo "== ansible checks: $ap passed, $af failed"
echo "tests: $((ut + kt - uf - kf - us - ks + ap)) passed, $((uf + kf + af)) failed, $((us + ks)) skipped"
[[ $kernel_status -eq 0 && $ansible_status -eq 0 ]]
