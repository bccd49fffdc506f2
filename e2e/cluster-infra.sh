#!/usr/bin/env bash
# The test cluster itself, without haclusterd:
#   cluster-infra  nodes are isolated from each other (network, mounts, cgroups), the demo
#                  service and the VIP work, the fence agent really powers a node off and reports
#                  it, the safety checkers detect what they must detect, machines are added and
#                  taken in and out of the configuration, and `down` leaves nothing behind
#   etcd-members   HATC_ETCD=1 --variant three: the generated configuration (backend etcd, no
#                  [quorum], [etcd]; a witness refused), three healthy etcd members in their own
#                  namespaces and cgroup; etcdctl put/get from the nodes; kill -9 of the raft
#                  leader: a new leader within 5 s, restarted on its data it catches up;
#                  etcd-cut n1: etcd unreachable from n1 while n1 reaches n2 and the client n1,
#                  apart from cut/heal, etcd-heal [NODE]; a node's power-off leaves etcd alone;
#                  `down` leaves no namespace and no etcd
#   trivial-unit   HATC_UNIT=trivial: demo.service runs the Perl demo service (bench/failover's
#                  unit): ready when its start returns, the same answers (node name, health URL,
#                  503 under the unhealthy flag, 404), its own start and stop records, ExecStopPost
#                  closing a killed one's interval, the journal checker seeing an overlap; an
#                  unknown HATC_UNIT refused
# Usage: e2e/cluster-infra.sh [cluster-infra|etcd-members|trivial-unit]...   (default: all)
set -uo pipefail
source "$(dirname "$0")/lib.sh"

