#!/usr/bin/env node
// Says whether a deployment file (deploy.js's --out) still matches the contracts in contracts/out:
// each contract it names must have, on the running chain, exactly the runtime code of its current
// forge artifact, immutables aside (they hold constructor arguments and differ per deployment).
// Exit 0: it matches. Exit 1: a line on stderr names what differs (a contract changed, missing
// from the file, or without code: the chain lost its state). Exit 2: usage or RPC errors.
//
//   node scripts/check-deployment.js --rpc http://127.0.0.1:8545 --file deployment.json
'use strict';

const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { DEPLOYED_CONTRACTS } = require('./deploy');

const OUT_DIR = path.join(__dirname, '..', 'out');

/** The artifact's runtime code as bytes, and the byte ranges its immutables fill in at deployment. */
function runtimeArtifact(name) {
  const json = JSON.parse(fs.readFileSync(path.join(OUT_DIR, `${name}.sol`, `${name}.json`), 'utf8'));
  const immutables = Object.values(json.deployedBytecode.immutableReferences || {}).flat();
  return { code: ethers.getBytes(json.deployedBytecode.object), immutables };
}

/** Whether `deployed` is `artifact.code` once the immutables' bytes are ignored in both. */
function sameCode(deployed, artifact) {
  if (deployed.length !== artifact.code.length) {
    return false;
  }
  const masked = new Uint8Array(deployed.length);
  for (const { start, length } of artifact.immutables) {
    masked.fill(1, start, start + length);
  }
  return deployed.every((b, i) => masked[i] === 1 || b === artifact.code[i]);
}

async function main() {
  const argv = process.argv.slice(2);
  const arg = (name) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const rpc = arg('rpc');
  const file = arg('file');
  if (!rpc || !file) {
    console.error('usage: check-deployment.js --rpc URL --file deployment.json');
    process.exit(2);
  }
  const deployment = JSON.parse(fs.readFileSync(file, 'utf8'));
  const provider = new ethers.JsonRpcProvider(rpc, undefined, { staticNetwork: true });
  const changed = [];
  for (const name of DEPLOYED_CONTRACTS) {
    const address = deployment[name];
    if (!address) {
      changed.push(`${name} (not in the file)`);
      continue;
    }
    const deployed = ethers.getBytes(await provider.getCode(address));
    if (deployed.length === 0) {
      changed.push(`${name} (no code at ${address})`);
    } else if (!sameCode(deployed, runtimeArtifact(name))) {
      changed.push(`${name} (changed since it was deployed)`);
    }
  }
  if (changed.length) {
    console.error(`The deployment in ${file} differs from the contracts built here: ${changed.join(', ')}.`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e.shortMessage || e.message);
  process.exit(2);
});
