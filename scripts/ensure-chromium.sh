#!/usr/bin/env bash
# The lab's end-to-end test opens its HTML report in Debian's Chromium (never a browser download):
# install it when it is missing and this machine can (root with apt-get); otherwise say how, and let the test say why it failed.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the lab's browser test (once)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "chromium install failed" >&2
else
  echo "note: chromium is not installed; the lab's browser test needs it (apt-get install chromium)" >&2
fi
exit 0
