#!/usr/bin/env node
// Writes the ABI and creation bytecode of each contract the plaza talks to into
// contracts/abi/<Name>.json and <Name>.bin, from the forge artifacts in out/ (build first). The
// app's build generates its web3j wrappers from these files (the app's chain tests deploy with
// them), so it needs neither node nor forge; `./test` re-exports them and fails if the checked-in
// copies are stale.
'use strict';

const fs = require('fs');
const path = require('path');
const { artifact } = require('./deploy');

const CONTRACTS = ['AICToken', 'AssetRegistry', 'Marketplace', 'CompetitionEscrow', 'JobEscrow', 'UsageCredit', 'RewardsDistributor', 'BountyEscrow'];
const dir = path.join(__dirname, '..', 'abi');
fs.mkdirSync(dir, { recursive: true });
for (const name of CONTRACTS) {
  const { abi, bytecode } = artifact(name);
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(abi, null, 1) + '\n');
  fs.writeFileSync(path.join(dir, `${name}.bin`), bytecode.replace(/^0x/, ''));
}
