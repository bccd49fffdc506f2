#!/usr/bin/env bash
# The test cluster itself, without haclusterd: nodes are isolated from each
# other (network, mounts, cgroups), the demo service and the VIP work, the
# fence agent really powers a node off and reports it, the safety checkers
# detect what they must detect, and `down` leaves nothing behind.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

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