cluster_infra() {
  t0=$(date +%s%N)
  trap cluster_down EXIT
  trap 'exit 143' TERM INT
  cluster_up --variant witness || { echo "FAIL cluster-infra: up failed"; exit 1; }
  tag=$HATC_TAG dir=$HATC_DIR
  A=$HATC_DIR/agents/fence_testcluster
  fence() { printf '%s\n' "$@" | cluster_exec n2 "$A"; }
  J=$HATC_DIR/shared/demo-journal.log

  # Units of the same name on two nodes are independent (one cgroup per manager).
  cluster_exec n1 systemctl --user start demo.service
  cluster_exec n2 systemctl --user start demo.service
  cluster_exec n1 systemctl --user stop demo.service
  check "stopping demo on n1 leaves n2's running" test "$(cluster_exec n2 systemctl --user is-active demo.service)" = active
  check "the journal checker reports the overlap of n1 and n2" bash -c '! python3 "$0" "$1" >/dev/null' "$HATC_DIR/lib/check-journal" "$J"
  cluster_exec n2 systemctl --user stop demo.service
  : >"$J"

  # The demo service on n1 behind the VIP, seen from the client.
  e2e_start_sampler
  cluster_exec n1 systemctl --user start demo.service
  cluster_exec n1 ip addr add "$HATC_VIP/24" dev eth0
  cluster_exec n1 arping -q -c 1 -U -I eth0 "$HATC_VIP"
  check "the client reaches the VIP on n1" test "$(e2e_vip_node)" = n1
  check "the health URL answers 200 on n1" cluster_exec n1 curl -fsS -o /dev/null http://127.0.0.1:11200/dip/api/ping
  check "hostname is the node's" test "$(cluster_exec n2 hostname)" = n2
  check "shared storage is shared" bash -c 'grep -q "start n1" "$0"' "$J"

  # Fence agent protocol.
  check "agent refuses arguments" bash -c '! "$0" -o status </dev/null 2>/dev/null' "$A"
  check "agent metadata is well-formed XML with the actions" bash -c \
    'printf "action=metadata\n" | "$0" | python3 -c "import sys,xml.etree.ElementTree as E; r=E.parse(sys.stdin).getroot(); a={x.get(\"name\") for x in r.iter(\"action\")}; sys.exit(0 if {\"on\",\"off\",\"reboot\",\"status\",\"monitor\",\"list\",\"metadata\"}<=a else 1)"' "$A"
  check "unknown action fails" bash -c '! printf "action=dance\nport=n1\n" | "$0" >/dev/null 2>&1' "$A"
  fence action=status port=n1 >/dev/null; check "status of n1 is ON (rc 0)" test $? -eq 0
  touch "$HATC_DIR/fence-broken"
  fence action=off port=n1 >/dev/null 2>&1; check "a broken fence device fails (rc 1)" test $? -eq 1
  check "and n1 is still serving" test "$(e2e_vip_node)" = n1
  rm -f "$HATC_DIR/fence-broken"

  # Partition: n1 cut from its peers, the client still reaches it.
  cluster_cut n1
  check "n1 cannot reach n2 while cut" bash -c '! "$0" exec n1 arping -q -c 1 -w 1 -I eth0 198.18.10.12' "$HATC_DIR/lib/cluster.sh"
  check "the client still reaches n1 while cut" test "$(e2e_vip_node)" = n1
  cluster_heal
  check "n1 reaches n2 after heal" "$HATC_DIR/lib/cluster.sh" exec n1 arping -q -c 1 -w 1 -I eth0 198.18.10.12

  # Power off through the fence agent, run from inside n2.
  fence action=off port=n1 nodename=n1 >/dev/null; check "off n1 succeeds (rc 0)" test $? -eq 0
  fence action=status port=n1 >/dev/null; check "status of n1 is OFF (rc 2)" test $? -eq 2
  check "nothing of n1 is alive" hatc_cgroup_empty n1
  check "the VIP is gone with n1" test -z "$(cluster_vip_holders)"
  check "the client gets no answer" test -z "$(e2e_vip_node)"
  check "the journal closed n1's interval" e2e_journal_clean
  check "n2 is untouched" test "$(cluster_exec n2 systemctl --user is-system-running)" = running
  fence action=on port=n1 >/dev/null; check "on n1 succeeds" test $? -eq 0
  fence action=status port=n1 >/dev/null; check "status of n1 is ON again" test $? -eq 0
  check "n1 boots: its user manager is back" hatc_wait 20 "n1 to boot" hatc_manager_up n1

  # The sampler sees a double VIP when there is one (it can fail), and none before.
  check "no double VIP so far" e2e_sampler_clean
  e2e_start_sampler
  cluster_exec n1 ip addr add "$HATC_VIP/24" dev eth0
  cluster_exec n2 ip addr add "$HATC_VIP/24" dev eth0
  sleep 0.1
  check "the sampler detects n1 and n2 holding the VIP" e2e_not e2e_sampler_clean

  # Pause the whole node (cgroup freeze).
  cluster_exec n1 systemctl --user start demo.service
  cluster_exec n2 ip addr del "$HATC_VIP/24" dev eth0
  cluster_pause n1 --all
  check "a frozen node does not answer" test -z "$(e2e_vip_node)"
  cluster_resume n1 --all
  check "a thawed node answers again" test "$(e2e_vip_node)" = n1

  # A machine added to the running cluster (membership changes): its own namespaces on the
  # switch, watched by a running sampler, in and out of the configuration; down removes it.
  e2e_start_sampler
  cluster_add_node n4
  check "n4 is a node of the cluster (env)" bash -c 'source "$0/env"; [[ " $HATC_NODES " == *" n4 "* && " $HATC_FULL_NODES " == *" n4 "* ]]' "$HATC_DIR"
  check "n4's hostname is its own" test "$(cluster_exec n4 hostname)" = n4
  check "n4's user manager runs" hatc_manager_up n4
  check "no haclusterd on n4 yet" test ! -s "$HATC_DIR/nodes/n4/haclusterd.pid"
  check "n4 reaches n1 on the switch" cluster_exec n4 arping -q -c 1 -w 1 -I eth0 198.18.10.11
  check "n1 reaches n4" cluster_exec n1 arping -q -c 1 -w 1 -I eth0 198.18.10.14
  check "n4 has only its own address" test "$(cluster_exec n4 ip -o -4 addr show dev eth0 | awk '{print $4}')" = 198.18.10.14/24
  check "the running sampler watches n4" hatc_wait 5 "the sampler to watch n4" grep -q ' watching n4$' "$HATC_DIR/vip-sampler.log"
  conf=$HATC_DIR/etc/haclusterd.toml
  check "n4 is not in the configuration yet" test "$(cluster_config_nodes)" = "n1 n2 n3"
  cluster_config_add_node n4
  check "config-add: n4 listed last" test "$(cluster_config_nodes)" = "n1 n2 n3 n4"
  check "config-add: n4's fence device" grep -q '^nodes = \["n4"\]$' "$conf"
  check "config-add twice fails" e2e_not cluster_config_add_node n4
  cluster_config_remove_node n2
  check "config-remove: n2 gone" test "$(cluster_config_nodes)" = "n1 n3 n4"
  check "config-remove: n2's fence device gone" e2e_not grep -q '^nodes = \["n2"\]$' "$conf"
  check "the edited configuration parses (hactl config check)" cluster_exec n1 "$(e2e_bin)/hactl" config check
  cluster_exec n1 ip addr add "$HATC_VIP/24" dev eth0 2>/dev/null
  cluster_exec n4 ip addr add "$HATC_VIP/24" dev eth0
  sleep 0.1
  check "the sampler detects n1 and n4 holding the VIP" e2e_not e2e_sampler_clean
  cluster_exec n4 ip addr del "$HATC_VIP/24" dev eth0

  cluster_down
  trap - EXIT
  check "no namespace left" bash -c '! ip netns list | grep -q "^$0-"' "$tag"
  check "no cgroup left" test ! -e "$HATC_CG2/$tag"
  check "no cluster directory left" test ! -e "$dir"
  check "no mount left" bash -c '! grep -q "$0" /proc/mounts' "$tag"
  check "no process of the cluster left" bash -c '! ps -eo args | grep -v grep | grep -q "$0"' "$dir"
  e2e_report cluster-infra - "($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
  exit $E2E_FAILED
}

