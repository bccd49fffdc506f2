#!/usr/bin/env bash
# Reload in place (`hactl reload`, what ExecReload runs, and SIGHUP) on a live cluster:
#   reload          hactl reload on the active node, same binary
#   upgrade         a new haclusterd file installed over the old one (new inode), then
#                   hactl reload on every node in turn, the active one first
#   invalid-config  an unknown key, then a cluster.name change: refused (file:line:key,
#                   exit 1), nothing re-executed
#   sighup          kill -HUP of the active daemon
#   config-drift    the file edited and reloaded on one standby node only: hactl status on
#                   the active node warns, naming that node and the [service] section; once
#                   every node reloaded, the warning is gone; nodes show their release
#   maintenance-reload  maintenance on, then the active node reloaded and a standby daemon
#                   restarted: maintenance is still on everywhere, nothing moved
#   *-three         each of them on the 3-full-node variant (the others run with a witness)
# Each checks: same daemon PID, same demo.service MainPID, term unchanged, no fence
# call, the client probe (a request to the VIP every 10 ms) never waits > 50 ms, plus
# the common checks (journal overlap, VIP sampler).
# The nodes run a private copy of the built binaries (the upgrade replaces it).
# Usage: e2e/reload.sh [scenario...]
set -uo pipefail
source "$(dirname "$0")/lib.sh"

E2E_RELOAD_MAX_GAP_MS=${E2E_RELOAD_MAX_GAP_MS:-50}

# The fence agent's power actions (its monitor calls are not fencing).
e2e_fence_calls() { grep -cE 'action=(reboot|off|on) ' "$HATC_DIR/fence.log" 2>/dev/null; }
e2e_term() { e2e_status "$1" 's["term"]'; }
e2e_reloads() { grep -c 'reloaded in place' "$HATC_DIR/nodes/$1/haclusterd.log"; }
e2e_exe_inode() { stat -L -c %i "/proc/$1/exe"; }

# Records what must not change, around the reload.
reload_before() {
  local a=$E2E_ACTIVE
  R_DAEMON=$(e2e_daemon_pid "$a"); R_DEMO=$(e2e_demo_pid "$a"); R_TERM=$(e2e_term n3)
  : >"$HATC_DIR/fence.log"
  # A fresh probe: its longest gap is the reload's.
  e2e_probe_stop >/dev/null
  e2e_probe_start 15 || check "the client probe answers again" false
  sleep 1
  e2e_log "active $a: haclusterd $R_DAEMON, demo.service $R_DEMO, term $R_TERM"
}

reload_after() {
  local a=$E2E_ACTIVE what=$1
  sleep 2
  local pj gap; pj=$(e2e_probe_stop); gap=$(e2e_json "$pj" max_gap_ms 2>/dev/null)
  e2e_log "probe over the $what: $pj"
  check "the client never waited more than ${E2E_RELOAD_MAX_GAP_MS} ms (longest gap ${gap:-?} ms)" \
    test "${gap%.*}" -le "$E2E_RELOAD_MAX_GAP_MS" 2>/dev/null
  e2e_probe_start 15 || check "the client probe answers again" false
  check "haclusterd on $a kept its PID $R_DAEMON" test "$(e2e_daemon_pid "$a")" = "$R_DAEMON"
  check "haclusterd $R_DAEMON still runs" kill -0 "$R_DAEMON"
  check "demo.service on $a kept its MainPID $R_DEMO (now $(e2e_demo_pid "$a"))" test "$(e2e_demo_pid "$a")" = "$R_DEMO"
  check "the term stayed $R_TERM (now $(e2e_term n3))" test "$(e2e_term n3)" = "$R_TERM"
  check "the term on $a is $R_TERM" test "$(e2e_term "$a")" = "$R_TERM"
  check "no fence call ($(e2e_fence_calls) in fence.log)" test "$(e2e_fence_calls)" = 0
  local silent; silent=$(grep -o 'silent for [0-9]* ms' "$HATC_DIR/nodes/$a/haclusterd.log" | tail -1)
  E2E_DETAIL="gap=${gap:-?}ms${silent:+ (haclusterd $silent)}"
}

reload() {
  local a=$E2E_ACTIVE
  reload_before
  e2e_log "hactl reload on $a"
  local out; out=$(hactl_on "$a" reload 2>&1); local rc=$?
  e2e_log "hactl reload: $out"
  check "hactl reload exits 0" test $rc -eq 0
  check "$a logged the reload" test "$(e2e_reloads "$a")" -ge 1
  reload_after reload
}
reload_three() { reload; }
upgrade_three() { upgrade; }
invalid_config_three() { invalid_config; }
sighup_three() { sighup; }

