#!/usr/bin/env bash
# CI machine set-up (.ci/run only; `npm test` never runs it): the lab's browser test opens its HTML report in Debian's
# Chromium (never a browser download). Installs it when missing, as root with apt-get; fails when it cannot.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the lab's browser test" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium is missing and this machine cannot install it here (needs root and apt-get): install it first" >&2
  exit 1
fi