# ---- etcd-members: the etcd cluster of HATC_ETCD=1 (no haclusterd) ----------------------------

# cluster_up with these options is refused before it creates anything (a cluster it brought up
# all the same is taken down at once).
up_refused() { # cluster_up options...
  (cluster_up "$@" 2>/dev/null; rc=$?; cluster_down >/dev/null 2>&1; ((rc != 0)))
}
# A python expression over the generated configuration `c` (tomllib) is true.
config_is() { /usr/bin/python3 -c 'import sys, tomllib; c = tomllib.load(open(sys.argv[1], "rb")); sys.exit(0 if eval(sys.argv[2]) else 1)' "$HATC_DIR/etc/haclusterd.toml" "$1"; }
# etcdctl on NODE (through the cluster's CLI, so that `timeout` bounds it), all three members.
etcd_on() { # node args...
  local n=$1; shift
  timeout -s KILL 10 "$HATC_DIR/lib/cluster.sh" exec "$n" etcdctl --endpoints="$(cluster_etcd_endpoints)" --dial-timeout 1s --command-timeout 2s "$@"
}
# etcdctl against one member only, a serializable read: what that member itself has.
etcd_local_get() { # member key
  timeout -s KILL 10 ip netns exec "$HATC_TAG-e1" etcdctl --endpoints="$(hatc_etcd_url "$1")" --dial-timeout 1s --command-timeout 2s \
    get --consistency=s --print-value-only "$2"
}
etcd_fails_on() { ! etcd_on "$@" >/dev/null 2>&1; }   # node args...
etcd_quiet_on() { etcd_on "$@" >/dev/null; }
leader_other_than() { local l; l=$(cluster_etcd_leader) && [[ -n $l && $l != "$1" ]]; }
value_is() { [[ $("$@" 2>/dev/null | head -n 1) == "$VALUE" ]]; }   # VALUE=... value_is cmd...
etcd_pids() { local m; for m in $HATC_ETCD_MEMBERS; do hatc_etcd_pid "$m" || echo none; done | xargs; }
in_etcd_cgroup() { local p; for p in $(etcd_pids); do grep -qx "0::/$HATC_TAG/etcd" "/proc/$p/cgroup" || return 1; done; }
in_member_netns() { local m; for m in $HATC_ETCD_MEMBERS; do [[ $(ip netns identify "$(hatc_etcd_pid "$m")") == "$HATC_TAG-$m" ]] || return 1; done; }
arping_from() { local n=$1; shift; timeout -s KILL 5 "$HATC_DIR/lib/cluster.sh" exec "$n" arping -q -c 1 -w 1 -I eth0 "$@"; }
none_running() { local p; for p; do hatc_pid_running "$p" && return 1; done; return 0; }
client_arping() { timeout -s KILL 5 ip netns exec "$HATC_TAG-cl" arping -q -c 1 -w 1 -I eth0 "$@"; }

