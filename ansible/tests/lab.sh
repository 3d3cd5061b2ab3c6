#!/usr/bin/env bash
# lab.sh RS_ROOT DIR1_ROOT DIR2_ROOT — the lab half of ansible/test.sh, in one boot of the lab kernel:
# realserver-lab.sh, then failover-lab.sh. Exit status 0 only when both passed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
status=0
"$here/realserver-lab.sh" "$1" "$2" || status=1
"$here/failover-lab.sh" "$2" "$3" || status=1
exit "$status"
