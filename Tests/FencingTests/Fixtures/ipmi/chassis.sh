#!/bin/bash
# chassis_control program of the simulated BMC. The "host" is a process: power on
# starts it (detached), power off sends it SIGTERM. Its PID is in STATE/host.pid and
# every transition is appended to STATE/power.log, so tests can observe the power state.
# Fault injection: a file STATE/bmc_fail makes every request fail.
state=$1
shift
pidfile=$state/host.pid
log=$state/power.log

alive() {
  [[ -f $pidfile ]] || return 1
  local pid
  pid=$(<"$pidfile")
  [[ -r /proc/$pid/stat ]] || return 1
  # A terminated host that nobody reaped yet is a zombie: that is "off".
  ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$pid/stat"
}

power_on() {
  alive && return 0
  setsid sleep 100000 </dev/null >/dev/null 2>&1 &
  echo $! >"$pidfile"
  echo "on $!" >>"$log"
}

power_off() {
  if alive; then
    local pid
    pid=$(<"$pidfile")
    kill "$pid"
    echo "off $pid" >>"$log"
    for _ in $(seq 50); do alive || break; sleep 0.02; done
  fi
  rm -f "$pidfile"
}

[[ -e $state/bmc_fail ]] && exit 1
case "$1 $2" in
  "get power") if alive; then echo "power:1"; else echo "power:0"; fi ;;
  "set power") if [[ $3 == 1 ]]; then power_on; else power_off; fi ;;
  "set reset") power_off; power_on ;;
esac
exit 0
