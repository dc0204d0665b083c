#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Installs what building Mesa with Rusticl needs on Debian 12: the
# bookworm-backports suite (derived by apt-sources.sh), Mesa's own build
# dependencies from it, and the tools the driver's build and tests use:
# for Vulkan, the loader and its headers, vulkaninfo, glslang (lavapipe's
# build and the tests' GLSL); Mesa's Vulkan code generators need only
# python3-mako, above.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export DEBIAN_FRONTEND=noninteractive
# apt-get that waits for apt's and dpkg's locks (unattended upgrades).
apt_get=$here/../../tools/apt-get-wait

"$here/apt-sources.sh"

# Everything Debian's mesa source package builds with, including meson and
# the rustc-free parts of the toolchain; the Rust compiler is the one on
# PATH (see mesa-env.sh).
"$apt_get" build-dep -y -t bookworm-backports mesa
"$apt_get" install -y --no-install-recommends \
	clang-15 libclang-15-dev bindgen clinfo ocl-icd-opencl-dev \
	ocl-icd-libopencl1 python3-mako python3-yaml patch rsync xz-utils \
	libvulkan-dev libvulkan1 vulkan-tools glslang-tools spirv-tools
