#!/usr/bin/env bash
# Installs what layers/onnx's external tests need, then they run instead of
# skipping:
#   - python3-onnx (Debian) for TestONNXChecker: ONNX's checker and shape
#     inference, run by /usr/bin/python3 testdata/check.py;
#   - Node.js and onnxruntime-node (npm, version pinned in ort/package.json
#     and ort/package-lock.json) for TestONNXRuntimeParity, into
#     testdata/ort/node_modules (ignored by git).
#
# onnxruntime-node's npm tarball ships the linux-x64 CPU runtime
# (bin/napi-v6/linux/x64/libonnxruntime.so.1); its postinstall script would
# only download the optional CUDA provider from nuget.org, which is
# unreachable here and not needed: ONNXRUNTIME_NODE_INSTALL=skip skips it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

apt=()
/usr/bin/python3 -c 'import onnx' 2>/dev/null || apt+=(python3-onnx)
command -v node >/dev/null || apt+=(nodejs)
command -v npm >/dev/null || apt+=(npm)
if [ ${#apt[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install.sh: missing ${apt[*]}: run apt-get install -y ${apt[*]} as root" >&2
		exit 1
	fi
	apt-get update -qq && apt-get install -y "${apt[@]}"
fi

cd "$here/ort"
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
node -e 'const o = require("onnxruntime-node"); console.log("onnxruntime-node", o.env.versions.node, "ready")'
