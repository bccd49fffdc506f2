#!/usr/bin/env bash
# A haclusterd test cluster on one machine: every node is a long-lived "holder"
# process owning a network, mount and UTS namespace, with its own systemd user
# manager (in its own cgroup) and, once started, its own haclusterd.
#
# Use it as a command:   scripts/cluster/cluster.sh up [--variant witness|three|seven|two] [--timings default|fast] [--links 1|2]
#                        HATC_DIR=... scripts/cluster/cluster.sh exec n1 hactl status
# or source it:          source scripts/cluster/cluster.sh; cluster_up --variant witness; trap cluster_down EXIT
#
# Topology (all names carry the per-run tag, e.g. "hc4f2a"):
#   netns <tag>-sw   bridge br0; one port per node/client, named after it (n1, n2, n3, cl)
#   netns <tag>-n1.. eth0 198.18.10.11.. on the bridge, lo; VIP 198.18.10.50/24 moves between nodes
#                    (and HATC_VIP2, e.g. 198.18.10.51/24, when set: a second floating address)
#   netns <tag>-cl   the client, 198.18.10.100
#   --links 2 (or HATC_LINKS=2): a second network, bridge br1 in <tag>-sw with one port per
#   node named NODE-l1, eth1 198.18.11.11.. in every node; both addresses in [[node]] addresses
# Inside every node (private mount namespace): a tmpfs on /run (so /run/systemd,
# /run/user/0 = XDG_RUNTIME_DIR and /run/hacluster are per node), and bind mounts
#   <dir>/etc            -> /etc/hacluster      (one config and key for all nodes)
#   <dir>/nodes/NODE/state -> /var/lib/hacluster (per-node state)
#   <dir>/shared         -> /srv/hashared       (the shared storage)
#   <dir>/nodes/NODE/hw  -> /run/hw             (the node's "hardware": its watchdog double)
# haclusterd runs as a plain process in the node (log: <dir>/nodes/NODE/haclusterd.log);
# the managed service is the user unit demo.service of the node's user manager.
# Every process of a node lives in the cgroup <tag>/NODE (cgroup v2 "unified" and
# the v1 name=systemd hierarchy): powering a node off is cgroup.kill + links down.
#
# Opt-in doubles for the storage tie-breaker (set at `up`, kept in <dir>/env):
#   HATC_FAULTFS=1   /srv/hashared of every node is its own faultfs mount of <dir>/shared
#                    (scripts/testlib/faultfs, in the node's mount namespace, outside its
#                    cgroup; flock is forwarded, so it excludes across nodes).
#                    `cluster.sh storage NODE ok|error[:ERRNO]|hang|slow:MS` cuts one node
#                    from the storage: EIO (or ERRNO), calls that block until `ok` (a hard
#                    NFS mount: only SIGKILL ends a blocked call), or delayed calls;
#                    `storage [NODE]` shows the modes. HATC_FAULTFS_ODIRECT=refuse|refuse-io|strict:
#                    O_DIRECT opens answer EINVAL, or their reads and writes do, or I/O not
#                    512-aligned does (default pass).
#                    `down` ends blocked calls and unmounts, also after a hang.
#   HATC_WATCHDOG=1  [fencing] watchdog = "/run/hw/watchdog" (a plain file per node),
#                    watchdog_timeout = HATC_WATCHDOG_TIMEOUT s (default 3): the hardware
#                    helper powers off a node whose watchdog, once written to, was not
#                    written for that long (unless its last byte is the magic 'V'): "watchdog
#                    reset" in fence.log; HATC_WATCHDOG_ACTION=reboot boots it again.
#   HATC_FENCE=storage  no BMC: the only fence device is the built-in storage fence
#                    (agent = "storage", the poison pill in the arbiter file, msgwait
#                    2 x watchdog_timeout); needs HATC_TIEBREAKER=storage and HATC_WATCHDOG=1.
#                    A node fences itself through HACLUSTERD_TEST_SELF_FENCE_COMMAND
#                    ("NODE self-fence" in fence.log, then powered off).
# The service (set at `up`, kept in <dir>/env):
#   HATC_UNIT=demo   (default) demo.service runs demo-service.py (Python).
#   HATC_UNIT=trivial  demo.service runs demo-service.pl: the same answers, journal and readiness,
#                    in Perl's built-ins (perl-base, Essential), ready a few ms after its start
#                    (bench/failover --unit trivial).
# Opt-in etcd (set at `up`, kept in <dir>/env):
#   HATC_ETCD=1      three etcd members for [cluster] backend = "etcd": netns <tag>-e1..e3, eth0
#                    198.18.10.21..23 on br0 (switch ports e1, e2, e3), one etcd each (client URL
#                    http://IP:2379, peer URL http://IP:2380, heartbeat 50 ms, election 500 ms) in
#                    the cgroup <tag>/etcd (outside every node: a power-off never kills etcd), data
#                    <dir>/etcd/eN, log <dir>/etcd/eN.log, pid <dir>/pids/etcd-eN.pid (etcd's own).
#                    Each runs under `timeout -s KILL HATC_ETCD_LIFETIME` (default 3600 s), so
#                    nothing outlives a cluster whose `down` never ran; `down` kills them.
#                    The configuration gets backend = "etcd" and [etcd] (lease_ttl 3s, fast timings
#                    2s, or HATC_ETCD_LEASE_TTL; prefix /haclusterd/<tag>) instead of [quorum]:
#                    every node full (--variant three, two or seven; not witness).
#                    Faults: etcd-kill/etcd-start MEMBER, etcd-cut NODE/etcd-heal [NODE] (nftables
#                    table bridge hatc_etcd in the switch, apart from cut/heal's table).

HATC_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)   # where these scripts are
HATC_CG2=/sys/fs/cgroup/unified
HATC_CG1=/sys/fs/cgroup/systemd
[[ -d $HATC_CG2 && -f $HATC_CG2/cgroup.procs ]] || HATC_CG2=/sys/fs/cgroup
[[ -f $HATC_CG1/cgroup.procs ]] || HATC_CG1=""
HATC_SUBNET=198.18.10
HATC_SUBNET1=198.18.11   # the second link (--links 2)
HATC_VIP=$HATC_SUBNET.50
HATC_CLIENT_IP=$HATC_SUBNET.100
HATC_PORT=11200
HATC_ETCD_MEMBERS="e1 e2 e3"   # HATC_ETCD=1: the etcd members, 198.18.10.21..23

hatc_log() { printf '[cluster %s] %s\n' "$(date +%T.%3N)" "$*" >&2; }
hatc_die() { hatc_log "ERROR: $*"; return 1; }
hatc_now_ns() { date +%s%N; }

