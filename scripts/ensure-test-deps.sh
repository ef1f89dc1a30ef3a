#!/usr/bin/env bash
# System packages the test suite needs: Debian's Chromium for the browser tests, and a Japanese font so
# that the screenshots in test-artifacts/ show the labels rather than empty boxes.
# Installs them when missing and this user can (root with apt-get); otherwise says what to install.
set -euo pipefail
need=()
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  need+=(chromium chromium-driver)
fi
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=ja 2>/dev/null)" ]; then
  need+=(fonts-ipafont-gothic)
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} (Debian) for the browser tests" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
elif [ "${need[0]}" = chromium ]; then
  echo "the browser tests need: sudo apt-get install ${need[*]}" >&2
  exit 1
else
  echo "screenshots will show Japanese labels as boxes; to fix: sudo apt-get install ${need[*]}" >&2
fi
