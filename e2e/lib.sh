# Shared helpers of the end-to-end tests (sourced). Each test script runs one or
# more scenarios on a fresh test cluster and prints one line per scenario:
#   PASS|FAIL <scenario> outage=<ms> <details>
E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck disable=SC1091
source "$E2E_ROOT/scripts/cluster/cluster.sh"
E2E_FAILED=0
E2E_ERRORS=()

e2e_log() { printf '  [%s] %s\n' "$(date +%T.%3N)" "$*" >&2; }

# check DESCRIPTION CMD... : records a failure (does not stop the scenario).
check() {
  local what=$1; shift
  if "$@"; then e2e_log "ok: $what"; return 0; fi
  e2e_log "FAILED: $what"; E2E_ERRORS+=("$what"); return 1
}
# require DESCRIPTION CMD... : like check, but a failure ends the scenario.
require() { check "$@" || return 1; }

e2e_not() { ! "$@"; }
e2e_reset() { E2E_ERRORS=(); }
# e2e_report SCENARIO OUTAGE_MS [details]
e2e_report() {
  local name=$1 outage=$2; shift 2
  if ((${#E2E_ERRORS[@]})); then
    printf 'FAIL %-28s outage=%s %s -- %s\n' "$name" "$outage" "$*" "$(IFS=';'; echo "${E2E_ERRORS[*]}")"
    E2E_FAILED=1
    [[ -n ${HATC_DIR:-} && -d ${HATC_DIR:-/nonexistent} ]] && e2e_dump
  else
    printf 'PASS %-28s outage=%s %s\n' "$name" "$outage" "$*"
  fi
}

# On failure: the evidence, before down removes it.
e2e_dump() {
  local n
  {
    echo "---- evidence from $HATC_DIR"
    cluster_status 2>&1
    for n in $HATC_NODES; do
      echo "---- $n haclusterd.log (tail)"; tail -n 40 "$HATC_DIR/nodes/$n/haclusterd.log" 2>/dev/null
    done
    echo "---- fence.log"; tail -n 20 "$HATC_DIR/fence.log" 2>/dev/null
    echo "---- journal"; python3 "$HATC_DIR/lib/check-journal" --summary "$HATC_DIR/shared/demo-journal.log" 2>&1 | tail -n 20
    echo "---- vip sampler"; tail -n 20 "$HATC_DIR/vip-sampler.log" 2>/dev/null
  } | sed 's/^/    | /' >&2
  if [[ -n ${E2E_ARTIFACTS:-} ]]; then mkdir -p "$E2E_ARTIFACTS"; cp -r "$HATC_DIR" "$E2E_ARTIFACTS/" 2>/dev/null; fi
}

e2e_start_sampler() {
  rm -f "$HATC_DIR/vip-sampler.ready" "$HATC_DIR/vip-sampler.result"
  cluster_helper vip-sampler python3 "$HATC_DIR/lib/vip-sampler" "$HATC_DIR" "$HATC_VIP"
  hatc_wait 5 "vip sampler" test -f "$HATC_DIR/vip-sampler.ready"
}
# Stops the sampler; succeeds when no two nodes ever held the VIP at once.
e2e_sampler_clean() {
  local p; p=$(cat "$HATC_DIR/pids/vip-sampler.pid" 2>/dev/null) || return 1
  kill "$p" 2>/dev/null
  hatc_wait 5 "vip sampler result" test -s "$HATC_DIR/vip-sampler.result" || return 1
  rm -f "$HATC_DIR/pids/vip-sampler.pid"
  local r; r=$(cat "$HATC_DIR/vip-sampler.result"); e2e_log "vip sampler: $r"
  [[ $r == *" doubles=0 "* ]]
}
e2e_journal_clean() { python3 "$HATC_DIR/lib/check-journal" "$HATC_DIR/shared/demo-journal.log" >&2; }

# The client probe: started in the client namespace, stopped by e2e_probe_stop
# which prints its JSON summary.
e2e_probe_start() {
  rm -f "$HATC_DIR/probe.ready" "$HATC_DIR/probe.out"
  cluster_helper probe bash -c 'exec python3 "$0/lib/probe" --netns "/run/netns/$1-cl" --ready "$0/probe.ready" >"$0/probe.out"' \
    "$HATC_DIR" "$HATC_TAG"
  hatc_wait "${1:-15}" "first answer of the VIP" test -f "$HATC_DIR/probe.ready"
}
e2e_probe_stop() {
  local p; p=$(cat "$HATC_DIR/pids/probe.pid" 2>/dev/null) || return 1
  kill "$p" 2>/dev/null
  hatc_wait 5 "probe summary" test -s "$HATC_DIR/probe.out"
  rm -f "$HATC_DIR/pids/probe.pid"
  cat "$HATC_DIR/probe.out"
}
e2e_json() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# Who answers on the VIP (node name), or nothing.
e2e_vip_node() { cluster_curl_vip 0.5 2>/dev/null; }
