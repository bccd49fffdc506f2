#!/usr/bin/env bash
# A private systemd SYSTEM instance for tests: a real `systemd --system` as PID 1 of its own
# PID namespace, with its own D-Bus system bus (dbus-daemon --system); no effect on the host.
#
#   scripts/testlib/system-manager.sh start DIR [TAG]
#       Starts /usr/lib/systemd/systemd --system as PID 1 of new PID, mount, UTS, IPC and
#       network namespaces (container mode: container=haclusterd-test), in its own cgroup
#       `hacd-sm-TAG`. Inside:
#         - / is read-only. DIR and each directory of HACD_SM_WRITABLE (colon-separated,
#           absolute, existing, not under /run, /var, /dev, /proc or /sys) are bind-mounted
#           read-write over themselves: a test's scratch directory (config, state, control
#           socket) is the same on both sides;
#         - /run, /var and /dev are private tmpfs (/dev: null zero full random urandom tty,
#           pts, shm; no kmsg, disks or watchdog); /proc is the namespace's own with /proc/sys
#           and /proc/sysrq-trigger read-only; /sys read-only; /sys/fs/cgroup shows only the
#           hierarchies systemd uses (v2; on a hybrid host also v1 name=systemd), no v1
#           controller; the host's namespace files (/run/netns/NAME) are unmounted;
#         - the only unit files are those of DIR/units (SYSTEMD_UNIT_PATH; no generators):
#           default.target = dbus.socket + dbus.service, the targets that default
#           dependencies name, and the power-off chain. No unit of the host can start.
#       Waits (bounded) until default.target is reached (`is-system-running` running or
#       degraded) and org.freedesktop.systemd1 is on the system bus, then prints shell
#       assignments to stdout:
#         HACD_SM_PID              host PID of the instance's PID 1 (also in DIR/init.pid)
#         HACD_SM_DIR              DIR
#         HACD_SM_UNIT_DIR         DIR/units: write unit files there, then `daemon-reload`
#         DBUS_SYSTEM_BUS_ADDRESS  unix:path=DIR/run/system_bus_socket: the instance's system
#                                  bus (the dbus-daemon behind /run/dbus/system_bus_socket
#                                  inside), reachable from the host
#         HACD_SM_PRIVATE_BUS      unix:path=/proc/PID/root/run/systemd/private (PID 1 direct)
#       Processes started as units of the instance reach it with sd_bus_open_system() as on
#       a production machine (/run/dbus/system_bus_socket; no DBUS_SYSTEM_BUS_ADDRESS).
#       Environment: HACD_SM_JOURNALD=1 also starts a systemd-journald in the instance
#       (volatile, in its /run/log); HACD_SM_TIMEOUT (seconds, default 30) bounds the boot.
#
#   scripts/testlib/system-manager.sh systemctl DIR ARGS...
#       systemctl inside the instance (its mount and PID namespaces; root: /run/systemd/private).
#
#   scripts/testlib/system-manager.sh exec DIR CMD ARGS...
#       CMD inside the instance's mount and PID namespaces (its /run, its PIDs), e.g.
#       `journalctl -o short-precise`, `busctl --system list`.
#
#   scripts/testlib/system-manager.sh stop DIR [TAG]
#       Powers the instance off (SIGRTMIN+4 to its PID 1: units stopped in order, then
#       systemd-shutdown exits, which ends the PID namespace), SIGKILL to that PID 1 after
#       10 s (the kernel then kills every process of the namespace), kills what is left in
#       the cgroup and removes it. Only signals a PID that is PID 1 of its own PID namespace.
#       Idempotent. Leaves DIR in place.
#
# DIR: absolute path on the host file system (e.g. under /tmp), short (socket paths).
# TAG (default: basename of DIR) names the cgroup; keep it unique per instance.
# Needs root; util-linux (unshare, nsenter), systemd (systemd, systemctl, busctl, journald),
# dbus-daemon + dbus-system-bus-common (Debian: package dbus).
set -euo pipefail

