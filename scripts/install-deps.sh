#!/usr/bin/env bash
# Installs what building and testing Berth needs on a fresh Debian machine (run as root).
# Idempotent: packages already present are not fetched again.
set -euo pipefail

packages=(
  openjdk-17-jdk-headless maven gcc libc6-dev   # the build (gcc compiles the native child)
  musl-tools                                     # musl-gcc: the node's static programs (pause, berth-monitor, berth-subreaper), ~20x smaller resident than with glibc
  busybox-static                                 # the test fixture rootfs and the demo image
  runc                                           # the peer the runtime is measured against
  util-linux iproute2 procps                     # mount, nsenter, ip, ps used by tests
  docker-registry skopeo umoci                   # image-store: a real registry and image tools
  containerd                                     # berth-runtime driven by containerd (ctr)
  golang-go                                      # builds the OCI runtime-tools suite offline (scripts/runtime-tools-validate.sh)
  curl                                           # ImagesApiTest checks a refused upload over HTTP/2 with curl
  tmux                                           # the console's interactive tests drive it in a real terminal
  prometheus                                     # scrapes a real daemon in DashboardTest (started by the test on loopback)
  systemd                                        # systemd-analyze verify checks deploy/systemd/berth.service (DeployFilesTest)
  containernetworking-plugins iptables           # pod networking: the CNI plugins (bridge, host-local, portmap, firewall) and the rules they write
  iperf3                                         # pod-to-pod throughput in scripts/bench-net.sh
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Debian packages start services on install where an init system runs; Berth's tests start
# their own registry and containerd on loopback with private state, so stop any system copies.
for svc in docker-registry containerd prometheus; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