# Locate the cluster directory: $HATC_DIR, else the only /tmp/hatc-* directory.
hatc_dir() {
  if [[ -n ${HATC_DIR:-} ]]; then echo "$HATC_DIR"; return; fi
  local c=(/tmp/hatc-*/env)
  if ((${#c[@]} == 1)) && [[ -f ${c[0]} ]]; then dirname "${c[0]}"; return; fi
  hatc_die "no cluster: set HATC_DIR (found ${#c[@]} candidates)"
}

hatc_need() { [[ -n ${HATC_TAG:-} && -n ${HATC_DIR:-} && -n ${HATC_NODES:-} ]] || hatc_load; }
hatc_load() {
  HATC_DIR=$(hatc_dir) || return 1
  # shellcheck disable=SC1091
  source "$HATC_DIR/env"
}

hatc_node_ip() { # n1 [link] -> 198.18.10.11 (link 0), 198.18.11.11 (link 1)
  local n=${1#n} subnet=$HATC_SUBNET
  [[ ${2:-0} == 1 ]] && subnet=$HATC_SUBNET1
  echo "$subnet.$((10 + n))"
}
# The node's interface on link L (eth0, eth1) and its port on the switch (n1, n1-l1).
hatc_link_dev() { echo "eth${2:-0}"; }
hatc_port() { if [[ ${2:-0} == 0 ]]; then echo "$1"; else echo "$1-l$2"; fi; }
hatc_links() { seq 0 $(( ${HATC_LINKS:-1} - 1 )); }
hatc_holder() { cat "$HATC_DIR/nodes/$1/holder.pid"; }
hatc_cg() { echo "$HATC_CG2/$HATC_TAG/$1"; }

# Run a command inside a node's namespaces, inside the node's cgroup, with the
# node's environment. Used for everything that "runs on the node".
cluster_exec() {
  local node=$1; shift
  hatc_need || return 1
  local nd=$HATC_DIR/nodes/$node pid
  pid=$(cat "$nd/holder.pid" 2>/dev/null) || { hatc_die "no node $node"; return 1; }
  local cg2=$HATC_CG2/$HATC_TAG/$node cg1=""
  [[ -n $HATC_CG1 ]] && cg1=$HATC_CG1/$HATC_TAG/$node
  HATC_CG_TARGETS="$cg2/cgroup.procs ${cg1:+$cg1/cgroup.procs}" \
  HOME=$nd/home XDG_RUNTIME_DIR=/run/user/0 XDG_CONFIG_HOME=$nd/config \
  DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/0/bus HATC_NODE=$node HATC_DIR=$HATC_DIR \
  PATH="${HATC_BIN:+$HATC_BIN:}$PATH" \
    bash -c 'for f in $HATC_CG_TARGETS; do echo $$ > "$f"; done; unset HATC_CG_TARGETS
             exec nsenter -t "$0" -m -n -u --wd=/ -- "$@"' "$pid" "$@"
}

# Start a long-lived process in a node, detached (own session), output to a log.
hatc_spawn() { # node logfile pidfile cmd...
  local node=$1 log=$2 pidf=$3; shift 3
  cluster_exec "$node" setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$log" 2>&1 &
  local i
  for ((i = 0; i < 100; i++)); do [[ -s $pidf ]] && return 0; sleep 0.02; done
  hatc_die "could not start $* in $node"
}

hatc_wait() { # timeout_s description cmd...   (polls every 50 ms)
  local t=$1 what=$2; shift 2
  local deadline=$(( $(date +%s%N) + ${t%.*} * 1000000000 ))
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) > deadline )) && { hatc_die "timed out after ${t}s waiting for $what"; return 1; }
    sleep 0.05
  done
}

hatc_write_env() {
  cat >"$HATC_DIR/env" <<EOF
HATC_TAG=$HATC_TAG
HATC_DIR=$HATC_DIR
HATC_VARIANT=$HATC_VARIANT
HATC_TIMINGS=$HATC_TIMINGS
HATC_LINKS=${HATC_LINKS:-1}
HATC_NODES="$HATC_NODES"
HATC_FULL_NODES="$HATC_FULL_NODES"
HATC_BIN=${HATC_BIN:-}
HATC_LIB=$HATC_DIR/lib
HATC_VIP2=${HATC_VIP2:-}
HATC_TIEBREAKER=${HATC_TIEBREAKER:-}
HATC_FAULTFS=${HATC_FAULTFS:-0}
HATC_FAULTFS_ODIRECT=${HATC_FAULTFS_ODIRECT:-pass}
HATC_UNIT=${HATC_UNIT:-demo}
HATC_WATCHDOG=${HATC_WATCHDOG:-0}
HATC_WATCHDOG_TIMEOUT=${HATC_WATCHDOG_TIMEOUT:-3}
HATC_WATCHDOG_ACTION=${HATC_WATCHDOG_ACTION:-off}
HATC_FENCE=${HATC_FENCE:-}
HATC_ETCD=${HATC_ETCD:-0}
HATC_ETCD_LEASE_TTL=${HATC_ETCD_LEASE_TTL:-}
HATC_ETCD_LIFETIME=${HATC_ETCD_LIFETIME:-3600}
EOF
}

hatc_make_node() {
  local node=$1 ip nd pid
  ip=$(hatc_node_ip "$node"); nd=$HATC_DIR/nodes/$node
  mkdir -p "$nd/state" "$nd/home" "$nd/config/systemd/user" "$nd/hw"
  chmod 700 "$nd/state"
  cp "$HATC_DIR/lib/demo.service" "$nd/config/systemd/user/demo.service"
  mkdir -p "$HATC_CG2/$HATC_TAG/$node"; [[ -n $HATC_CG1 ]] && mkdir -p "$HATC_CG1/$HATC_TAG/$node"
  # The holder: owns the namespaces; sets up the node's mounts, then sleeps.
  setsid unshare --net --mount --uts --propagation private -- bash -c '
    set -e
    hostname "$1"
    mount -t tmpfs -o mode=755,size=64m "hatc-$1-run" /run
    mkdir -p /run/systemd/system /run/user/0 /run/hacluster /run/lock /run/.cg
    chmod 700 /run/user/0
    # a sysfs of this network namespace (/sys/class/net shows the links of the node),
    # with the cgroup hierarchies of the host kept at /sys/fs/cgroup
    mount --rbind /sys/fs/cgroup /run/.cg
    mount -t sysfs "hatc-$1-sys" /sys
    mount --move /run/.cg /sys/fs/cgroup
    rmdir /run/.cg
    mount --bind "$2/nodes/$1/state" /var/lib/hacluster
    mount --bind "$2/etc" /etc/hacluster
    # the shared storage: a bind of <dir>/shared, or (HATC_FAULTFS=1) a faultfs mount made next
    [[ $3 == 1 ]] || mount --bind "$2/shared" /srv/hashared
    mkdir /run/hw
    mount --bind "$2/nodes/$1/hw" /run/hw
    ip link set lo up
    echo ready > "$2/nodes/$1/holder.ready"
    exec sleep infinity' hatc-holder "$node" "$HATC_DIR" "${HATC_FAULTFS:-0}" </dev/null >>"$nd/holder.log" 2>&1 &
  pid=$!
  echo "$pid" >"$nd/holder.pid"
  hatc_wait 5 "holder of $node" test -f "$nd/holder.ready" || return 1
  if [[ ${HATC_FAULTFS:-0} == 1 ]]; then hatc_storage_mount "$node" || return 1; fi
  ip netns attach "$HATC_TAG-$node" "$pid"
  local l port dev
  for l in $(hatc_links); do   # link l: bridge br<l>, port NODE[-l<l>], eth<l> in the node
    port=$(hatc_port "$node" "$l"); dev=$(hatc_link_dev "$node" "$l")
    ip -n "$HATC_TAG-sw" link add "$port" type veth peer name "$dev" netns "$HATC_TAG-$node"
    ip -n "$HATC_TAG-sw" link set "$port" master "br$l" up
    ip -n "$HATC_TAG-$node" addr add "$(hatc_node_ip "$node" "$l")/24" dev "$dev"
    ip -n "$HATC_TAG-$node" link set "$dev" up
  done
  echo on >"$nd/power"
}

# The node's "boot": its user manager, then haclusterd when the cluster runs daemons.
cluster_boot() { # node [--no-daemon]
  local node=$1 nd=$HATC_DIR/nodes/$1
  rm -f "$nd/manager.pid"
  [[ ${HATC_WATCHDOG:-0} == 1 ]] && : >"$nd/hw/watchdog"   # the watchdog of a machine that just booted: not armed
  hatc_spawn "$node" "$nd/manager.log" "$nd/manager.pid" systemd --user || return 1
  hatc_wait 10 "user manager of $node" cluster_exec "$node" test -S /run/user/0/systemd/private || return 1
  hatc_wait 10 "user manager of $node running" hatc_manager_up "$node" || return 1
  if [[ -f $HATC_DIR/daemons.enabled && ${2:-} != --no-daemon ]]; then cluster_start_daemon "$node" || return 1; fi
}
hatc_manager_up() {
  local s; s=$(cluster_exec "$1" systemctl --user is-system-running 2>/dev/null)
  [[ $s == running || $s == degraded ]]
}

cluster_start_daemon() {
  local node=$1 nd=$HATC_DIR/nodes/$1
  [[ -x ${HATC_BIN:-}/haclusterd ]] || { hatc_die "no haclusterd in HATC_BIN=${HATC_BIN:-}"; return 1; }
  rm -f "$nd/haclusterd.pid"
  echo "=== start $(date +%T.%3N)" >>"$nd/haclusterd.log"
  # Self-fencing of a node (a unit that will not stop) = this node's power-off,
  # done by a helper that leaves the node's cgroup first (it would kill itself).
  # HATC_WATCHDOG=1: the watchdog is a plain file watched by the hardware helper.
  HACLUSTERD_TEST_WATCHDOG_DOUBLE=$([[ ${HATC_WATCHDOG:-0} == 1 ]] && echo 1 || echo 0) \
  HACLUSTERD_TEST_SELF_FENCE_COMMAND="HATC_DIR=$HATC_DIR $HATC_DIR/lib/cluster.sh self-fence $node" \
  hatc_spawn "$node" "$nd/haclusterd.log" "$nd/haclusterd.pid" \
    "$HATC_BIN/haclusterd" --config /etc/hacluster/haclusterd.toml --node "$node"
}

# Start haclusterd on every node that is on, and on every later boot.
cluster_start_daemons() {
  hatc_need || return 1
  touch "$HATC_DIR/daemons.enabled"
  local n
  for n in $HATC_NODES; do
    [[ $(cat "$HATC_DIR/nodes/$n/power") == on ]] && { cluster_start_daemon "$n" || return 1; }
  done
}

# Stop NODE's haclusterd in order (SIGTERM, what systemctl stop does) and wait at most
# TIMEOUT s (default 30) for it to exit. The node stays on (user manager, network).
cluster_stop_daemon() { # node [timeout]
  hatc_need || return 1
  local node=$1 pid
  pid=$(cat "$HATC_DIR/nodes/$node/haclusterd.pid" 2>/dev/null) || { hatc_die "stop-daemon: no haclusterd pid for $node"; return 1; }
  hatc_pid_running "$pid" || return 0
  echo "=== stop $(date +%T.%3N)" >>"$HATC_DIR/nodes/$node/haclusterd.log"
  kill -TERM "$pid" 2>/dev/null
  hatc_wait "${2:-30}" "haclusterd of $node (pid $pid) to exit" hatc_pid_gone "$pid"
}
hatc_pid_gone() { ! hatc_pid_running "$1"; }

# ---- Membership changes: machines added to a running cluster, nodes added to and
# removed from its configuration. All nodes share one file (<dir>/etc/haclusterd.toml),
# so one edit is the edit of every node's copy; it takes effect on a node when that
# node's haclusterd reloads (`hactl reload`) or starts.

# A new machine NODE (n1..n9, not there yet): its namespaces, cable(s) on the switch,
# mounts and user manager, like the nodes of `up`; `full` (default: may run the
# service; its fence device comes with its [[node]]) or `witness`. Neither in the
# configuration (cluster_config_add_node) nor running haclusterd (cluster_start_daemon).
# It is in <dir>/env before anything of it exists, so `down` removes it whatever happens.
cluster_add_node() { # node [full|witness]
  hatc_need || return 1
  local node=$1 kind=${2:-full}
  [[ $node =~ ^n[1-9]$ ]] || { hatc_die "add-node: a node is n1..n9, not '$node'"; return 2; }
  [[ $kind == full || $kind == witness ]] || { hatc_die "add-node: full or witness, not '$kind'"; return 2; }
  [[ " $HATC_NODES " != *" $node "* ]] || { hatc_die "add-node: $node already exists"; return 1; }
  [[ ${HATC_ETCD:-0} == 1 && $kind == witness ]] && { hatc_die "add-node: no witness with the etcd backend (HATC_ETCD=1): every node is full"; return 2; }
  hatc_log "add-node: $node ($kind)"
  HATC_NODES+=" $node"
  [[ $kind == full ]] && HATC_FULL_NODES+=" $node"
  hatc_write_env
  hatc_make_node "$node" || return 1
  cluster_boot "$node" --no-daemon
}

# The configured node names, in file order.
cluster_config_nodes() {
  hatc_need || return 1
  awk '/^\[/ { innode = ($0 == "[[node]]") } innode && /^name = / { gsub(/"/, "", $3); print $3 }' \
    "$HATC_DIR/etc/haclusterd.toml" | xargs
}
# Add NODE's [[node]] (after the last one) and, for a full node, its fence device to the
# configuration. The file is replaced by a rename: a daemon never reads half of it.
cluster_config_add_node() { # node
  hatc_need || return 1
  local node=$1 fence=""
  [[ " $HATC_NODES " == *" $node "* ]] || { hatc_die "config-add: no machine $node (add-node first)"; return 1; }
  [[ ${HATC_FENCE:-} != storage ]] || { hatc_die "config-add: not with HATC_FENCE=storage (its one device lists every node)"; return 1; }
  [[ " $HATC_FULL_NODES " == *" $node "* ]] && fence=$(hatc_fence_block "$node")
  hatc_config_edit add "$node" "$(hatc_node_block "$node")" "$fence" || return 1
  hatc_log "config: $node added (nodes: $(cluster_config_nodes))"
}
# Remove NODE's [[node]] and the fence devices of NODE alone from the configuration.
cluster_config_remove_node() { # node
  hatc_need || return 1
  hatc_config_edit remove "$1" || return 1
  hatc_log "config: $1 removed (nodes: $(cluster_config_nodes))"
}
hatc_config_edit() { # add|remove node [node-block [fence-block]]
  python3 - "$HATC_DIR/etc/haclusterd.toml" "$@" <<'EOF'
import os, shutil, sys
path, op, node = sys.argv[1:4]
blocks, cur = [], []   # a block: a table header and the lines up to the next one
for line in open(path).read().splitlines(keepends=True):
    if line.startswith("[") and cur:
        blocks.append(cur)
        cur = []
    cur.append(line)
blocks.append(cur)
header = lambda b: b[0].strip()
is_node = lambda b: header(b) == "[[node]]" and f'name = "{node}"\n' in b
is_device = lambda b: header(b) == "[[fencing.device]]" and f'nodes = ["{node}"]\n' in b
def block(text):   # ends with one blank line, like every block but the last
    return [l + "\n" for l in text.strip("\n").split("\n")] + ["\n"]
def end_blank(b):
    if not b[-1].endswith("\n"):
        b[-1] += "\n"
    if b[-1].strip():
        b.append("\n")
if op == "add":
    if any(is_node(b) for b in blocks):
        sys.exit(f"config-add: {node} is already in {path}")
    last = max(i for i, b in enumerate(blocks) if header(b) == "[[node]]")
    end_blank(blocks[last])
    blocks.insert(last + 1, block(sys.argv[4]))
    if len(sys.argv) > 5 and sys.argv[5].strip():
        devices = [i for i, b in enumerate(blocks) if header(b) == "[[fencing.device]]"]
        at = devices[-1] if devices else len(blocks) - 1
        end_blank(blocks[at])
        blocks.insert(at + 1, block(sys.argv[5]))
else:
    if not any(is_node(b) for b in blocks):
        sys.exit(f"config-remove: {node} is not in {path}")
    blocks = [b for b in blocks if not is_node(b) and not is_device(b)]
tmp = path + ".edit"
with open(tmp, "w") as f:
    f.write("".join("".join(b) for b in blocks).rstrip("\n") + "\n")
shutil.copymode(path, tmp)
os.replace(tmp, path)
EOF
}

cluster_up() {
  local variant=witness timings=default links=${HATC_LINKS:-1}
  while (($#)); do
    case $1 in
      --variant) variant=$2; shift 2 ;;
      --timings) timings=$2; shift 2 ;;
      --links) links=$2; shift 2 ;;
      *) hatc_die "up: unknown option $1"; return 2 ;;
    esac
  done
  [[ $(id -u) == 0 ]] || { hatc_die "the test cluster needs root"; return 1; }
  HATC_TAG=hc$(printf '%04x' $(( (RANDOM ^ $$) & 0xffff )))
  HATC_DIR=/tmp/hatc-$HATC_TAG
  HATC_VARIANT=$variant HATC_TIMINGS=$timings HATC_LINKS=$links
  [[ $links == 1 || $links == 2 ]] || { hatc_die "--links: 1 or 2, not $links"; return 2; }
  [[ ${HATC_FAULTFS:-0} == [01] ]] || { hatc_die "HATC_FAULTFS: 0 or 1, not $HATC_FAULTFS"; return 2; }
  [[ ${HATC_FAULTFS_ODIRECT:-pass} == @(pass|refuse|refuse-io|strict) ]] || { hatc_die "HATC_FAULTFS_ODIRECT: pass, refuse, refuse-io or strict"; return 2; }
  [[ ${HATC_WATCHDOG:-0} == [01] ]] || { hatc_die "HATC_WATCHDOG: 0 or 1, not $HATC_WATCHDOG"; return 2; }
  [[ ${HATC_WATCHDOG_TIMEOUT:-3} =~ ^[1-9][0-9]*$ ]] || { hatc_die "HATC_WATCHDOG_TIMEOUT: whole seconds >= 1"; return 2; }
  [[ ${HATC_WATCHDOG_ACTION:-off} == @(off|reboot) ]] || { hatc_die "HATC_WATCHDOG_ACTION: off or reboot"; return 2; }
  if [[ ${HATC_FENCE:-} == storage ]]; then
    [[ ${HATC_TIEBREAKER:-} == storage && ${HATC_WATCHDOG:-0} == 1 ]] || { hatc_die "HATC_FENCE=storage needs HATC_TIEBREAKER=storage and HATC_WATCHDOG=1"; return 2; }
  elif [[ -n ${HATC_FENCE:-} ]]; then
    hatc_die "HATC_FENCE: storage or empty, not $HATC_FENCE"; return 2
  fi
  [[ ${HATC_ETCD:-0} == [01] ]] || { hatc_die "HATC_ETCD: 0 or 1, not $HATC_ETCD"; return 2; }
  [[ ${HATC_UNIT:-demo} == @(demo|trivial) ]] || { hatc_die "HATC_UNIT: demo or trivial, not $HATC_UNIT"; return 2; }
  if [[ ${HATC_FAULTFS:-0} == 1 ]]; then
    [[ -c /dev/fuse ]] || { hatc_die "HATC_FAULTFS=1 needs /dev/fuse"; return 1; }
    /usr/bin/python3 -c 'import fusepy' 2>/dev/null || { hatc_die "HATC_FAULTFS=1 needs python3-fusepy (scripts/bootstrap)"; return 1; }
  fi
  case $variant in
    witness) HATC_NODES="n1 n2 n3"; HATC_FULL_NODES="n1 n2" ;;
    three) HATC_NODES="n1 n2 n3"; HATC_FULL_NODES="n1 n2 n3" ;;
    seven) HATC_NODES="n1 n2 n3 n4 n5 n6 n7"; HATC_FULL_NODES=$HATC_NODES ;;   # scale (bench/failover --variants seven)
    two) HATC_NODES="n1 n2"; HATC_FULL_NODES="n1 n2" ;;
    *) hatc_die "unknown variant $variant"; return 2 ;;
  esac
  if [[ ${HATC_ETCD:-0} == 1 ]]; then
    [[ $variant != witness ]] || { hatc_die "HATC_ETCD=1: the etcd backend has no witness, every node is full: --variant three or two, not witness"; return 2; }
    [[ -z ${HATC_TIEBREAKER:-} ]] || { hatc_die "HATC_ETCD=1: no [quorum] section with the etcd backend, so no HATC_TIEBREAKER"; return 2; }
    [[ -z ${HATC_ETCD_LEASE_TTL:-} || $HATC_ETCD_LEASE_TTL =~ ^[1-9][0-9]*[smh]$ ]] || { hatc_die "HATC_ETCD_LEASE_TTL: a duration like 3s, not $HATC_ETCD_LEASE_TTL"; return 2; }
    [[ ${HATC_ETCD_LIFETIME:-3600} =~ ^[1-9][0-9]*$ ]] || { hatc_die "HATC_ETCD_LIFETIME: whole seconds >= 1, not $HATC_ETCD_LIFETIME"; return 2; }
    command -v etcd >/dev/null && command -v etcdctl >/dev/null || { hatc_die "HATC_ETCD=1 needs etcd and etcdctl (Debian etcd-server, etcd-client)"; return 1; }
  fi
  export HATC_DIR HATC_TAG
  hatc_log "up: $HATC_TAG ($variant, $timings timings, $links link(s)$([[ ${HATC_FAULTFS:-0} == 1 ]] && echo ", faultfs storage")$([[ ${HATC_WATCHDOG:-0} == 1 ]] && echo ", watchdog ${HATC_WATCHDOG_TIMEOUT:-3}s")$([[ ${HATC_ETCD:-0} == 1 ]] && echo ", etcd")) in $HATC_DIR"
  mkdir -p "$HATC_DIR"/{etc,shared,nodes,lib,agents,pids}
  chmod 755 "$HATC_DIR" "$HATC_DIR/agents"; chmod 700 "$HATC_DIR/etc"
  mkdir -p /var/lib/hacluster /etc/hacluster /srv/hashared   # mount points only (empty on the host)
  cp "$HATC_SRC"/cluster.sh "$HATC_SRC"/demo-service.py "$HATC_SRC"/demo-service.pl "$HATC_SRC"/check-journal \
     "$HATC_SRC"/vip-sampler "$HATC_SRC"/probe "$HATC_SRC"/nsutil.py "$HATC_DIR/lib/"
  [[ ${HATC_FAULTFS:-0} == 1 ]] && cp "$HATC_SRC/../testlib/faultfs" "$HATC_DIR/lib/"
  install -m 0755 -o root -g root "$HATC_SRC/fence_testcluster" "$HATC_DIR/agents/fence_testcluster"
  # Opt-in: HATC_ALERT=1: an [[alert]] program that logs every event it gets (alerts/log, one line
  # each: node event term sequence timestamp) and keeps each call's environment (alerts/NODE.SEQ.env).
  if [[ ${HATC_ALERT:-0} == 1 ]]; then
    mkdir -p "$HATC_DIR/alerts"
    printf '#!/bin/sh