sighup() {
  local a=$E2E_ACTIVE
  reload_before
  e2e_log "kill -HUP $R_DAEMON on $a"
  kill -HUP "$R_DAEMON"
  hatc_wait 10 "the reload after SIGHUP" bash -c "grep -q 'reloaded in place' '$HATC_DIR/nodes/$a/haclusterd.log'"
  check "$a logged the reload after SIGHUP" test "$(e2e_reloads "$a")" -ge 1
  reload_after SIGHUP
}

upgrade() {
  local a=$E2E_ACTIVE n old new
  reload_before
  old=$(e2e_exe_inode "$R_DAEMON")
  # Installed the way package managers do it: a new file renamed over the old one.
  cp "$HATC_BIN/haclusterd" "$HATC_BIN/haclusterd.new" && mv -f "$HATC_BIN/haclusterd.new" "$HATC_BIN/haclusterd"
  new=$(stat -c %i "$HATC_BIN/haclusterd")
  check "the installed binary is a new file ($old -> $new)" test "$old" != "$new"
  for n in $a $(for x in $HATC_NODES; do [[ $x != "$a" ]] && echo "$x"; done); do
    e2e_log "hactl reload on $n"
    local out; out=$(hactl_on "$n" reload 2>&1); local rc=$?
    e2e_log "hactl reload on $n: $out"
    check "hactl reload on $n exits 0" test $rc -eq 0
    local pid; pid=$(e2e_daemon_pid "$n")
    check "haclusterd on $n ($pid) runs the new binary" test "$(e2e_exe_inode "$pid")" = "$new"
    sleep 0.5
  done
  reload_after upgrade
}

invalid_config() {
  local a=$E2E_ACTIVE conf=$HATC_DIR/etc/haclusterd.toml saved
  reload_before
  saved=$(cat "$conf")
  # An unknown key in [cluster].
  sed -i 's/^port = 5405$/port = 5405\nheartbeat_intervall = "200ms"/' "$conf"
  local line; line=$(grep -n '^heartbeat_intervall' "$conf" | cut -d: -f1)
  local out; out=$(hactl_on "$a" reload 2>&1); local rc=$?
  e2e_log "hactl reload (unknown key): rc=$rc $out"
  check "hactl reload exits 1" test $rc -eq 1
  check "the refusal names file:line: key" e2e_contains "$out" "/etc/hacluster/haclusterd.toml:$line: cluster.heartbeat_intervall"
  # A change that cannot apply live.
  printf '%s\n' "$saved" | sed "s/^name = \"$HATC_TAG\"/name = \"renamed\"/" >"$conf"
  out=$(hactl_on "$a" reload 2>&1); rc=$?
  e2e_log "hactl reload (cluster.name): rc=$rc $out"
  check "hactl reload exits 1" test $rc -eq 1
  check "the refusal names cluster.name and the procedure" e2e_contains "$out" "cluster.name changed"
  check "the refusal says to stop the whole cluster" e2e_contains "$out" "stop the whole cluster"
  # SIGHUP by hand can only log it.
  local refusals; refusals=$(grep -c 'reload refused' "$HATC_DIR/nodes/$a/haclusterd.log")
  kill -HUP "$R_DAEMON"
  hatc_wait 10 "the refusal of the SIGHUP in the log" \
    bash -c "(( \$(grep -c 'reload refused' '$HATC_DIR/nodes/$a/haclusterd.log') > $refusals ))"
  check "the SIGHUP was refused too" test "$(grep -c 'reload refused' "$HATC_DIR/nodes/$a/haclusterd.log")" -gt "$refusals"
  printf '%s\n' "$saved" >"$conf"
  sleep 0.5
  check "nothing was re-executed" test "$(e2e_reloads "$a")" = 0
  reload_after "refused reloads"
}

