#!/usr/bin/env bash
# System packages the test suite needs: Debian's Chromium for the browser tests.
# Installs them when missing and this user can (root with apt-get); otherwise says what to install.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium and chromium-driver (Debian) for the browser tests" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
else
  echo "the browser tests need Chromium: sudo apt-get install chromium chromium-driver" >&2
  exit 1
fi
