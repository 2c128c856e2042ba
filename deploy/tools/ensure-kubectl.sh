#!/usr/bin/env bash
# Prints the path of a kubectl that can render kustomizations, installing Debian's
# kubernetes-client package when there is none (root, or sudo without a password). The deploy
# tests call it, so a fresh machine needs nothing installed by hand.
set -euo pipefail
if command -v kubectl >/dev/null 2>&1; then
  command -v kubectl
  exit 0
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "kubectl is missing and cannot be installed without root: apt-get install kubernetes-client" >&2
    exit 1
  fi
fi
echo "installing kubectl (Debian package kubernetes-client) for the deploy/ tests..." >&2
"${as_root[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq kubernetes-client >&2
command -v kubectl
