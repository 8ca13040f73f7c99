// The rewards Merkle tree as RewardsDistributor checks it (the app's Java builds the same): leaves
// keccak256(keccak256(abi.encode(index, account, amount))) in index order, adjacent pairs hashed
// sorted, an odd node carried up unchanged.
'use strict';

const { ethers } = require('ethers');

const coder = ethers.AbiCoder.defaultAbiCoder();

function leaf(index, account, amount) {
  return ethers.keccak256(ethers.keccak256(coder.encode(['uint256', 'address', 'uint256'], [index, account, amount])));
}

function pair(a, b) {
  return BigInt(a) < BigInt(b) ? ethers.keccak256(ethers.concat([a, b])) : ethers.keccak256(ethers.concat([b, a]));
}

/** { root, proof(index) } of leaves given as [{ account, amount }] (index = position). */
function tree(entries) {
  const levels = [entries.map((e, i) => leaf(i, e.account, e.amount))];
  while (levels[levels.length - 1].length > 1) {
    const l = levels[levels.length - 1];
    const next = [];
    for (let i = 0; i < l.length; i += 2) next.push(i + 1 < l.length ? pair(l[i], l[i + 1]) : l[i]);
    levels.push(next);
  }
  return {
    root: levels[levels.length - 1][0],
    proof(index) {
      const out = [];
      for (let d = 0; d < levels.length - 1; d++) {
        const sibling = index ^ 1;
        if (sibling < levels[d].length) out.push(levels[d][sibling]);
        index >>= 1;
      }
      return out;
    },
  };
}

module.exports = { leaf, tree };
