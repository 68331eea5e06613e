# shellcheck shell=bash
# Teardown (sourced by lab.sh). Safe to run twice and after a half-failed `up`: every step works
# from what the lab recorded (PID files, containerd's own shim/init PID files, mounts under LAB_DIR).

# Kills every container process and containerd shim, after containerd itself is stopped (so
# nothing new can start). They are found by the lab's own cgroups: pods run under kubelet's
# cgroupRoot and the shims inherit containerd's cgroup, both below LAB_CGROUP_TRACK.
kill_containers() {
  local procs pid i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    procs="$(find "$LAB_CGROUP_TRACK" -name cgroup.procs -exec cat {} + 2>/dev/null || true)"
    [[ -z "$procs" ]] && return 0
    for pid in $procs; do kill -KILL "$pid" 2>/dev/null || true; done
    sleep 0.5
  done
  log "processes still in the lab's cgroups after SIGKILL: $procs"
}

# Unmounts everything below LAB_DIR (pod volumes, container rootfs, shm, netns, the etcd tmpfs),
# deepest first.
unmount_lab() {
  local m
  for m in $(findmnt -rn -o TARGET | grep -F "$LAB_DIR" | sort -r); do
    [[ "$m" == "$LAB_DIR"* ]] || continue
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done
}

# libcni caches results in /var/lib/cni/results as <network>-<sandbox id>-<interface>; remove the
# lab network's and those of the lab's sandboxes (containerd's loopback network is "cni-loopback").
remove_cni_cache() {
  local d
  rm -f /var/lib/cni/results/kustody-lab-*
  for d in "$LAB_DIR"/containerd/root/io.containerd.grpc.v1.cri/sandboxes/*/; do
    [[ -d "$d" ]] && rm -f /var/lib/cni/results/*-"$(basename "$d")"-*
  done
  return 0
}

# kubelet links container logs into /var/log/containers; remove only links into the lab's logs.
remove_log_links() {
  local l
  for l in /var/log/containers/*.log; do
    [[ -L "$l" && "$(readlink "$l")" == "$LAB_DIR"* ]] && rm -f "$l"
  done
  return 0
}

lab_down() {
  if [[ ! -d "$LAB_DIR" ]]; then log "no lab state at $LAB_DIR: nothing to do"; return; fi
  log "stopping the lab in $LAB_DIR"
  # Order: stop what creates things (kube-router, kubelet) before what they talk to.
  stop_daemon kube-router
  stop_daemon kubelet
  stop_daemon containerd
  kill_containers
  stop_daemon kube-scheduler
  stop_daemon kube-controller-manager
  stop_daemon kube-apiserver
  stop_daemon etcd
  unmount_lab
  remove_cni_cache
  remove_log_links
  restore_host
  # Keep the logs of the last run (CI artefacts); everything else is disposable state.
  # --one-file-system: never follow a mount that survived into something that is not the lab's.
  find "$LAB_DIR" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf --one-file-system {} + 2>/dev/null \
    || log "could not remove everything under $LAB_DIR (see messages above)"
  log "lab is down (logs kept in $LOGS)"
}
