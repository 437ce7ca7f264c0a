// Writes ResNet50 weights in torchvision's layout with generated (not trained) values, as
// safetensors: `node generate-resnet50.mjs OUT.safetensors`. The browser tests load them next
// to EfficientNet-Lite0 to exercise classifying a photo again with another model; no
// registry ships real ResNet50 weights (README, Models).
import * as fs from 'node:fs';

const tensors = [];
const conv = (name, out, inp, k) => tensors.push([`${name}.weight`, [out, inp, k, k]]);
const batchNorm = (name, n) => {
  for (const part of ['weight', 'bias', 'running_mean', 'running_var']) tensors.push([`${name}.${part}`, [n]]);
};
conv('conv1', 64, 3, 7);
batchNorm('bn1', 64);
let inputs = 64;
[3, 4, 6, 3].forEach((blocks, stage) => {
  const planes = 64 << stage;
  for (let b = 0; b < blocks; b++) {
    const name = `layer${stage + 1}.${b}`;
    conv(`${name}.conv1`, planes, inputs, 1);
    batchNorm(`${name}.bn1`, planes);
    conv(`${name}.conv2`, planes, planes, 3);
    batchNorm(`${name}.bn2`, planes);
    conv(`${name}.conv3`, planes * 4, planes, 1);
    batchNorm(`${name}.bn3`, planes * 4);
    if (b === 0) {
      conv(`${name}.downsample.0`, planes * 4, inputs, 1);
      batchNorm(`${name}.downsample.1`, planes * 4);
    }
    inputs = planes * 4;
  }
});
tensors.push(['fc.weight', [1000, 2048]], ['fc.bias', [1000]]);

// A fixed-seed generator (mulberry32), so every run writes the same file.
let seed = 0x5eed;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const header = {};
const chunks = [];
let offset = 0;
for (const [name, shape] of tensors) {
  const count = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  // Batch norm near identity, convolutions scaled by their fan-in so activations stay finite.
  const fanIn = shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  for (let i = 0; i < count; i++) {
    const u = 2 * random() - 1;
    if (name.endsWith('running_var')) values[i] = 1 + 0.5 * Math.abs(u);
    else if (name.endsWith('running_mean') || name.endsWith('.bias')) values[i] = 0.1 * u;
    else if (shape.length === 1) values[i] = 1 + 0.1 * u;
    else values[i] = u * Math.sqrt(6 / fanIn) * 0.5;
  }
  const bytes = Buffer.from(values.buffer);
  header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes.length] };
  chunks.push(bytes);
  offset += bytes.length;
}
let json = JSON.stringify(header);
json += ' '.repeat((8 - (json.length % 8)) % 8);
const length = Buffer.alloc(8);
length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
fs.writeFileSync(process.argv[2], Buffer.concat([length, Buffer.from(json), ...chunks]));
