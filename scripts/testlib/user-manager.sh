#!/usr/bin/env bash
# A private systemd user manager for tests: real systemd, no effect on the host's.
#
#   scripts/testlib/user-manager.sh start DIR [TAG]
#       Starts `systemd --user` in a private mount namespace (tmpfs on /run/systemd,
#       with /run/systemd/system created so the manager believes it was booted by
#       systemd) and in its own cgroup, with XDG_RUNTIME_DIR=DIR/runtime (0700),
#       XDG_CONFIG_HOME=DIR/config (units go in DIR/config/systemd/user) and HOME=DIR/home.
#       Waits (bounded) until the manager's bus sockets exist, then prints shell
#       assignments to stdout, to be eval'ed or sourced:
#         HACD_UM_PID            PID of the manager (also in DIR/manager.pid)
#         HACD_UM_DIR            DIR
#         HACD_UM_UNIT_DIR       where to write unit files (then daemon-reload)
#         XDG_RUNTIME_DIR, XDG_CONFIG_HOME
#         DBUS_SESSION_BUS_ADDRESS  unix:path=DIR/runtime/bus (the user bus, dbus-daemon)
#         HACD_UM_PRIVATE_BUS    unix:path=DIR/runtime/systemd/private (direct peer socket)
#       The bus sockets live on the host file system, so a process outside the
#       mount namespace reaches the manager with these addresses;
#       `systemctl --user` works with XDG_RUNTIME_DIR set.
#       Environment: HACD_UM_JOURNALD=1 also starts a systemd-journald inside the
#       namespace (tmpfs /run/log), for code that logs with sd_journal_sendv;
#       HACD_UM_TIMEOUT (seconds, default 20) bounds the wait for the sockets.
#
#   scripts/testlib/user-manager.sh stop DIR
#       Stops that manager by its PID (SIGTERM, then SIGKILL after 10 s), kills what is
#       left in its cgroup, removes the cgroup. Idempotent. Leaves DIR in place.
#
# DIR must be an absolute path on the host file system (e.g. under /tmp).
# TAG (default: basename of DIR) names the cgroup `hacd-um-TAG`; keep it unique per manager:
# two managers in the same cgroup share `app.slice/<unit>`, so stopping a unit on one
# would kill the same unit on the other.
set -euo pipefail

usage() { echo "usage: $0 start DIR [TAG] | stop DIR" >&2; exit 2; }
(($# >= 2)) || usage
cmd=$1
dir=$2
[[ $dir == /* ]] || { echo "user-manager: DIR must be absolute: $dir" >&2; exit 2; }
tag=${3:-$(basename "$dir")}
cgname="hacd-um-$tag"
cgroup_roots=()
for root in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
  # cgroup v2 (unified or pure) and the v1 name=systemd hierarchy, whichever exist.
  [[ -e $root/cgroup.procs ]] || continue
  [[ $root == /sys/fs/cgroup && -d /sys/fs/cgroup/unified ]] && continue
  cgroup_roots+=("$root")
done

# shellcheck source=cgroups.sh
source "$(dirname "${BASH_SOURCE[0]}")/cgroups.sh"

case $cmd in
start)
  mkdir -p "$dir/runtime" "$dir/config/systemd/user" "$dir/home"
  chmod 0700 "$dir/runtime"
  rm -f "$dir/runtime/bus" "$dir/runtime/systemd/private" "$dir/manager.pid"
  for root in "${cgroup_roots[@]}"; do mkdir -p "$root/$cgname"; done
  journald=${HACD_UM_JOURNALD:-0}
  # The inner script runs in the new mount namespace and execs the manager, so the
  # PID of the background job is the manager's PID.
  inner='
    set -e
    # The copied mount table holds the host'"'"'s namespace files (/run/netns/NAME, ...): they
    # would keep those namespaces (and their veths) alive after the host deletes them.
    awk '"'"'$0 ~ / - nsfs / { print $5 }'"'"' /proc/self/mountinfo | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
    mount -t tmpfs -o mode=0755 tmpfs /run/systemd
    mkdir -p /run/systemd/system
    if [ "$HACD_UM_JOURNALD" = 1 ]; then
      mount -t tmpfs -o mode=0755 tmpfs /run/log
      # A flush request (journalctl --flush) would make journald write to the host disk.
      if [ -d /var/log/journal ]; then mount -t tmpfs -o mode=0755 tmpfs /var/log/journal; fi
      /usr/lib/systemd/systemd-journald >/dev/null 2>&1 &
    fi
    exec /usr/lib/systemd/systemd --user
  '
  (
    for root in "${cgroup_roots[@]}"; do echo $BASHPID >"$root/$cgname/cgroup.procs"; done
    export XDG_RUNTIME_DIR="$dir/runtime" XDG_CONFIG_HOME="$dir/config" HOME="$dir/home" HACD_UM_JOURNALD="$journald"
    unset DBUS_SESSION_BUS_ADDRESS
    exec setsid unshare --mount --propagation private -- sh -c "$inner" </dev/null >"$dir/manager.log" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$dir/manager.pid"
  deadline=$((SECONDS + ${HACD_UM_TIMEOUT:-20}))
  until [[ -S $dir/runtime/bus && -S $dir/runtime/systemd/private ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "user-manager: systemd --user exited during start-up; log:" >&2
      cat "$dir/manager.log" >&2 || true
      "$0" stop "$dir" "$tag" || true
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "user-manager: no bus sockets in $dir/runtime after ${HACD_UM_TIMEOUT:-20}s; log:" >&2
      cat "$dir/manager.log" >&2 || true
      "$0" stop "$dir" "$tag" || true
      exit 1
    fi
    sleep 0.05
  done
  cat <<EOF
HACD_UM_PID=$pid
HACD_UM_DIR=$dir
HACD_UM_UNIT_DIR=$dir/config/systemd/user
XDG_RUNTIME_DIR=$dir/runtime
XDG_CONFIG_HOME=$dir/config
DBUS_SESSION_BUS_ADDRESS=unix:path=$dir/runtime/bus
HACD_UM_PRIVATE_BUS=unix:path=$dir/runtime/systemd/private
EOF
  ;;
stop)
  if [[ -r $dir/manager.pid ]]; then
    pid=$(<"$dir/manager.pid")
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/manager.pid"
  fi
  kill_cgroup_members
  remove_cgroups
  ;;
*) usage ;;
esac
