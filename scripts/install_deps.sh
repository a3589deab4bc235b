#!/usr/bin/env bash
# Installs nertool's build and run dependencies from Debian 12 packages. Idempotent; needs root (or sudo).
set -euo pipefail
PACKAGES=(
  build-essential cmake pkg-config git ccache
  libtorch-dev libopenblas0-pthread        # LibTorch 1.13 (CPU); without OpenBLAS pthread matmuls are ~13x slower
  libsentencepiece-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libgtest-dev libutf8proc-dev
  libgloo-dev                              # Gloo headers for c10d ProcessGroupGloo (distributed training)
  gnuplot-nox                              # F1-per-epoch plots
  fasttext                                 # word vectors from unlabeled text (scripts/train_embeddings.sh)
  python3                                  # the reproduction scripts' result tables (standard library only)
)
if [ "${NERTOOL_WITH_PYTHON_PEER:-0}" = 1 ]; then PACKAGES+=(python3-torch); fi
# scripts/fuzz.sh: clang with libFuzzer and the sanitizer runtimes
if [ "${NERTOOL_WITH_FUZZ:-0}" = 1 ]; then PACKAGES+=(clang libclang-rt-14-dev); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
