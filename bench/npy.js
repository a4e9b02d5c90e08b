// NumPy .npy files for the Node.js side of the benchmarks (version 1.0-3.0, C order,
// little-endian): the inputs Infera wrote with `bench --save-inputs`, and outputs to compare.
'use strict';
const fs = require('fs');

// NPY descriptor -> [ONNX Runtime tensor type, typed array].
const NPY_TYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '<i8': ['int64', BigInt64Array], '<i4': ['int32', Int32Array], '<i2': ['int16', Int16Array],
  '|i1': ['int8', Int8Array], '<u8': ['uint64', BigUint64Array], '<u4': ['uint32', Uint32Array],
  '<u2': ['uint16', Uint16Array], '|u1': ['uint8', Uint8Array], '|b1': ['bool', Uint8Array],
  '<f2': ['float16', Uint16Array],
};

// Returns { type, dims, data } with data a typed array over a copy of the file's bytes.
function readNpy(file) {
  const bytes = fs.readFileSync(file);
  if (bytes.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not an .npy file`);
  const major = bytes[6];
  const headerStart = major === 1 ? 10 : 12;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order`);
  const dims = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim())
    .filter(s => s.length).map(Number);
  const entry = NPY_TYPES[descr];
  if (!entry) throw new Error(`${file}: unsupported dtype ${descr}`);
  const [type, ArrayType] = entry;
  const start = bytes.byteOffset + headerStart + headerLength;
  const data = new ArrayType(bytes.buffer.slice(start, bytes.byteOffset + bytes.length));
  return { type, dims, data };
}

// Writes a version 1.0 file; returns false for a type npy cannot hold (string).
function writeNpy(file, type, dims, data) {
  const descr = Object.keys(NPY_TYPES).find(k => NPY_TYPES[k][0] === type);
  if (!descr) return false;
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';  // 64-byte aligned, as numpy
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
  return true;
}

module.exports = { readNpy, writeNpy };