printf "%%s %%s %%s %%s %%s\\n" "$HA_NODE" "$HA_EVENT" "${HA_TERM:-none}" "$HA_SEQUENCE" "$HA_TIMESTAMP" >> %s/alerts/log
env > %s/alerts/"$HA_NODE.$HA_SEQUENCE.env"
' \
      "$HATC_DIR" "$HATC_DIR" > "$HATC_DIR/agents/alert-log"
    chown root:root "$HATC_DIR/agents/alert-log"; chmod 0755 "$HATC_DIR/agents/alert-log"
  fi
  local exec_start="/usr/bin/python3 @LIB@/demo-service.py"
  [[ ${HATC_UNIT:-demo} == trivial ]] && exec_start="/usr/bin/perl @LIB@/demo-service.pl"
  sed -e "s|^ExecStart=/usr/bin/python3 @LIB@/demo-service.py|ExecStart=$exec_start|" -e "s|@LIB@|$HATC_DIR/lib|g" \
    "$HATC_SRC/demo.service.in" >"$HATC_DIR/lib/demo.service"
  hatc_write_env
  mkdir -p "$HATC_CG2/$HATC_TAG/hw"; [[ -n $HATC_CG1 ]] && mkdir -p "$HATC_CG1/$HATC_TAG/hw"
  ip netns add "$HATC_TAG-sw"
  local l
  for l in $(hatc_links); do
    ip -n "$HATC_TAG-sw" link add "br$l" type bridge
    ip -n "$HATC_TAG-sw" link set "br$l" up
  done
  local n
  # HATC_ETCD=1: the etcd members first, so that they elect a leader while the nodes boot
  if [[ ${HATC_ETCD:-0} == 1 ]]; then
    mkdir -p "$HATC_DIR/etcd" "$HATC_CG2/$HATC_TAG/etcd"; [[ -n $HATC_CG1 ]] && mkdir -p "$HATC_CG1/$HATC_TAG/etcd"
    for n in $HATC_ETCD_MEMBERS; do hatc_make_etcd_member "$n" && hatc_etcd_spawn "$n" new || return 1; done
  fi
  for n in $HATC_NODES; do hatc_make_node "$n" || return 1; done
  mkdir -p "$HATC_DIR/requests"
  (for f in $(hatc_hw_procs); do echo $BASHPID >"$f"; done; exec setsid bash -c 'source "$1"; hatc_need; hatc_hardware' hatc-hardware "$HATC_DIR/lib/cluster.sh") \
    </dev/null >>"$HATC_DIR/hardware.log" 2>&1 &
  echo $! >"$HATC_DIR/pids/hardware.pid"
  # the client
  ip netns add "$HATC_TAG-cl"
  ip -n "$HATC_TAG-sw" link add cl type veth peer name eth0 netns "$HATC_TAG-cl"
  ip -n "$HATC_TAG-sw" link set cl master br0 up
  ip -n "$HATC_TAG-cl" addr add "$HATC_CLIENT_IP/24" dev eth0
  ip -n "$HATC_TAG-cl" link set eth0 up
  ip -n "$HATC_TAG-cl" link set lo up
  for n in $HATC_NODES; do cluster_boot "$n" || return 1; done
  if [[ ${HATC_ETCD:-0} == 1 ]]; then cluster_etcd_wait 20 || return 1; fi
  cluster_gen_config || return 1
  hatc_log "up: ready"
}