usage() { echo "usage: $0 start DIR [TAG] | stop DIR [TAG] | systemctl DIR ARGS... | exec DIR CMD..." >&2; exit 2; }
(($# >= 2)) || usage
cmd=$1
dir=$2
[[ $dir == /* ]] || { echo "system-manager: DIR must be absolute: $dir" >&2; exit 2; }
shift 2

init_pid() { [[ -r $dir/init.pid ]] && cat "$dir/init.pid" || true; }

case $cmd in
systemctl | exec)
  pid=$(init_pid)
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || { echo "system-manager: no instance running for $dir" >&2; exit 1; }
  if [[ $cmd == systemctl ]]; then
    exec nsenter -t "$pid" -m -p -- systemctl --no-pager "$@"
  fi
  exec nsenter -t "$pid" -m -p -- "$@"
  ;;
esac

tag=${1:-$(basename "$dir")}
cgname="hacd-sm-$tag"
# The hierarchies systemd uses: pure cgroup v2 (/sys/fs/cgroup), or on a hybrid host the v2
# one (/sys/fs/cgroup/unified) and the v1 name=systemd one. v1 controllers stay out of it.
cgroup_roots=()
if [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]; then
  cgroup_roots=(/sys/fs/cgroup)
else
  for root in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd; do
    [[ -e $root/cgroup.procs ]] && cgroup_roots+=("$root")
  done
fi

# shellcheck source=cgroups.sh
source "$(dirname "${BASH_SOURCE[0]}")/cgroups.sh"

write_units() {
  local units=$1 dbus_daemon
  dbus_daemon=$(command -v dbus-daemon) || { echo "system-manager: dbus-daemon not found (package dbus)" >&2; exit 1; }
  rm -rf "$units"
  mkdir -p "$units"
  # What systemd's default dependencies of services, sockets and targets refer to.
  for target in sysinit basic sockets timers paths local-fs remote-fs network network-online slices; do
    printf '[Unit]\nDescription=%s (test instance)\n' "$target.target" >"$units/$target.target"
  done
  for target in shutdown umount; do
    printf '[Unit]\nDescription=%s (test instance)\nDefaultDependencies=no\nRefuseManualStart=yes\n' "$target.target" >"$units/$target.target"
  done
  cat >"$units/final.target" <<'EOF'
[Unit]
Description=final.target (test instance)
DefaultDependencies=no
RefuseManualStart=yes
After=shutdown.target umount.target
EOF
  cat >"$units/poweroff.target" <<'EOF'
[Unit]
Description=Power off the test instance
DefaultDependencies=no
Requires=systemd-poweroff.service
After=systemd-poweroff.service
AllowIsolate=yes
JobTimeoutSec=30s
JobTimeoutAction=poweroff-force
EOF
  cat >"$units/systemd-poweroff.service" <<'EOF'
[Unit]
Description=Power off the test instance
DefaultDependencies=no
Requires=shutdown.target umount.target final.target
After=shutdown.target umount.target final.target
SuccessAction=poweroff-force
EOF
  cat >"$units/dbus.socket" <<EOF
[Unit]
Description=D-Bus system bus socket (test instance)
[Socket]
ListenStream=/run/dbus/system_bus_socket
ListenStream=$dir/run/system_bus_socket
EOF
  cat >"$units/dbus.service" <<EOF
[Unit]
Description=D-Bus system bus (test instance)
Requires=dbus.socket
[Service]
Type=notify
NotifyAccess=main
ExecStart=$dbus_daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only
EOF
  local wants="dbus.socket dbus.service"
  if [[ ${HACD_SM_JOURNALD:-0} == 1 ]]; then
    cat >"$units/systemd-journald.socket" <<'EOF'
[Unit]
Description=Journal socket (test instance)
DefaultDependencies=no
Before=sockets.target
[Socket]
ListenDatagram=/run/systemd/journal/socket
ListenStream=/run/systemd/journal/stdout
PassCredentials=yes
PassSecurity=yes
SocketMode=0666
Service=systemd-journald.service
EOF
    cat >"$units/systemd-journald.service" <<'EOF'
[Unit]
Description=Journal (test instance)
DefaultDependencies=no
Requires=systemd-journald.socket
After=systemd-journald.socket
Before=sysinit.target
[Service]
Type=notify
ExecStart=/usr/lib/systemd/systemd-journald
Sockets=systemd-journald.socket
RuntimeDirectory=systemd/journal
RuntimeDirectoryPreserve=yes
StandardOutput=null
Restart=always
FileDescriptorStoreMax=4224
RestartSec=0
EOF
    wants="systemd-journald.socket systemd-journald.service $wants"
  fi
  cat >"$units/default.target" <<EOF
[Unit]
Description=Test instance: D-Bus system bus only
Requires=$wants
After=$wants
AllowIsolate=yes
EOF
}

case $cmd in
start)
  [[ $(id -u) == 0 ]] || { echo "system-manager: must run as root" >&2; exit 1; }
  ((${#cgroup_roots[@]} > 0)) || { echo "system-manager: no cgroup v2 or name=systemd hierarchy under /sys/fs/cgroup" >&2; exit 1; }
  missing=()
  for tool in /usr/lib/systemd/systemd systemctl busctl dbus-daemon unshare nsenter; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [[ -e /usr/share/dbus-1/system.conf ]] || missing+=(/usr/share/dbus-1/system.conf)
  ((${#missing[@]} == 0)) || { echo "system-manager: missing ${missing[*]} (Debian packages: systemd dbus util-linux)" >&2; exit 1; }
  writable=${HACD_SM_WRITABLE:-}
  IFS=: read -r -a extra <<<"$writable"
  for path in "$dir" "${extra[@]}"; do
    [[ -z $path ]] && continue
    case $path in
    /run | /run/* | /var | /var/* | /dev | /dev/* | /proc | /proc/* | /sys | /sys/* | /)
      echo "system-manager: $path would be hidden in the instance (private /run, /var, /dev, /proc, /sys)" >&2; exit 2 ;;
    esac
    [[ $path == "$dir" || ($path == /* && -d $path) ]] || { echo "system-manager: HACD_SM_WRITABLE entry is not an absolute directory: $path" >&2; exit 2; }
  done
  if [[ -r $dir/init.pid ]] && kill -0 "$(<"$dir/init.pid")" 2>/dev/null; then
    echo "system-manager: an instance already runs for $dir" >&2; exit 1
  fi
  mkdir -p "$dir/run" "$dir/empty"
  rm -f "$dir/run/system_bus_socket" "$dir/init.pid" "$dir/unshare.pid"
  write_units "$dir/units"
  for root in "${cgroup_roots[@]}"; do mkdir -p "$root/$cgname"; done
  journald=${HACD_SM_JOURNALD:-0}

  # Runs as PID 1 of the new namespaces (unshare --fork), then execs systemd.
  inner=$(cat <<'INNER'
    set -eu
    # Only ever PID 1 of a fresh PID namespace: a systemd --system (and its power-off
    # reboot(2)) outside of one would act on the machine.
    [ "$$" = 1 ] || { echo "system-manager: not PID 1 of a new PID namespace" >&2; exit 1; }
    d=$HACD_SM_DIR
    for cg in $HACD_SM_CGROUPS; do echo 0 >"$cg/cgroup.procs"; done
    # The copied mount table holds the host's namespace files (/run/netns/NAME, ...): they
    # would keep those namespaces alive after the host deletes them. Drop them.
    awk '$0 ~ / - nsfs / { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
    # /sys/fs/cgroup: only the hierarchies systemd uses (hybrid host), staged under /run.
    if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
      hierarchies=""
      for h in unified systemd; do [ -e /sys/fs/cgroup/$h/cgroup.procs ] && hierarchies="$hierarchies $h"; done
      for h in $hierarchies; do mkdir -p /run/.cg/$h; mount --bind /sys/fs/cgroup/$h /run/.cg/$h; done
      mount -t tmpfs -o mode=0755,nosuid,nodev,noexec tmpfs /sys/fs/cgroup
      for h in $hierarchies; do mkdir /sys/fs/cgroup/$h; mount --move /run/.cg/$h /sys/fs/cgroup/$h; rmdir /run/.cg/$h; done
      rmdir /run/.cg
    fi
    mount -o remount,bind,ro /sys
    mount --bind /proc/sys /proc/sys
    mount -o remount,bind,ro /proc/sys
    if [ -e /proc/sysrq-trigger ]; then
      mount --bind /proc/sysrq-trigger /proc/sysrq-trigger
      mount -o remount,bind,ro /proc/sysrq-trigger
    fi
    # A private /dev with the basic nodes of the host (no kmsg, no disks, no watchdog).
    mkdir -p /run/.dev
    mount -t tmpfs -o mode=0755,nosuid tmpfs /run/.dev
    for node in null zero full random urandom tty; do
      touch /run/.dev/$node
      mount --bind /dev/$node /run/.dev/$node
    done
    mkdir /run/.dev/pts /run/.dev/shm
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /run/.dev/pts
    ln -s pts/ptmx /run/.dev/ptmx
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /run/.dev/shm
    ln -s /proc/self/fd /run/.dev/fd
    ln -s /proc/self/fd/0 /run/.dev/stdin
    ln -s /proc/self/fd/1 /run/.dev/stdout
    ln -s /proc/self/fd/2 /run/.dev/stderr
    mount --move /run/.dev /dev
    rmdir /run/.dev
    # A fresh, empty /var (StateDirectory=, LogsDirectory=, /var/lib/systemd; no journal
    # files of the host), as on a machine just installed.
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /var
    mkdir -p /var/lib /var/log /var/cache /var/spool
    mkdir -m 1777 /var/tmp
    ln -s ../run /var/run
    ln -s ../run/lock /var/lock
    # Read-only root; the test directories stay writable (binds over themselves).
    mount --bind "$d" "$d"
    old_ifs=$IFS; IFS=:
    for path in $HACD_SM_WRITABLE; do [ -n "$path" ] && mount --bind "$path" "$path"; done
    IFS=$old_ifs
    mount -o remount,bind,ro /
    # Only the unit files of DIR/units, no generators; container mode; nothing else of the
    # caller's environment. PID 1 logs to the journal (HACD_SM_JOURNALD=1), else nowhere.
    exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin container=haclusterd-test \
      SYSTEMD_UNIT_PATH="$d/units" SYSTEMD_GENERATOR_PATH="$d/empty" SYSTEMD_ENVIRONMENT_GENERATOR_PATH="$d/empty" \
      /usr/lib/systemd/systemd --system --show-status=no
INNER
  )
  cgroups=""
  for root in "${cgroup_roots[@]}"; do cgroups+="$root/$cgname "; done
  (
    export HACD_SM_DIR="$dir" HACD_SM_CGROUPS="$cgroups" HACD_SM_WRITABLE="$writable" HACD_SM_JOURNALD="$journald"
    unset DBUS_SYSTEM_BUS_ADDRESS DBUS_SESSION_BUS_ADDRESS NOTIFY_SOCKET INVOCATION_ID JOURNAL_STREAM LISTEN_FDS LISTEN_PID WATCHDOG_USEC WATCHDOG_PID
    cd /
    exec setsid unshare --pid --fork --kill-child=KILL --mount --propagation private --mount-proc --uts --ipc --net \
      -- sh -c "$inner" </dev/null >"$dir/init.log" 2>&1
  ) &
  upid=$!
  echo "$upid" >"$dir/unshare.pid"
  limit=${HACD_SM_TIMEOUT:-30}
  deadline=$((SECONDS + limit))
  fail() {
    echo "system-manager: $1; log:" >&2
    tail -n 60 "$dir/init.log" >&2 || true
    [[ -n ${pid:-} ]] && timeout 5 nsenter -t "$pid" -m -p -- journalctl --no-pager -n 60 >&2 2>/dev/null || true
    "$0" stop "$dir" "$tag" >/dev/null 2>&1 || true
    exit 1
  }
  # The host PID of the namespace's PID 1: unshare's only child.
  pid=""
  until [[ -n $pid ]]; do
    kill -0 "$upid" 2>/dev/null || fail "unshare exited during start-up"
    ((SECONDS < deadline)) || fail "no PID 1 after ${limit}s"
    pid=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null | awk '{print $1}') || true
    [[ -n $pid ]] || sleep 0.02
  done
  echo "$pid" >"$dir/init.pid"
  # Booted: default.target reached (running, or degraded when some unit failed).
  state=""
  until [[ $state == running || $state == degraded ]]; do
    kill -0 "$pid" 2>/dev/null || fail "systemd exited during start-up"
    ((SECONDS < deadline)) || fail "instance not booted after ${limit}s (state '$state')"
    sleep 0.1
    state=$(timeout 5 nsenter -t "$pid" -m -p -- systemctl is-system-running 2>/dev/null) || true
  done
  # The bus: dbus-daemon has taken the name of the bus and systemd has registered on it.
  until DBUS_SYSTEM_BUS_ADDRESS="unix:path=$dir/run/system_bus_socket" timeout 5 busctl --system --no-pager status org.freedesktop.systemd1 >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || fail "systemd exited during start-up"
    ((SECONDS < deadline)) || fail "org.freedesktop.systemd1 not on the system bus after ${limit}s"
    sleep 0.1
  done
  cat <<EOF
HACD_SM_PID=$pid
HACD_SM_DIR=$dir
HACD_SM_UNIT_DIR=$dir/units
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$dir/run/system_bus_socket
HACD_SM_PRIVATE_BUS=unix:path=/proc/$pid/root/run/systemd/private
EOF
  ;;
stop)
  pid=$(init_pid)
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    # Only a process that is PID 1 of its own PID namespace (NSpid "HOSTPID 1").
    if grep -Eq "^NSpid:[[:space:]]+$pid[[:space:]]+1\$" "/proc/$pid/status" 2>/dev/null; then
      kill -s RTMIN+4 "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  upid=$([[ -r $dir/unshare.pid ]] && cat "$dir/unshare.pid" || true)
  # unshare exits with its child; a PID that is no longer unshare may belong to anyone.
  if [[ -n $upid ]]; then
    for _ in $(seq 1 50); do [[ $(cat "/proc/$upid/comm" 2>/dev/null) == unshare ]] || break; sleep 0.1; done
    [[ $(cat "/proc/$upid/comm" 2>/dev/null) == unshare ]] && kill -KILL "$upid" 2>/dev/null || true
  fi
  rm -f "$dir/init.pid" "$dir/unshare.pid"
  kill_cgroup_members
  remove_cgroups
  ;;
*) usage ;;
esac
