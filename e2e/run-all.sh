#!/usr/bin/env bash
# All end-to-end tests: the test cluster itself, then the scenarios on a real
# haclusterd cluster (needs root and a build: `swift build`). Each test script
# is bounded in time; one PASS/FAIL line per scenario; exit 0 only if all passed.
# E2E_ONLY="failover.sh admin.sh" runs a subset.
set -uo pipefail
cd "$(dirname "$0")"
[[ $(id -u) == 0 ]] || { echo "e2e: needs root (network namespaces, cgroups)" >&2; exit 1; }
if [[ -n ${E2E_ONLY:-} ]]; then tests=($E2E_ONLY)
else   # the cluster itself first, then every other test script
  tests=(cluster-infra.sh)
  for t in *.sh; do [[ $t == cluster-infra.sh || $t == run-all.sh || $t == lib.sh ]] || tests+=("$t"); done
fi
limit=${E2E_SCRIPT_TIMEOUT:-420}
failed=0 t0=$(date +%s)
summary=$(mktemp /tmp/e2e-summary.XXXXXX)
for t in "${tests[@]}"; do
  echo "== e2e/$t"
  timeout --kill-after=20 "$limit" "./$t" 2> >(sed 's/^/    /' >&2) | tee -a "$summary" || {
    rc=$?; ((rc == 124)) && echo "FAIL $t timed out after ${limit}s" | tee -a "$summary"; failed=1; }
done
sleep 0.2; echo "== summary"; grep -E '^(PASS|FAIL)' "$summary"; rm -f "$summary"
echo "== e2e: $([[ $failed == 0 ]] && echo passed || echo FAILED) in $(( $(date +%s) - t0 ))s"
exit $failed
