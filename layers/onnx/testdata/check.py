"""Validates ONNX models with ONNX's own checker, for layers/onnx's tests.

    /usr/bin/python3 check.py MODEL.onnx [MODEL.onnx ...]

For each model: onnx.checker.check_model with full_check (which runs shape
inference), then strict shape inference with type checks; the shapes ONNX
infers must equal the value_info the exporter wrote. Prints one JSON line
per model: {"file", "ir_version", "opset", "ops", "checked_values"}.
Exits 1 with the reason on the first failure. Needs python3-onnx (Debian).
"""
import json
import sys

import onnx
from onnx import shape_inference


def dims(vi):
    t = vi.type.tensor_type
    return [d.dim_param if d.HasField("dim_param") else d.dim_value for d in t.shape.dim]


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    # Infer from the graph alone, then compare with what the exporter said.
    bare = onnx.ModelProto()
    bare.CopyFrom(model)
    del bare.graph.value_info[:]
    inferred = shape_inference.infer_shapes(bare, check_type=True, strict_mode=True)
    got = {vi.name: dims(vi) for vi in inferred.graph.value_info}
    for vi in inferred.graph.output:
        got[vi.name] = dims(vi)
    stated = list(model.graph.value_info) + list(model.graph.output)
    for vi in stated:
        if vi.name not in got:
            raise ValueError(f"{path}: ONNX infers no shape for {vi.name}")
        if got[vi.name] != dims(vi):
            raise ValueError(f"{path}: {vi.name}: exporter says {dims(vi)}, ONNX infers {got[vi.name]}")
    ops = {}
    for n in model.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    opset = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    print(json.dumps({"file": path, "ir_version": model.ir_version, "opset": opset[0] if opset else None,
                      "ops": ops, "checked_values": len(stated)}))


def main():
    for path in sys.argv[1:]:
        try:
            check(path)
        except Exception as e:  # report every kind of failure the same way
            print(f"{path}: {type(e).__name__}: {e}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