# The cluster configuration shared by all nodes (witness variant: n3 is a witness).
cluster_gen_config() {
  local hb=200ms ft=1s n ttl=3s
  [[ $HATC_TIMINGS == fast ]] && { hb=50ms; ft=250ms; ttl=2s; }
  if [[ ${HATC_ETCD:-0} == 1 ]]; then   # the etcd backend: no witness, no [quorum]
    for n in $HATC_NODES; do
      [[ " $HATC_FULL_NODES " == *" $n "* ]] || { hatc_die "config: $n is a witness, but the etcd backend (HATC_ETCD=1) has none: --variant three or two"; return 1; }
    done
  fi
  if [[ ! -f $HATC_DIR/etc/authkey ]]; then   # what `hactl keygen` writes: 64 random bytes, 0600
    (umask 077; head -c 64 /dev/urandom >"$HATC_DIR/etc/authkey")
  fi
  {
    cat <<EOF
# generated by scripts/cluster/cluster.sh for test cluster $HATC_TAG
[cluster]
name = "$HATC_TAG"
EOF
    [[ ${HATC_ETCD:-0} == 1 ]] && echo 'backend = "etcd"'
    cat <<EOF
key_file = "/etc/hacluster/authkey"
state_dir = "/var/lib/hacluster"
control_socket = "/run/hacluster/control.sock"
port = 5405
heartbeat_interval = "$hb"
failure_timeout = "$ft"
EOF
    if [[ ${HATC_ETCD:-0} == 1 ]]; then
      # Opt-in: HATC_ETCD=1: the nodes coordinate through the etcd members (no [quorum]).
      printf '\n[etcd]\nendpoints = [%s]\nprefix = "/haclusterd/%s"\nlease_ttl = "%s"\n' \
        "$(cluster_etcd_endpoints | sed 's/^/"/; s/,/", "/g; s/$/"/')" "$HATC_TAG" "${HATC_ETCD_LEASE_TTL:-$ttl}"
    else
      cat <<EOF

[quorum]
two_node = $([[ $HATC_VARIANT == two ]] && echo true || echo false)
wait_for_all = true
EOF
      # Opt-in (two variant): HATC_TIEBREAKER=storage, the disk heartbeat in the shared directory.
      [[ -n ${HATC_TIEBREAKER:-} ]] && printf 'tie_breaker = "%s"\n' "$HATC_TIEBREAKER"
    fi
    for n in $HATC_NODES; do echo; hatc_node_block "$n"; done
    cat <<EOF

[service]
name = "demo"
units = ["demo.service"]
systemd_bus = "user"
start_timeout = "20s"
stop_timeout = "10s"
monitor_interval = "${HATC_MONITOR_INTERVAL:-1s}"
health_url = "http://127.0.0.1:$HATC_PORT/dip/api/ping"
migration_threshold = ${HATC_MIGRATION_THRESHOLD:-3}
failure_expiry = "10min"

[storage]
path = "/srv/hashared"
lock_file = "/srv/hashared/.hacluster.lock"
acquire_timeout = "10s"

[[floating_ip]]
address = "$HATC_VIP/24"
interface = "eth0"
arp_count = 3
EOF
    # Opt-in: HATC_VIP2=198.18.10.51/24 adds a second floating address that moves with the first.
    [[ -n ${HATC_VIP2:-} ]] && printf '\n[[floating_ip]]\naddress = "%s"\ninterface = "eth0"\narp_count = 3\n' "$HATC_VIP2"
    cat <<EOF

[fencing]
enabled = true
agent_dir = "$HATC_DIR/agents"
action = "${HATC_FENCE_ACTION:-reboot}"
timeout = "20s"
EOF
    # Opt-in: HATC_WATCHDOG=1: the node's watchdog device is the plain file <dir>/nodes/NODE/hw/watchdog
    # (bind-mounted on /run/hw in the node), watched by the hardware helper (hatc_watchdog_check).
    [[ ${HATC_WATCHDOG:-0} == 1 ]] && printf 'watchdog = "/run/hw/watchdog"\nwatchdog_timeout = "%ss"\n' "${HATC_WATCHDOG_TIMEOUT:-3}"
    # Opt-in: HATC_FENCE=storage: no BMC, the poison pill is the only fence device.
    [[ ${HATC_FENCE:-} == storage ]] && printf '\n[[fencing.device]]\nname = "nas"\nagent = "storage"\nnodes = [%s]\n' \
      "$(printf '"%s", ' $HATC_FULL_NODES | sed 's/, $//')"
    [[ ${HATC_ALERT:-0} == 1 ]] && printf '\n[[alert]]\ncommand = "%s/agents/alert-log"\n' "$HATC_DIR"
    # Opt-in: HATC_METRICS=1: every node serves Prometheus metrics on its own loopback, port 9664.
    [[ ${HATC_METRICS:-0} == 1 ]] && printf '\n[metrics]\nlisten = "127.0.0.1:9664"\n'
    [[ ${HATC_FENCE:-} == storage ]] || for n in $HATC_FULL_NODES; do echo; hatc_fence_block "$n"; done
  } >"$HATC_DIR/etc/haclusterd.toml"
}
# The [[node]] table of NODE (a full node with its priority, or a witness).
hatc_node_block() {
  local n=$1 addrs="" l
  for l in $(hatc_links); do addrs+="${addrs:+, }\"$(hatc_node_ip "$n" "$l")\""; done
  printf '[[node]]\nname = "%s"\naddresses = [%s]\n' "$n" "$addrs"
  if [[ " $HATC_FULL_NODES " == *" $n "* ]]; then echo "priority = $((110 - ${n#n} * 10))"; else echo 'role = "witness"'; fi
}
# The fence device of full node NODE (the test cluster's agent).
hatc_fence_block() {
  local n=$1 delay=0s
  # 2-node fence race: n1's device is delayed, so n1 wins a simultaneous race.
  [[ $HATC_VARIANT == two && $n == n1 ]] && delay=${HATC_RACE_DELAY:-2s}
  printf '[[fencing.device]]\nname = "tc-%s"\nagent = "fence_testcluster"\nnodes = ["%s"]\nlevel = 1\ndelay = "%s"\noptions = { cluster_dir = "%s" }\n' \
    "$n" "$n" "$delay" "$HATC_DIR"
}