etcd_members() {
  local t0
  t0=$(date +%s%N)
  e2e_reset
  echo "== etcd-members" >&2
  trap cluster_down EXIT
  trap 'exit 143' TERM INT
  check "HATC_ETCD=2 is refused" eval 'HATC_ETCD=2 up_refused --variant three'
  check "HATC_ETCD=1 with --variant witness is refused" eval 'HATC_ETCD=1 up_refused --variant witness'
  check "HATC_ETCD=1 with HATC_TIEBREAKER is refused" eval 'HATC_ETCD=1 HATC_TIEBREAKER=storage up_refused --variant two'

  local timings=${E2E_TIMINGS:-default} ttl=3s
  [[ $timings == fast ]] && ttl=2s
  HATC_ETCD=1
  local t_up; t_up=$(date +%s%N)
  cluster_up --variant three --timings "$timings" || { check "up with HATC_ETCD=1 --variant three" false; e2e_report etcd-members - "(up failed)"; exit 1; }
  t_up=$(( ($(date +%s%N) - t_up) / 1000000 ))
  local tag=$HATC_TAG dir=$HATC_DIR key=/haclusterd/$HATC_TAG/e2e
  check "HATC_ETCD=1 is in <dir>/env" grep -qx 'HATC_ETCD=1' "$HATC_DIR/env"

  # The configuration: backend etcd, no [quorum], the [etcd] section, every node full.
  check "config: [cluster] backend = \"etcd\"" config_is 'c["cluster"]["backend"] == "etcd"'
  check "config: no [quorum]" config_is '"quorum" not in c'
  check "config: [etcd] endpoints are the three members" config_is \
    'c["etcd"]["endpoints"] == ["http://198.18.10.21:2379", "http://198.18.10.22:2379", "http://198.18.10.23:2379"]'
  check "config: [etcd] prefix /haclusterd/$tag" config_is "c['etcd']['prefix'] == '/haclusterd/$tag'"
  check "config: [etcd] lease_ttl $ttl ($timings timings)" config_is "c['etcd']['lease_ttl'] == '$ttl'"
  check "config: three full nodes" config_is '[n["name"] for n in c["node"] if "role" not in n] == ["n1", "n2", "n3"]'
  (HATC_TIMINGS=fast; cluster_gen_config)
  check "config: lease_ttl 2s with fast timings" config_is 'c["etcd"]["lease_ttl"] == "2s"'
  (HATC_ETCD_LEASE_TTL=7s; cluster_gen_config)
  check "config: HATC_ETCD_LEASE_TTL=7s" config_is 'c["etcd"]["lease_ttl"] == "7s"'
  cluster_gen_config
  local sum; sum=$(md5sum <"$HATC_DIR/etc/haclusterd.toml")
  check "config: a witness is refused with HATC_ETCD=1" e2e_not eval '(HATC_FULL_NODES="n1 n2"; cluster_gen_config 2>/dev/null)'
  check "config: the refused witness left the file alone" test "$(md5sum <"$HATC_DIR/etc/haclusterd.toml")" = "$sum"
  check "add-node NODE witness is refused" e2e_not eval 'cluster_add_node n4 witness 2>/dev/null'

  # The members.
  check "all three members are healthy" cluster_etcd_healthy
  check "three started members, e1 e2 e3" test "$(cluster_etcdctl member list 2>/dev/null | awk -F', ' '$2 == "started" { print $3 }' | sort | xargs)" = "e1 e2 e3"
  check "every member's etcd runs (pids: $(etcd_pids))" e2e_not grep -qw none <<<"$(etcd_pids)"
  check "each etcd is in the cgroup $tag/etcd" in_etcd_cgroup
  check "each etcd is in its member's namespace" in_member_netns
  check "etcd-status: three healthy members, one leader" bash -c \
    'o=$("$0" etcd-status); sed "s/^/    /" <<<"$o" >&2; [[ $(grep -c " healthy " <<<"$o") == 3 && $(grep -c " leader " <<<"$o") == 1 ]]' "$HATC_DIR/lib/cluster.sh"

  # Keys written from a node, read from the others and through `cluster.sh etcdctl`.
  check "etcdctl put from n1" etcd_quiet_on n1 put "$key" v1
  check "n2 reads it" eval 'VALUE=v1 value_is etcd_on n2 get --print-value-only "$key"'
  check "n3 reads it" eval 'VALUE=v1 value_is etcd_on n3 get --print-value-only "$key"'
  check "cluster.sh etcdctl get --prefix /haclusterd/ lists it" bash -c '"$0" etcdctl get --prefix --keys-only /haclusterd/ | grep -qx "$1"' "$HATC_DIR/lib/cluster.sh" "$key"

  # The leader killed: the other two elect one; restarted on its data, it catches up.
  local leader t_elect=-
  leader=$(cluster_etcd_leader)
  check "there is a leader ($leader)" test -n "$leader"
  if [[ -n $leader ]]; then
    local pid_before t; pid_before=$(hatc_etcd_pid "$leader")
    t=$(date +%s%N)
    check "etcd-kill $leader (the leader)" "$HATC_DIR/lib/cluster.sh" etcd-kill "$leader"
    check "etcd $leader (pid $pid_before) is dead" hatc_pid_gone "$pid_before"
    check "a new leader other than $leader within 5 s" hatc_wait 5 "a leader other than $leader" leader_other_than "$leader" &&
      t_elect=$(( ($(date +%s%N) - t) / 1000000 ))ms
    e2e_log "new leader $(cluster_etcd_leader) after $t_elect"
    check "etcd-status shows $leader down" bash -c '"$0" etcd-status | grep -q "^$1 .* down "' "$HATC_DIR/lib/cluster.sh" "$leader"
    check "writes go on without $leader (put from n2)" etcd_quiet_on n2 put "$key" v2
    check "etcd-start of a running member is refused" e2e_not "$HATC_DIR/lib/cluster.sh" etcd-start "$(cluster_etcd_leader)" 2>/dev/null
    check "etcd-start $leader" "$HATC_DIR/lib/cluster.sh" etcd-start "$leader"
    check "$leader runs again under a new pid" bash -c '[[ -n $1 && $1 != "$2" ]]' _ "$(hatc_etcd_pid "$leader")" "$pid_before"
    check "all three members healthy again within 10 s" cluster_etcd_wait 10
    check "$leader caught up: it has the write made while it was down" hatc_wait 5 "$leader to have v2" eval 'VALUE=v2 value_is etcd_local_get "$leader" "$key"'
    check "$leader was started with --initial-cluster-state existing" bash -c 'tr "\0" " " <"/proc/$0/cmdline" | grep -q -- "--initial-cluster-state existing "' "$(hatc_etcd_pid "$leader")"
  fi

  # etcd-cut n1: n1 is cut from the members only.
  cluster_etcd_cut n1
  local t_cut rc
  t_cut=$(date +%s%N); etcd_on n1 get "$key" >/dev/null 2>&1; rc=$?; t_cut=$(( ($(date +%s%N) - t_cut) / 1000000 ))
  check "etcd-cut n1: etcdctl from n1 fails (rc $rc after ${t_cut} ms)" test "$rc" -ne 0
  check "etcd-cut n1: n1 does not reach e1" e2e_not arping_from n1 "$(hatc_etcd_ip e1)"
  check "etcd-cut n1: n2 still reads etcd" eval 'VALUE=v2 value_is etcd_on n2 get --print-value-only "$key"'
  check "etcd-cut n1: n1 still reaches n2" arping_from n1 198.18.10.12
  check "etcd-cut n1: the client still reaches n1" client_arping 198.18.10.11
  check "status lists n1 as etcd-cut" bash -c '"$0" status | grep -q " etcd-cut=n1$"' "$HATC_DIR/lib/cluster.sh"
  cluster_cut n1; cluster_heal
  check "heal (cut's) does not undo etcd-cut" etcd_fails_on n1 get "$key"
  cluster_cut n1; cluster_etcd_heal
  check "etcd-heal does not undo cut: n1 still cut from n2" e2e_not arping_from n1 198.18.10.12
  cluster_heal
  check "etcd-heal: n1 reads etcd again" hatc_wait 5 "n1 to read etcd" eval 'VALUE=v2 value_is etcd_on n1 get --print-value-only "$key"'
  check "etcd-heal: n1 reaches e1" arping_from n1 "$(hatc_etcd_ip e1)"
  cluster_etcd_cut n1; cluster_etcd_cut n2
  cluster_etcd_heal n1
  check "etcd-heal n1 heals n1 only: n1 reads etcd" hatc_wait 5 "n1 to read etcd" eval 'VALUE=v2 value_is etcd_on n1 get --print-value-only "$key"'
  check "etcd-heal n1 heals n1 only: n2 is still cut" etcd_fails_on n2 get "$key"
  cluster_etcd_heal
  check "etcd-heal: n2 reads etcd again" hatc_wait 5 "n2 to read etcd" eval 'VALUE=v2 value_is etcd_on n2 get --print-value-only "$key"'

  # A node's power-off does not touch etcd (the members are outside every node's cgroup).
  local pids; pids=$(etcd_pids)
  cluster_kill_node n3
  check "kill-node n3 leaves the etcd members running (pids $pids)" test "$(etcd_pids)" = "$pids"
  check "and healthy" cluster_etcd_healthy

  # down: nothing left.
  local all_pids; all_pids=$(etcd_pids)
  cluster_down
  trap - EXIT
  check "no namespace left" bash -c '! ip netns list | grep -q "^$0-"' "$tag"
  check "no etcd of the cluster left (pids $all_pids)" none_running $all_pids
  check "no process of the cluster left" bash -c '! ps -eo args | grep -v grep | grep -q "$0"' "$dir"
  check "no cgroup left" test ! -e "$HATC_CG2/$tag"
  check "no cluster directory left" test ! -e "$dir"
  e2e_report etcd-members - "up=${t_up}ms new_leader_after=$t_elect etcd_cut_fails_after=${t_cut}ms ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
  exit $E2E_FAILED
}

