// Runs an ONNX model in onnxruntime (CPU) for layers/onnx's parity tests.
//
//   node run.js MODEL.onnx INPUT.f32 DIMS [INPUT.f32 DIMS ...]
//
// Each INPUT.f32 holds little-endian float32 values of shape DIMS
// ("2,3,64,64"), fed to the graph input "input"; one session runs them all.
// Prints a JSON array with, for each input, the output "logits" as
// {"dims": [...], "data": [...]}.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main(args) {
  if (args.length < 3 || args.length % 2 !== 1) {
    throw new Error('usage: node run.js MODEL.onnx INPUT.f32 DIMS [INPUT.f32 DIMS ...]');
  }
  const session = await ort.InferenceSession.create(args[0], {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
  const results = [];
  for (let i = 1; i < args.length; i += 2) {
    const buf = fs.readFileSync(args[i]);
    const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    const dims = args[i + 1].split(',').map(Number);
    const out = await session.run({ input: new ort.Tensor('float32', data, dims) });
    const logits = out.logits;
    results.push({ dims: logits.dims, data: Array.from(logits.data) });
  }
  process.stdout.write(JSON.stringify(results));
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
