# Cleanup of a private manager's cgroup (sourced by user-manager.sh and system-manager.sh).
# Uses the caller's `cgroup_roots` (the hierarchies the manager lives in) and `cgname`.

# Every member, also those the manager moved into sub-cgroups (init.scope: journald;
# app.slice/<unit>: a unit that survived its manager).
kill_cgroup_members() {
  local root pid
  for root in "${cgroup_roots[@]}"; do
    [[ -d $root/$cgname ]] || continue
    while read -r pid; do
      [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null || true
    done < <(find "$root/$cgname" -name cgroup.procs -exec cat {} + 2>/dev/null)
  done
}

# Child cgroups first, deepest first; bounded retries while members exit.
remove_cgroups() {
  local root i
  for root in "${cgroup_roots[@]}"; do
    [[ -d $root/$cgname ]] || continue
    for i in $(seq 1 50); do
      find "$root/$cgname" -depth -type d -exec rmdir {} + 2>/dev/null || true
      [[ -d $root/$cgname ]] || break
      sleep 0.1
    done
  done
}
