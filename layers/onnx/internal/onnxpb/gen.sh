#!/usr/bin/env bash
# Regenerates onnx.pb.go, the Go types of ONNX's protobuf messages, from the
# onnx.in.proto that Debian's python3-onnx installs (ONNX 1.12.0, IR version
# 8, opsets up to 17), converted to proto3 by ONNX's own gen_proto.py.
#
# Needs: apt-get install -y python3-onnx protobuf-compiler, and the Go module
# proxy (protoc-gen-go is built at the version of google.golang.org/protobuf
# in go.mod, so that the generated code and the runtime match).
#
# The proto package is renamed from "onnx" to "tanren.onnxpb": the messages
# are the same on the wire, and a program that links another Go copy of
# onnx.proto does not panic on a protobuf registry conflict.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"

onnxdir="$(/usr/bin/python3 -c 'import onnx, os; print(os.path.dirname(onnx.__file__))')"
version="$(/usr/bin/python3 -c 'import onnx; print(onnx.__version__)')"
[ "$version" = 1.12.0 ] || echo "warning: python3-onnx is $version, onnx.pb.go was made from 1.12.0" >&2

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# onnx.in.proto → onnx_tanren.onnxpb.proto3 (proto3 syntax, package renamed).
/usr/bin/python3 "$onnxdir/gen_proto.py" -p tanren.onnxpb -o "$tmp/proto" onnx >/dev/null
src="$(ls "$tmp"/proto/onnx*.proto3)"
mkdir -p "$tmp/in"
cp "$src" "$tmp/in/onnx.proto"

pbver="$(cd "$root" && go list -m -f '{{.Version}}' google.golang.org/protobuf)"
GOBIN="$tmp/bin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@$pbver"

mkdir -p "$tmp/out"
protoc -I "$tmp/in" \
	--plugin=protoc-gen-go="$tmp/bin/protoc-gen-go" \
	--go_out="$tmp/out" --go_opt=paths=source_relative \
	--go_opt=Monnx.proto=github.com/tanren-ml/tanren/layers/onnx/internal/onnxpb \
	onnx.proto
cp "$tmp/out/onnx.pb.go" "$here/onnx.pb.go"
echo "wrote $here/onnx.pb.go (protoc-gen-go $pbver, python3-onnx $version)"