# ---- trivial-unit: HATC_UNIT=trivial, the demo service in Perl (bench/failover's unit) ---------

trivial_unit() {
  t0=$(date +%s%N)
  trap cluster_down EXIT
  trap 'exit 143' TERM INT
  HATC_UNIT=bogus check "an unknown HATC_UNIT is refused" up_refused --variant witness
  HATC_UNIT=trivial cluster_up --variant witness || { echo "FAIL trivial-unit: up failed"; exit 1; }
  tag=$HATC_TAG
  local J=$HATC_DIR/shared/demo-journal.log url=http://127.0.0.1:$HATC_PORT pid code
  check "demo.service runs demo-service.pl" grep -q "^ExecStart=/usr/bin/perl $HATC_DIR/lib/demo-service.pl --node %H " "$HATC_DIR/nodes/n1/config/systemd/user/demo.service"
  cluster_exec n1 systemctl --user start demo.service
  # Type=notify: READY=1 only once it listens, so it answers as soon as the start job is done.
  check "it answers its node name as soon as systemctl start returns" test "$(cluster_exec n1 curl -fsS --max-time 1 "$url/")" = n1
  pid=$(cluster_exec n1 systemctl --user show -p MainPID --value demo.service)
  check "its main process is perl (pid $pid)" test "$(cat "/proc/$pid/comm" 2>/dev/null)" = perl
  check "the health URL answers 200" cluster_exec n1 curl -fsS -o /dev/null "$url/dip/api/ping"
  touch "$HATC_DIR/shared/demo-unhealthy-n1"
  code=$(cluster_exec n1 curl -s -o /dev/null -w '%{http_code}' "$url/dip/api/ping")
  check "503 while its unhealthy flag exists (got $code)" test "$code" = 503
  rm -f "$HATC_DIR/shared/demo-unhealthy-n1"
  code=$(cluster_exec n1 curl -s -o /dev/null -w '%{http_code}' "$url/nothing")
  check "404 elsewhere (got $code)" test "$code" = 404
  check "a start record with its pid" grep -Eq "^start n1 [0-9]{19} $pid\$" "$J"
  check "its time is the wall clock's (CLOCK_REALTIME ns, within 10 s)" bash -c 'ns=$(awk "/^start n1 /{t=\$3} END{print t}" "$0"); now=$(date +%s%N); (( now - ns < 10000000000 && ns - now < 10000000000 ))' "$J"
  cluster_exec n1 systemctl --user stop demo.service
  check "a stop recorded by the service itself after SIGTERM" bash -c '[[ $(tail -n 1 "$0") =~ ^stop\ n1\ [0-9]{19}\ $1$ ]]' "$J" "$pid"
  check "the journal is clean" e2e_journal_clean
  cluster_exec n1 systemctl --user start demo.service
  pid=$(cluster_exec n1 systemctl --user show -p MainPID --value demo.service)
  kill -9 "$pid"
  check "kill -9: ExecStopPost closes the interval" hatc_wait 5 "the stop record of n1" bash -c '[[ $(tail -n 1 "$0") == "stop n1 "*" exited" ]]' "$J"
  cluster_exec n1 systemctl --user reset-failed demo.service 2>/dev/null
  cluster_exec n1 systemctl --user start demo.service
  cluster_exec n2 systemctl --user start demo.service
  check "n1 and n2 serving at once: the journal checker reports the overlap" e2e_not e2e_journal_clean
  cluster_down
  trap - EXIT
  check "no namespace left" bash -c '! ip netns list | grep -q "^$0-"' "$tag"
  e2e_report trivial-unit - "($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
  exit $E2E_FAILED
}

all=(cluster-infra etcd-members trivial-unit)
(($#)) || set -- "${all[@]}"
trap 'exit 143' TERM INT
for s in "$@"; do
  case $s in
    cluster-infra) (cluster_infra) || E2E_FAILED=1 ;;
    etcd-members) (etcd_members) || E2E_FAILED=1 ;;
    trivial-unit) (trivial_unit) || E2E_FAILED=1 ;;
    *) echo "unknown scenario $s (${all[*]})" >&2; E2E_FAILED=1 ;;
  esac
done
exit $E2E_FAILED