config_drift() {
  local a=$E2E_ACTIVE conf=$HATC_DIR/etc/haclusterd.toml saved b n
  b=$(for x in $HATC_FULL_NODES; do [[ $x != "$a" ]] && echo "$x"; done | head -1)
  reload_before
  check "no warning before the edit" test "$(e2e_status "$a" 'len(s.get("warnings") or [])')" = 0
  check "every node tells its release" test "$(e2e_status "$a" 'sorted(set(n.get("version") or "-" for n in s["nodes"]))')" = "['$(e2e_version)']"
  saved=$(cat "$conf")
  # The nodes share one file here: editing it and reloading only $b is a forgotten reload elsewhere.
  sed -i 's/^start_timeout = "20s"$/start_timeout = "25s"/' "$conf"
  local out; out=$(hactl_on "$b" reload 2>&1); local rc=$?
  e2e_log "hactl reload on $b: rc=$rc $out"
  check "hactl reload on $b exits 0" test $rc -eq 0
  local warned=""
  for _ in $(seq 1 60); do
    warned=$(e2e_status "$a" '"; ".join(s.get("warnings") or [])')
    [[ -n $warned ]] && break
    sleep 0.25
  done
  e2e_log "warnings on $a: $warned"
  check "hactl status on $a warns that the configuration differs on $b ([service])" e2e_contains "$warned" "on $b ([service])"
  local text; text=$(hactl_on "$a" status 2>&1)
  check "the text status shows the warning" e2e_contains "$text" "WARNING: configuration differs"
  check "the JSON shows $b's digest differing" test "$(e2e_status "$a" 'len(set(n["config_digest"] for n in s["nodes"] if n.get("config_digest")))')" = 2
  # The others reload too: the warning goes.
  for n in $(for x in $HATC_NODES; do [[ $x != "$b" ]] && echo "$x"; done); do
    hactl_on "$n" reload >/dev/null 2>&1 || check "hactl reload on $n exits 0" false
  done
  local left=x
  for _ in $(seq 1 60); do
    left=$(e2e_status "$a" 'len(s.get("warnings") or [])')
    [[ $left == 0 ]] && break
    sleep 0.25
  done
  check "no warning once every node reloaded" test "$left" = 0
  printf '%s\n' "$saved" >"$conf"
  for n in $HATC_NODES; do hactl_on "$n" reload >/dev/null 2>&1 || check "hactl reload on $n (back) exits 0" false; done
  reload_after "configuration drift"
}
config_drift_three() { config_drift; }

maintenance_reload() {
  local a=$E2E_ACTIVE b n
  b=$(for x in $HATC_NODES; do [[ $x != "$a" ]] && echo "$x"; done | head -1)
  reload_before
  check "hactl maintenance on exits 0" test "$(hactl_on "$a" maintenance on >/dev/null 2>&1; echo $?)" = 0
  local out; out=$(hactl_on "$a" reload 2>&1); local rc=$?
  check "hactl reload on $a exits 0" test $rc -eq 0
  e2e_log "restart haclusterd on $b (SIGTERM, then start again)"
  local pid; pid=$(e2e_daemon_pid "$b")
  kill -TERM "$pid"
  hatc_wait 30 "haclusterd on $b to exit" bash -c "! kill -0 $pid 2>/dev/null"
  cluster_start_daemon "$b"
  local answered=""
  for _ in $(seq 1 120); do
    answered=$(e2e_status "$b" 's["node"]' 2>/dev/null)
    [[ $answered == "$b" ]] && break
    sleep 0.25
  done
  check "haclusterd on $b answers again after its restart" test "$answered" = "$b"
  local on=""
  for _ in $(seq 1 60); do
    on=$(for n in $HATC_NODES; do e2e_status "$n" 's["maintenance"]'; done | tr '\n' ' ')
    [[ $on == "True True True " ]] && break
    sleep 0.25
  done
  check "maintenance is still on, on every node, after the reload and the restart ($on)" test "$on" = "True True True "
  check "hactl maintenance off exits 0" test "$(hactl_on "$a" maintenance off >/dev/null 2>&1; echo $?)" = 0
  reload_after "maintenance across a reload and a restart"
}
maintenance_reload_three() { maintenance_reload; }
e2e_version() { "$HATC_BIN/haclusterd" --version | awk '{print $2}'; }

E2E_RELOAD_BIN=$(mktemp -d /tmp/e2e-reload-bin.XXXXXX)
trap 'rm -rf "$E2E_RELOAD_BIN"' EXIT
src=$(e2e_bin)
cp "$src/haclusterd" "$src/hactl" "$E2E_RELOAD_BIN/" || { echo "FAIL reload: no built binaries in $src"; exit 1; }
chmod 755 "$E2E_RELOAD_BIN"
export HATC_BIN=$E2E_RELOAD_BIN

all=(reload upgrade invalid-config sighup config-drift maintenance-reload reload-three upgrade-three invalid-config-three sighup-three config-drift-three maintenance-reload-three)
(($#)) || set -- "${all[@]}"
for s in "$@"; do
  variant=witness; [[ $s == *-three ]] && variant=three
  e2e_scenario "$s" "${s//-/_}" --variant $variant --timings "${E2E_TIMINGS:-default}"
done
exit $E2E_FAILED
