#!/usr/bin/env node
// A stand-in for a native `solc` binary, backed by solcjs (the `solc` npm package), so that
// forge can build offline: `forge build --use tools/solc-wrapper.js --offline`.
//
//   solc-wrapper.js --version        prints "Version: <solc.version()>" (forge parses that line)
//   solc-wrapper.js --standard-json  reads a standard-JSON input on stdin, compiles it with
//                                    solcjs and writes the standard-JSON output on stdout.
// Other flags forge may pass (--base-path, --include-path, --allow-paths) are used only to find
// imported files on disk that were not already in the input's sources.
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

const args = process.argv.slice(2);

if (args.includes('--version') || args.includes('-v')) {
  process.stdout.write('solc, the solidity compiler commandline interface (solcjs wrapper)\n');
  process.stdout.write(`Version: ${solc.version()}\n`);
  process.exit(0);
}

function optionValues(name) {
  const values = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) values.push(args[++i]);
    else if (args[i].startsWith(name + '=')) values.push(args[i].slice(name.length + 1));
  }
  return values.flatMap((v) => v.split(',')).filter(Boolean);
}

const roots = [
  ...optionValues('--base-path'),
  ...optionValues('--include-path'),
  ...optionValues('--allow-paths'),
  process.cwd(),
];

function findImports(importPath) {
  const candidates = path.isAbsolute(importPath)
    ? [importPath]
    : roots.map((root) => path.resolve(root, importPath));
  for (const candidate of candidates) {
    try {
      return { contents: fs.readFileSync(candidate, 'utf8') };
    } catch (_) {
      // try the next root
    }
  }
  return { error: `File not found: ${importPath} (searched ${roots.join(', ')})` };
}

function readStdin() {
  const chunks = [];
  const buffer = Buffer.alloc(1 << 16);
  for (;;) {
    let n;
    try {
      n = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') continue;
      if (e.code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

if (!args.includes('--standard-json')) {
  process.stderr.write('solc-wrapper.js supports only --version and --standard-json\n');
  process.exit(2);
}

const input = readStdin();
const output = solc.compile(input, { import: findImports });
process.stdout.write(output);