cluster_down() {
  local rc=$?
  [[ -n ${HATC_DIR:-} && -f $HATC_DIR/env ]] || return $rc
  # shellcheck disable=SC1091
  source "$HATC_DIR/env"
  hatc_log "down: $HATC_TAG"
  local f p n
  for f in "$HATC_DIR"/pids/*.pid; do   # helpers started on the host (samplers, probes)
    [[ -f $f ]] || continue; p=$(cat "$f"); [[ -n $p ]] && kill "$p" 2>/dev/null
  done
  if [[ ${HATC_FAULTFS:-0} == 1 ]]; then   # calls blocked on a hung storage end first
    for n in $HATC_NODES; do [[ -d $HATC_DIR/nodes/$n ]] && hatc_storage_write "$n" ok; done
  fi
  for n in $HATC_NODES; do hatc_kill_cgroup "$n"; done
  if [[ ${HATC_FAULTFS:-0} == 1 ]]; then
    for n in $HATC_NODES; do hatc_storage_umount "$n"; done
  fi
  hatc_kill_cgroup hw
  if [[ -d $HATC_CG2/$HATC_TAG/etcd ]]; then
    # HATC_ETCD=1: the members got SIGTERM above, but a leader's orderly stop (a leadership
    # transfer to members that stop too) takes seconds, and their data goes with <dir>: SIGKILL
    # of each by pid (its timeout wrapper then reaps it and ends), then of whatever is left in
    # the cgroup <tag>/etcd.
    for n in $HATC_ETCD_MEMBERS; do p=$(hatc_etcd_pid "$n") && kill -KILL "$p"; done
    hatc_wait 2 "the etcd members to end" hatc_cgroup_empty etcd 2>/dev/null
    hatc_kill_cgroup etcd
  fi
  for n in $HATC_NODES; do
    p=$(cat "$HATC_DIR/nodes/$n/holder.pid" 2>/dev/null) && kill "$p" 2>/dev/null
  done
  for n in $HATC_NODES sw cl $HATC_ETCD_MEMBERS; do ip netns del "$HATC_TAG-$n" 2>/dev/null; done
  for n in $HATC_NODES; do
    p=$(cat "$HATC_DIR/nodes/$n/holder.pid" 2>/dev/null) || continue
    local i; for ((i = 0; i < 50; i++)); do hatc_pid_running "$p" || break; sleep 0.05; done
  done
  for f in "$HATC_DIR"/pids/*.pid; do
    [[ -f $f ]] || continue; p=$(cat "$f"); [[ -n $p ]] && kill -9 "$p" 2>/dev/null
  done
  hatc_rm_cgroup "$HATC_CG2/$HATC_TAG"; [[ -n $HATC_CG1 ]] && hatc_rm_cgroup "$HATC_CG1/$HATC_TAG"
  if [[ ${HATC_KEEP:-0} == 1 ]]; then hatc_log "down: kept $HATC_DIR"
  else
    rm -rf "$HATC_DIR" 2>/dev/null || { sleep 0.5; rm -rf "$HATC_DIR"; }
  fi
  return $rc
}

hatc_rm_cgroup() { # depth first
  [[ -d $1 ]] || return 0
  find "$1" -depth -type d -exec rmdir {} \; 2>/dev/null
  [[ -d $1 ]] && hatc_log "down: could not remove cgroup $1"
  return 0
}

# Kill every process of a node (daemon, manager, services, anything exec'd there).
hatc_kill_cgroup() {
  local cg=$HATC_CG2/$HATC_TAG/$1
  [[ -d $cg ]] || return 0
  if [[ -f $cg/cgroup.kill ]]; then
    echo 1 >"$cg/cgroup.kill"
  else
    local p; for p in $(cat "$cg"/cgroup.procs "$cg"/*/cgroup.procs "$cg"/*/*/cgroup.procs 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  fi
  # polled every 2 ms for at most 2 s: the fence agent's run time is the power-off's, not the poll's
  local deadline=$((${EPOCHREALTIME//[.,]/} + 2000000))
  while ((${EPOCHREALTIME//[.,]/} < deadline)); do
    hatc_cgroup_empty "$1" && return 0
    sleep 0.002
  done
  hatc_cgroup_empty "$1" && return 0
  hatc_log "kill: processes of $1 still alive"; return 1
}
hatc_cgroup_empty() {
  local cg=$HATC_CG2/$HATC_TAG/$1
  [[ ! -d $cg ]] && return 0
  [[ $(<"$cg/cgroup.events") == *"populated 0"* ]]
}

# Power off: everything in the node dies, its links go down and lose their
# addresses (a powered-off machine holds no IP); the service journal gets a
# "stop" record for a service that was killed without writing one.
cluster_poweroff() {
  local node=$1 nd=$HATC_DIR/nodes/$1 pid
  pid=$(<"$nd/holder.pid")   # no cat (nor date below): a fence agent's run time is spent here
  hatc_kill_cgroup "$node" || return 1
  # a machine that is off is neither frozen (pause --all) nor has an armed watchdog
  [[ -f $(hatc_cg "$node")/cgroup.freeze ]] && echo 0 >"$(hatc_cg "$node")/cgroup.freeze"
  [[ -s $nd/hw/watchdog ]] && : >"$nd/hw/watchdog"
  local l cmds=""
  for l in $(hatc_links); do cmds+="addr flush dev eth$l"$'\n'"link set eth$l down"$'\n'; done
  nsenter -t "$pid" -n ip -force -batch - <<<"$cmds" 2>/dev/null   # one process for every link
  echo off >"$nd/power"
  hatc_journal_close "$node" powered-off
}

# A service killed with its node could not write its "stop": write it now (the
# node is dead, so now is after its end), if its last record is a start.
hatc_journal_close() { # node why
  local j=$HATC_DIR/shared/demo-journal.log ns last
  ns=${EPOCHREALTIME//[.,]/}000
  [[ -f $j ]] || return 0
  last=$(grep -E "^(start|stop) $1 " "$j" | tail -n 1)
  [[ $last == start* ]] && echo "stop $1 $ns 0 $2" >>"$j"
  return 0
}

cluster_poweron() {
  local node=$1 nd=$HATC_DIR/nodes/$1 pid
  pid=$(cat "$nd/holder.pid")
  [[ $(cat "$nd/power") == on ]] && return 0
  local l
  for l in $(hatc_links); do
    nsenter -t "$pid" -n ip link set "eth$l" up
    nsenter -t "$pid" -n ip addr replace "$(hatc_node_ip "$node" "$l")/24" dev "eth$l"
  done
  echo on >"$nd/power"
  if [[ ${2:-} == --background ]]; then
    # Like a BMC: power on returns at once, the node boots on its own (outside the caller's cgroup).
    # The cluster's "hardware" helper boots it: nothing of the caller (a fence agent whose
    # process group the fencer kills when it exits) is involved.
    hatc_request boot "$node"
    return 0
  fi
  cluster_boot "$node"
}

cluster_status() {
  hatc_need || return 1
  local n
  echo "cluster $HATC_TAG ($HATC_VARIANT, $HATC_TIMINGS) dir $HATC_DIR"
  for n in $HATC_NODES; do
    local nd=$HATC_DIR/nodes/$n d=- m=- vip=""
    [[ -s $nd/haclusterd.pid ]] && kill -0 "$(cat "$nd/haclusterd.pid")" 2>/dev/null && d=$(cat "$nd/haclusterd.pid")
    [[ -s $nd/manager.pid ]] && kill -0 "$(cat "$nd/manager.pid")" 2>/dev/null && m=$(cat "$nd/manager.pid")
    ip -n "$HATC_TAG-$n" -o -4 addr show | grep " $HATC_VIP/" >/dev/null && vip=" VIP"
    [[ ${HATC_FAULTFS:-0} == 1 ]] && vip+=" storage=$(cat "$nd/storage.mode" 2>/dev/null)"
    [[ ${HATC_WATCHDOG:-0} == 1 ]] && vip+=" watchdog=$(hatc_watchdog_state "$n")"
    printf '  %s power=%s holder=%s manager=%s haclusterd=%s demo=%s%s\n' "$n" "$(cat "$nd/power")" \
      "$(cat "$nd/holder.pid")" "$m" "$d" "$(cluster_exec "$n" systemctl --user is-active demo.service 2>/dev/null)" "$vip"
  done
  if [[ ${HATC_ETCD:-0} == 1 ]]; then   # etcd members: pid (- when not running), raft leader, etcd-cut nodes
    local line="  etcd" cut
    for n in $HATC_ETCD_MEMBERS; do line+=" $n=$(hatc_etcd_pid "$n" || echo -)"; done
    cut=$(hatc_etcd_cut_nodes | xargs | tr ' ' ,)
    echo "$line leader=$(cluster_etcd_leader 2>/dev/null || echo none)${cut:+ etcd-cut=$cut}"
  fi
}

# Called by a node's haclusterd (as HACLUSTERD_TEST_SELF_FENCE_COMMAND): power
# this node off from outside its cgroup, in the background.
cluster_self_fence() { # node [reason]
  hatc_need || return 1
  local node=$1 reason=${2:-}
  echo "$(date +%s%N) $node self-fence ${reason}" >>"$HATC_DIR/fence.log"
  hatc_request poweroff "$node"
}

# Requests to the cluster's hardware helper (a host process outside every node,
# started by up): power a node off or boot it, asynchronously.
hatc_request() { # boot|poweroff node
  mkdir -p "$HATC_DIR/requests"
  echo "$1" >"$HATC_DIR/requests/.$2.tmp" && mv "$HATC_DIR/requests/.$2.tmp" "$HATC_DIR/requests/$2"
}
hatc_hardware() { # the helper's loop; ends when the cluster directory goes away
  local f node what tick=0
  while [[ -f $HATC_DIR/env ]]; do
    # every 100 ms: the watchdogs (HATC_WATCHDOG=1)
    if [[ ${HATC_WATCHDOG:-0} == 1 ]] && (( ++tick % 5 == 0 )); then
      # shellcheck disable=SC1091
      (( tick % 50 == 0 )) && source "$HATC_DIR/env"   # every second: nodes added since (add-node)
      hatc_watchdog_check
    fi
    for f in "$HATC_DIR"/requests/n*; do
      [[ -f $f ]] || continue
      node=${f##*/}; what=$(cat "$f"); rm -f "$f"
      case $what in
        boot) cluster_boot "$node" >>"$HATC_DIR/nodes/$node/boot.log" 2>&1 & ;;
        poweroff) cluster_poweroff "$node" >>"$HATC_DIR/fence.log" 2>&1 ;;
      esac
    done
    sleep 0.02
  done
}
# The watchdog double (HATC_WATCHDOG=1). Like /dev/watchdog once opened, a node's watchdog
# file is armed from its first write on (haclusterd pets it with one byte every
# watchdog_timeout/3 while healthy). A node that is on, whose file was last written more
# than watchdog_timeout ago and whose last byte is not the magic 'V' of an orderly close,
# is reset: "NS NODE watchdog reset ..." in fence.log, then the power-off of the fence
# agent; with HATC_WATCHDOG_ACTION=reboot it then boots again. Power-off and boot disarm
# it (an empty file).
hatc_watchdog_state() { # node -> off | armed(N writes) | closed (magic V)
  local w=$HATC_DIR/nodes/$1/hw/watchdog
  if [[ ! -s $w ]]; then echo off
  elif [[ $(tail -c 1 "$w") == V ]]; then echo closed
  else echo "armed($(stat -c %s "$w") writes)"; fi
}
hatc_watchdog_check() {
  local files=() n size mtime name now age limit=$(( ${HATC_WATCHDOG_TIMEOUT:-3} * 1000000 ))
  for n in $HATC_NODES; do
    [[ -s $HATC_DIR/nodes/$n/hw/watchdog && $(<"$HATC_DIR/nodes/$n/power") == on ]] && files+=("$HATC_DIR/nodes/$n/hw/watchdog")
  done
  ((${#files[@]})) || return 0
  now=${EPOCHREALTIME/./}   # microseconds, as the mtimes below
  while read -r size mtime name; do
    ((size > 0)) || continue
    mtime=${mtime/./}; age=$(( now - 10#${mtime:0:-3} ))
    ((age > limit)) || continue
    [[ $(tail -c 1 "$name") == V ]] && continue   # magic close: disarmed
    n=${name%/hw/watchdog}; n=${n##*/}
    echo "$(date +%s%N) $n watchdog reset (not petted for $((age / 1000)) ms, watchdog_timeout ${HATC_WATCHDOG_TIMEOUT:-3}s)" >>"$HATC_DIR/fence.log"
    cluster_poweroff "$n" >>"$HATC_DIR/fence.log" 2>&1
    [[ ${HATC_WATCHDOG_ACTION:-off} == reboot ]] && cluster_poweron "$n" --background
  done < <(stat -c '%s %.9Y %n' "${files[@]}" 2>/dev/null)
}
# The cgroup files of the cluster's "hardware" cgroup (helpers that act on nodes from outside them).
hatc_hw_procs() { echo "$HATC_CG2/$HATC_TAG/hw/cgroup.procs${HATC_CG1:+ $HATC_CG1/$HATC_TAG/hw/cgroup.procs}"; }

cluster_kill_node() { hatc_need || return 1; cluster_poweroff "$1"; }
# Pull the node's cable of link L (default 0, eth0): the switch port goes down (the node
# keeps its addresses). `all` instead of L: every link of the node.
cluster_link_down() { hatc_link_set "$1" "${2:-0}" down; }
cluster_link_up() { hatc_link_set "$1" "${2:-0}" up; }
hatc_link_set() { # node link|all up|down
  hatc_need || return 1
  local links=$2 l
  [[ $links == all ]] && links=$(hatc_links)
  for l in $links; do ip -n "$HATC_TAG-sw" link set "$(hatc_port "$1" "$l")" "$3" || return 1; done
}

# Partition: drop every frame between NODE's switch port and the ports of PEERS
# (default: every other node; the client still reaches NODE). nftables bridge family.
cluster_cut() {
  hatc_need || return 1
  local node=$1; shift
  local peers=("$@") p
  ((${#peers[@]})) || for p in $HATC_NODES; do [[ $p != "$node" ]] && peers+=("$p"); done
  local ns=$HATC_TAG-sw
  ip netns exec "$ns" nft list table bridge hatc >/dev/null 2>&1 || \
    ip netns exec "$ns" nft 'add table bridge hatc; add chain bridge hatc cut { type filter hook forward priority 0; policy accept; }'
  local l a b
  for p in "${peers[@]}"; do
    for l in $(hatc_links); do   # on every link
      a=$(hatc_port "$node" "$l"); b=$(hatc_port "$p" "$l")
      ip netns exec "$ns" nft add rule bridge hatc cut iifname "$a" oifname "$b" drop
      ip netns exec "$ns" nft add rule bridge hatc cut iifname "$b" oifname "$a" drop
    done
  done
}
cluster_heal() {
  hatc_need || return 1
  ip netns exec "$HATC_TAG-sw" nft delete table bridge hatc 2>/dev/null || true
}

# SIGSTOP/SIGCONT the node's haclusterd, or freeze/thaw the whole node with --all.
cluster_pause() {
  hatc_need || return 1
  if [[ ${2:-} == --all ]]; then echo 1 >"$(hatc_cg "$1")/cgroup.freeze"
  else kill -STOP "$(cat "$HATC_DIR/nodes/$1/haclusterd.pid")"; fi
}
cluster_resume() {
  hatc_need || return 1
  if [[ ${2:-} == --all ]]; then echo 0 >"$(hatc_cg "$1")/cgroup.freeze"
  else kill -CONT "$(cat "$HATC_DIR/nodes/$1/haclusterd.pid")"; fi
}

# ---- HATC_FAULTFS=1: every node sees the shared storage through its own faultfs mount.
# faultfs (scripts/testlib/faultfs) runs inside the node's mount namespace, where it mounts
# <dir>/shared on /srv/hashared, but outside the node's cgroup (in the cluster's "hw" cgroup,
# so a power-off of the node does not end it). Its mode file is <dir>/nodes/NODE/storage.mode,
# its log faultfs.log, its pid faultfs.pid. flock is forwarded to the backing file, so the
# nodes' mounts exclude each other like NFS clients of one server.
hatc_storage_mount() { # node
  local node=$1 nd=$HATC_DIR/nodes/$1 pid
  pid=$(cat "$nd/holder.pid")
  [[ -f $nd/storage.mode ]] || hatc_storage_write "$node" ok
  rm -f "$nd/faultfs.ready" "$nd/faultfs.pid"
  (for f in $(hatc_hw_procs); do echo $BASHPID >"$f"; done
   exec setsid nsenter -t "$pid" -m -- /usr/bin/python3 "$HATC_DIR/lib/faultfs" "$HATC_DIR/shared" /srv/hashared \
     --control "$nd/storage.mode" --name "faultfs-$HATC_TAG-$node" --ready "$nd/faultfs.ready" \
     --o-direct "${HATC_FAULTFS_ODIRECT:-pass}") </dev/null >>"$nd/faultfs.log" 2>&1 &
  hatc_wait 10 "faultfs of $node" test -s "$nd/faultfs.ready" || return 1
  cp "$nd/faultfs.ready" "$nd/faultfs.pid"   # faultfs's own pid
}
hatc_storage_write() { # node mode: replaced at once, never seen half written
  printf '%s\n' "$2" >"$HATC_DIR/nodes/$1/.storage.mode.tmp" && mv -f "$HATC_DIR/nodes/$1/.storage.mode.tmp" "$HATC_DIR/nodes/$1/storage.mode"
}
# PID runs (exists and is no zombie: an orphan is reaped by PID 1, maybe late).
hatc_pid_running() {
  local st; { read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
  st=${st##*) }; [[ ${st%% *} != [ZX] ]]
}
# The pid of NODE's faultfs while it runs (checked against its command line).
hatc_storage_pid() {
  local p; p=$(cat "$HATC_DIR/nodes/$1/faultfs.pid" 2>/dev/null) || return 1
  [[ -n $p ]] && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -- "--name faultfs-$HATC_TAG-$1 " >/dev/null && echo "$p"
}
# Unmount NODE's storage and end its faultfs, in at most ~13 s: the mode goes back to ok first
# (a blocked call keeps the mount busy), then fusermount3 -u, a lazy umount as the last resort;
# faultfs ends with its mount, else on SIGTERM (it unmounts itself), else SIGKILL.
hatc_storage_umount() { # node
  local p i
  p=$(hatc_storage_pid "$1") || return 0
  hatc_storage_write "$1" ok
  if grep -q " /srv/hashared fuse.faultfs " "/proc/$p/mounts" 2>/dev/null; then
    timeout 5 nsenter -t "$p" -m fusermount3 -u /srv/hashared 2>/dev/null ||
      timeout 5 nsenter -t "$p" -m umount -l -c /srv/hashared 2>/dev/null ||
      hatc_log "storage: could not unmount /srv/hashared of $1"
  fi
  for ((i = 0; i < 60; i++)); do
    hatc_pid_running "$p" || return 0
    ((i == 20)) && kill -TERM "$p"
    ((i == 40)) && kill -KILL "$p"
    sleep 0.05
  done
  hatc_log "storage: faultfs of $1 (pid $p) did not end"; return 1
}
# `storage NODE MODE`: NODE's storage answers ok, error (EIO; error:ENOSPC... another errno),
# hang (calls block until the mode changes; only a fatal signal ends a blocked call, as on a
# hard NFS mount) or slow:MS. `storage [NODE]` prints the mode of NODE (of every node).
cluster_storage() {
  hatc_need || return 1
  [[ ${HATC_FAULTFS:-0} == 1 ]] || { hatc_die "storage: the cluster has no faultfs mounts (HATC_FAULTFS=1 at up)"; return 1; }
  local n
  if (($# >= 1)); then
    [[ " $HATC_NODES " == *" $1 "* ]] || { hatc_die "storage: no node $1"; return 2; }
  fi
  if (($# >= 2)); then
    [[ $2 =~ ^(ok|hang|error(:[A-Z0-9]+)?|slow:[0-9]+)$ ]] || { hatc_die "storage: ok, error[:ERRNO], hang or slow:MS, not $2"; return 2; }
    hatc_storage_write "$1" "$2"
    hatc_log "storage $1: $2"
    return 0
  fi
  for n in ${1:-$HATC_NODES}; do echo "$n $(cat "$HATC_DIR/nodes/$n/storage.mode")"; done
}

# ---- HATC_ETCD=1: an etcd cluster of three members for [cluster] backend = "etcd".
# Member eN (e1..e3) is the namespace <tag>-eN, eth0 198.18.10.2N on br0 (switch port eN), with
# one etcd: client URL http://198.18.10.2N:2379, peer URL :2380, heartbeat 50 ms, election
# timeout 500 ms, data <dir>/etcd/eN, log <dir>/etcd/eN.log, pid <dir>/pids/etcd-eN.pid (etcd's
# own pid). It runs in the cgroup <tag>/etcd, outside every node (a node's power-off never
# touches it), under `timeout -s KILL HATC_ETCD_LIFETIME` (default 3600 s): a member outlives no
# cluster by more than that even if `down` never runs. `down` SIGTERMs it by pid, then kills
# whatever is left in <tag>/etcd (its timeout wrapper), then deletes the namespaces.
# etcdctl runs in e1's namespace (which keeps its network when e1's etcd is killed).
hatc_etcd_ip() { echo "$HATC_SUBNET.$((20 + ${1#e}))"; }    # e2 -> 198.18.10.22
hatc_etcd_url() { echo "http://$(hatc_etcd_ip "$1"):${2:-2379}"; }   # member [port]
# The client URLs of the members, comma separated (etcdctl --endpoints).
cluster_etcd_endpoints() {
  local m out=""
  for m in $HATC_ETCD_MEMBERS; do out+="${out:+,}$(hatc_etcd_url "$m")"; done
  echo "$out"
}
hatc_etcd_procs() { echo "$HATC_CG2/$HATC_TAG/etcd/cgroup.procs${HATC_CG1:+ $HATC_CG1/$HATC_TAG/etcd/cgroup.procs}"; }
hatc_etcd_need() {
  hatc_need || return 1
  [[ ${HATC_ETCD:-0} == 1 ]] || hatc_load || return 1   # e.g. after `HATC_ETCD=1 cluster_up` in a script
  [[ ${HATC_ETCD:-0} == 1 ]] || { hatc_die "the cluster has no etcd members (HATC_ETCD=1 at up)"; return 1; }
}
hatc_etcd_member() { [[ " $HATC_ETCD_MEMBERS " == *" ${1:-} "* ]] || { hatc_die "no etcd member '${1:-}' (e1, e2 or e3)"; return 2; }; }

# Member M's namespace, cabled to br0 of the switch.
hatc_make_etcd_member() { # member
  local m=$1 ns=$HATC_TAG-$1
  ip netns add "$ns" || return 1
  ip -n "$HATC_TAG-sw" link add "$m" type veth peer name eth0 netns "$ns" || return 1
  ip -n "$HATC_TAG-sw" link set "$m" master br0 up
  ip -n "$ns" addr add "$(hatc_etcd_ip "$m")/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
}
# Start member M's etcd (state new at up, existing for a restart); returns once it runs.
hatc_etcd_spawn() { # member new|existing
  local m=$1 state=$2 d=$HATC_DIR/etcd/$1 pidf=$HATC_DIR/pids/etcd-$1.pid peers="" x f
  for x in $HATC_ETCD_MEMBERS; do peers+="${peers:+,}$x=$(hatc_etcd_url "$x" 2380)"; done
  install -d -m 700 "$d"
  rm -f "$pidf"
  echo "=== start $(date +%T.%3N) ($state)" >>"$d.log"
  (for f in $(hatc_etcd_procs); do echo $BASHPID >"$f"; done
   exec setsid ip netns exec "$HATC_TAG-$m" timeout -s KILL "${HATC_ETCD_LIFETIME:-3600}" \
     bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" \
     etcd --name "$m" --data-dir "$d" --logger zap \
       --listen-client-urls "$(hatc_etcd_url "$m")" --advertise-client-urls "$(hatc_etcd_url "$m")" \
       --listen-peer-urls "$(hatc_etcd_url "$m" 2380)" --initial-advertise-peer-urls "$(hatc_etcd_url "$m" 2380)" \
       --initial-cluster "$peers" --initial-cluster-token "etcd-$HATC_TAG" --initial-cluster-state "$state" \
       --heartbeat-interval 50 --election-timeout 500) </dev/null >>"$d.log" 2>&1 &
  disown $!   # no "Killed" job report from the caller's shell after etcd-kill or down
  hatc_wait 5 "etcd $m to start" test -s "$pidf"
}
# The pid of member M's etcd while it runs (checked against its command line).
hatc_etcd_pid() { # member
  local p; p=$(cat "$HATC_DIR/pids/etcd-$1.pid" 2>/dev/null) || return 1
  [[ -n $p ]] && hatc_pid_running "$p" &&
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "--data-dir $HATC_DIR/etcd/$1 " && echo "$p"
}

# etcdctl against the members, from e1's namespace: --endpoints (all three) and --dial-timeout
# (2s) unless ARGS has its own.
cluster_etcdctl() { # args...
  hatc_etcd_need || return 1
  hatc_etcdctl "" "$@"
}
hatc_etcdctl() { # limit_s (empty: none) args...
  local limit=$1 a eps=1 dial=1 pre=(); shift
  for a; do
    [[ $a == --endpoints* ]] && eps=0
    [[ $a == --dial-timeout* ]] && dial=0
  done
  ((dial)) && set -- --dial-timeout=2s "$@"
  ((eps)) && set -- --endpoints="$(cluster_etcd_endpoints)" "$@"
  [[ -n $limit ]] && pre=(timeout -s KILL "$limit")
  "${pre[@]}" ip netns exec "$HATC_TAG-e1" etcdctl "$@"
}
# One bounded etcdctl call (at most ~3 s, also when a member does not answer).
hatc_etcdctl_quick() { hatc_etcdctl 5 --dial-timeout=1s --command-timeout=2s "$@"; }
# All three members healthy (each commits a read through the raft leader).
cluster_etcd_healthy() { hatc_etcd_need && hatc_etcdctl_quick endpoint health >/dev/null 2>&1; }
# Wait at most TIMEOUT s (20) for all three members to be healthy; else the tails of their logs.
cluster_etcd_wait() { # [timeout]
  hatc_etcd_need || return 1
  hatc_wait "${1:-20}" "the etcd members to be healthy" cluster_etcd_healthy && return 0
  local m
  hatc_etcdctl_quick endpoint health 2>&1 | sed 's/^/  | /' >&2
  for m in $HATC_ETCD_MEMBERS; do
    hatc_log "etcd $m (pid $(hatc_etcd_pid "$m" || echo 'none: not running')): tail of $HATC_DIR/etcd/$m.log"
    tail -n 15 "$HATC_DIR/etcd/$m.log" 2>/dev/null | sed 's/^/  | /' >&2
  done
  return 1
}
# "MEMBER_ID LEADER_ID RAFT_TERM REVISION" of member M, as M itself sees them.
hatc_etcd_member_status() { # member
  hatc_etcdctl_quick --endpoints="$(hatc_etcd_url "$1")" endpoint status -w fields 2>/dev/null |
    awk -F' : ' '$1 == "\"MemberID\"" { id = $2 } $1 == "\"Leader\"" { l = $2 } $1 == "\"RaftTerm\"" { t = $2 } $1 == "\"Revision\"" { r = $2 }
                 END { if (id == "" || l == "") exit 1; print id, l, t, r }'
}
# The member that is etcd's raft leader (e1, e2 or e3): one that says it leads itself. Members
# whose etcd is not running are not asked (a dial to them only ends at its timeout).
cluster_etcd_leader() {
  hatc_etcd_need || return 1
  local m s
  for m in $HATC_ETCD_MEMBERS; do
    hatc_etcd_pid "$m" >/dev/null || continue
    s=($(hatc_etcd_member_status "$m")) || continue
    [[ ${s[0]} == "${s[1]}" && ${s[1]} != 0 ]] && { echo "$m"; return 0; }
  done
  return 1
}
# One line per member: endpoint, pid, health, raft role, term, revision.
cluster_etcd_status() {
  hatc_etcd_need || return 1
  local m p h s role
  printf '%-6s %-26s %-8s %-9s %-8s %-6s %s\n' member endpoint pid health role term revision
  for m in $HATC_ETCD_MEMBERS; do
    p=$(hatc_etcd_pid "$m") || p=-
    h=unhealthy role=-
    [[ $p != - ]] && hatc_etcdctl_quick --endpoints="$(hatc_etcd_url "$m")" endpoint health >/dev/null 2>&1 && h=healthy
    if [[ $p != - ]] && s=($(hatc_etcd_member_status "$m")); then
      if [[ ${s[1]} == 0 ]]; then role=no-leader; elif [[ ${s[0]} == "${s[1]}" ]]; then role=leader; else role=follower; fi
    else s=(- - - -); [[ $p == - ]] && h=down
    fi
    printf '%-6s %-26s %-8s %-9s %-8s %-6s %s\n' "$m" "$(hatc_etcd_url "$m")" "$p" "$h" "$role" "${s[2]}" "${s[3]}"
  done
}
# kill -9 of member M's etcd (by its pid file); its data stays for etcd-start.
cluster_etcd_kill() { # member
  hatc_etcd_need || return 1
  hatc_etcd_member "${1:-}" || return 2
  local p; p=$(hatc_etcd_pid "$1") || { hatc_die "etcd-kill: etcd $1 is not running"; return 1; }
  kill -KILL "$p"
  hatc_wait 5 "etcd $1 (pid $p) to end" hatc_pid_gone "$p" || return 1
  rm -f "$HATC_DIR/pids/etcd-$1.pid"
  hatc_log "etcd-kill: $1 (pid $p)"
}
# Member M's etcd again, on its data (--initial-cluster-state existing); returns once it runs
# (cluster_etcd_wait / etcd-wait: until all three are healthy).
cluster_etcd_start() { # member
  hatc_etcd_need || return 1
  hatc_etcd_member "${1:-}" || return 2
  local p
  p=$(hatc_etcd_pid "$1") && { hatc_die "etcd-start: etcd $1 runs already (pid $p)"; return 1; }
  [[ -d $HATC_DIR/etcd/$1/member ]] || { hatc_die "etcd-start: no data of $1 in $HATC_DIR/etcd/$1"; return 1; }
  hatc_etcd_spawn "$1" existing || return 1
  hatc_log "etcd-start: $1 (pid $(hatc_etcd_pid "$1"))"
}
# Cut NODE from the etcd members (and only from them): nftables, bridge family, in the switch:
# table hatc_etcd (cut/heal use the table hatc: neither undoes the other), one base chain
# cut_NODE per cut node, dropping every frame between NODE's port on br0 and e1, e2, e3.
cluster_etcd_cut() { # node
  hatc_etcd_need || return 1
  local node=${1:-} m c
  [[ " $HATC_NODES " == *" $node "* ]] || { hatc_die "etcd-cut: no node '$node'"; return 2; }
  c="add table bridge hatc_etcd
add chain bridge hatc_etcd cut_$node { type filter hook forward priority 0; policy accept; }
flush chain bridge hatc_etcd cut_$node"
  for m in $HATC_ETCD_MEMBERS; do
    c+="
add rule bridge hatc_etcd cut_$node iifname \"$node\" oifname \"$m\" drop
add rule bridge hatc_etcd cut_$node iifname \"$m\" oifname \"$node\" drop"
  done
  ip netns exec "$HATC_TAG-sw" nft -f - <<<"$c" || return 1
  hatc_log "etcd-cut: $node"
}
# Undo etcd-cut of NODE (default: of every node).
cluster_etcd_heal() { # [node]
  hatc_etcd_need || return 1
  if [[ -n ${1:-} ]]; then
    ip netns exec "$HATC_TAG-sw" nft delete chain bridge hatc_etcd "cut_$1" 2>/dev/null || true
  else
    ip netns exec "$HATC_TAG-sw" nft delete table bridge hatc_etcd 2>/dev/null || true
  fi
}
# The nodes cut from etcd now, one a line.
hatc_etcd_cut_nodes() {
  ip netns exec "$HATC_TAG-sw" nft list table bridge hatc_etcd 2>/dev/null | sed -n 's/^\tchain cut_\(.*\) {$/\1/p'
}

# Which nodes hold the VIP right now (space separated).
cluster_vip_holders() {
  hatc_need || return 1
  local n out=()
  for n in $HATC_NODES; do
    ip -n "$HATC_TAG-$n" -o -4 addr show 2>/dev/null | grep " $HATC_VIP/" >/dev/null && out+=("$n")
  done
  echo "${out[*]}"
}

# Run a command in the client namespace.
cluster_client() { hatc_need || return 1; ip netns exec "$HATC_TAG-cl" "$@"; }

# Ask the VIP who serves it (prints the node name); fails when nobody answers.
cluster_curl_vip() {
  cluster_client curl -fsS --max-time "${1:-1}" "http://$HATC_VIP:$HATC_PORT/"
}

# Start a host helper whose pid down will kill.
cluster_helper() { # name cmd...
  local name=$1; shift
  "$@" &
  echo $! >"$HATC_DIR/pids/$name.pid"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -uo pipefail
  cmd=${1:-}; shift || true
  case $cmd in
    up) cluster_up "$@" && echo "HATC_DIR=$HATC_DIR" ;;
    down) hatc_load && cluster_down ;;
    exec) hatc_load && cluster_exec "$@" ;;
    boot) hatc_load && cluster_boot "$@" ;;
    start-daemons) hatc_load && cluster_start_daemons ;;
    start-daemon) hatc_load && cluster_start_daemon "$@" ;;
    stop-daemon) hatc_load && cluster_stop_daemon "$@" ;;
    add-node) hatc_load && cluster_add_node "$@" ;;
    config-add) hatc_load && cluster_config_add_node "$@" ;;
    config-remove) hatc_load && cluster_config_remove_node "$@" ;;
    config-nodes) hatc_load && cluster_config_nodes ;;
    kill-node) hatc_load && cluster_kill_node "$@" ;;
    self-fence) hatc_load && cluster_self_fence "$@" ;;
    power-on) hatc_load && cluster_poweron "$@" ;;
    link-down) cluster_link_down "$@" ;;
    link-up) cluster_link_up "$@" ;;
    cut) cluster_cut "$@" ;;
    heal) cluster_heal ;;
    pause) cluster_pause "$@" ;;
    resume) cluster_resume "$@" ;;
    status) cluster_status ;;
    storage) hatc_load && cluster_storage "$@" ;;
    vip) cluster_vip_holders ;;
    client) cluster_client "$@" ;;
    curl) hatc_load && cluster_curl_vip "$@" ;;
    etcd-status) cluster_etcd_status ;;
    etcd-leader) cluster_etcd_leader ;;
    etcd-wait) cluster_etcd_wait "$@" ;;
    etcd-kill) cluster_etcd_kill "$@" ;;
    etcd-start) cluster_etcd_start "$@" ;;
    etcd-cut) cluster_etcd_cut "$@" ;;
    etcd-heal) cluster_etcd_heal "$@" ;;
    etcd-endpoints) hatc_etcd_need && cluster_etcd_endpoints ;;
    etcdctl) cluster_etcdctl "$@" ;;
    *) echo "usage: $0 up [--variant witness|three|seven|two] [--timings default|fast] [--links 1|2] | down | exec NODE CMD... |
       kill-node NODE | power-on NODE | link-down NODE [LINK|all] | link-up NODE [LINK|all] | cut NODE [PEER...] | heal |
       pause NODE [--all] | resume NODE [--all] | storage [NODE [ok|error[:ERRNO]|hang|slow:MS]] |
       start-daemons | start-daemon NODE | stop-daemon NODE [TIMEOUT] | status | vip | client CMD... | curl |
       add-node NODE [full|witness] | config-add NODE | config-remove NODE | config-nodes |
       (HATC_ETCD=1) etcd-status | etcd-leader | etcd-wait [TIMEOUT] | etcd-kill MEMBER | etcd-start MEMBER |
       etcd-cut NODE | etcd-heal [NODE] | etcd-endpoints | etcdctl ARGS..." >&2; exit 2 ;;
  esac
fi
