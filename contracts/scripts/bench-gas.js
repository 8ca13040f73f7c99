#!/usr/bin/env node
// Measures whole-transaction gas (receipt gasUsed, 21,000 base included) of license purchases,
// then of the escrows' transactions, on a running node (ops/bench/gas starts a fresh anvil for it):
//   node scripts/bench-gas.js http://127.0.0.1:18545
// Prints `name value` lines, the three headline figures first, the escrows' (competition_*,
// job_*, credit_*) after the market's. credit_settle_gas_per_entry is what one more line of a usage
// settlement costs (a payer debited, its payee's run extended): (gas of 40 entries - gas of 1) / 39.
'use strict';

const { ethers } = require('ethers');
const { artifact, deployAll } = require('./deploy');
const { tree } = require('./merkle');

// anvil's default dev accounts.
const MNEMONIC = 'test test test test test test test test test test test junk';
const AIC = (n) => ethers.parseUnits(String(n), 18);

async function main() {
  const rpc = process.argv[2] || 'http://127.0.0.1:18545';
  const provider = new ethers.JsonRpcProvider(rpc, undefined, { pollingInterval: 20, staticNetwork: true });
  const wallets = [];
  for (let i = 0; i < 10; i++) {
    const w = ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
    wallets.push(new ethers.NonceManager(w.connect(provider)));
  }
  const [deployer, minter, owner, buyer, treasury, spender, permitBuyer, coldOwner, coldTreasury, recipient] =
    wallets;
  const addr = async (w) => w.getAddress();
  const send = async (p) => (await p).wait();
  const gasOf = async (p) => (await send(p)).gasUsed;

  // The escrows' operator (a key of its own) and wallets that hold no AIC (they send nothing).
  const hd = (i) => ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
  const escrowOperator = new ethers.NonceManager(hd(10).connect(provider));
  const [coldWinner1, coldWinner2, coldWinner3] = [11, 12, 13].map((i) => hd(i).address);

  const { token, registry, market, competitionEscrow, jobEscrow, usageCredit, rewardsDistributor, bountyEscrow } = await deployAll(deployer, {
    minter: await addr(minter),
    operator: await addr(escrowOperator),
    treasury: await addr(treasury),
    feeBps: 250,
  });
  const marketAddr = await market.getAddress();
  const price = AIC(100);

  // Buyers, the owner, the treasury and the transfer recipient already hold AIC.
  for (const w of [buyer, permitBuyer, owner, treasury, recipient]) {
    await send(token.transfer(await addr(w), AIC(1_000_000)));
  }
  const hash = (s) => ethers.keccak256(ethers.toUtf8Bytes(s));
  await send(registry.connect(minter).mint(await addr(owner), 1n, 0, hash('dataset-1'), ethers.ZeroAddress, 0));
  await send(market.connect(owner).listLicense(1n, price));

  // 1. buyLicense after an approve of exactly the price.
  await send(token.connect(buyer).approve(marketAddr, price));
  const licenseGas = await gasOf(market.connect(buyer).buyLicense(1n, price));

  // 2. buyLicenseWithPermit: the permit is for exactly the price; no allowance before.
  const permitGas = await buyWithPermit(token, market, permitBuyer, 1n, price);

  // 3. A bare transferFrom by an approved spender (exact allowance, recipient holds AIC).
  await send(token.connect(buyer).approve(await addr(spender), price));
  const transferFromGas = await gasOf(
    token.connect(spender).transferFrom(await addr(buyer), await addr(recipient), price),
  );

  // Repeat purchases by the same buyer (license counter already non-zero, same slots as 1).
  await send(token.connect(buyer).approve(marketAddr, price));
  const licenseGasRepeat = await gasOf(market.connect(buyer).buyLicense(1n, price));
  // With an unlimited allowance OpenZeppelin's ERC20 does not write the allowance at all.
  await send(token.connect(buyer).approve(marketAddr, ethers.MaxUint256));
  const licenseGasMaxAllowance = await gasOf(market.connect(buyer).buyLicense(1n, price));
  await send(token.connect(buyer).approve(marketAddr, 0n));

  // 4. Owner and treasury holding no AIC yet: their balances go zero -> non-zero.
  await send(market.connect(deployer).setTreasury(await addr(coldTreasury)));
  await send(registry.connect(minter).mint(await addr(coldOwner), 2n, 1, hash('model-2'), ethers.ZeroAddress, 0));
  await send(market.connect(coldOwner).listLicense(2n, price));
  await send(token.connect(buyer).approve(marketAddr, price));
  const licenseGasEmptyRecipients = await gasOf(market.connect(buyer).buyLicense(2n, price));
  await send(market.connect(deployer).setTreasury(await addr(treasury)));

  // 5. A second permit purchase by the same buyer (permit nonce already non-zero).
  const permitGasRepeat = await buyWithPermit(token, market, permitBuyer, 1n, price);

  // 6. Asset sale: owner offers the NFT (market approved for all), buyer buys it.
  await send(registry.connect(owner).setApprovalForAll(marketAddr, true));
  await send(market.connect(owner).offerAsset(1n, AIC(5000)));
  await send(token.connect(buyer).approve(marketAddr, AIC(5000)));
  const assetGas = await gasOf(market.connect(buyer).buyAsset(1n, AIC(5000)));

  console.log(`license_purchase_gas ${licenseGas}`);
  console.log(`license_purchase_permit_gas ${permitGas}`);
  console.log(`erc20_transfer_from_gas ${transferFromGas}`);
  console.log(`license_purchase_repeat_gas ${licenseGasRepeat}`);
  console.log(`license_purchase_max_allowance_gas ${licenseGasMaxAllowance}`);
  console.log(`license_purchase_empty_owner_and_treasury_gas ${licenseGasEmptyRecipients}`);
  console.log(`license_purchase_permit_repeat_gas ${permitGasRepeat}`);
  console.log(`asset_purchase_gas ${assetGas}`);
  console.log(`license_overhead_over_transfer_from_gas ${licenseGas - transferFromGas}`);
  console.log(`licenses_sold ${await market.licenseCount()}`);
  console.log(`market_aic_balance ${await token.balanceOf(marketAddr)}`);

  // Escrows, after the market's figures (so that these stay as they were). The host, requester,
  // winners, provider and treasury hold AIC unless stated; the operator needs ETH for gas.
  await send(deployer.sendTransaction({ to: await addr(escrowOperator), value: ethers.parseEther('10') }));
  const escrow = await benchEscrows({
    provider, token, competitionEscrow, jobEscrow, send, gasOf, addr,
    host: buyer, requester: permitBuyer, operator: escrowOperator,
    winners: [await addr(owner), await addr(treasury), await addr(recipient)],
    coldWinners: [coldWinner1, coldWinner2, coldWinner3],
    jobProvider: await addr(owner),
    otherProvider: await addr(recipient),
  });
  for (const [name, gas] of escrow) console.log(`${name} ${gas}`);
  const credit = await benchCredit({
    provider, token, usageCredit, send, gasOf, addr, deployer, operator: escrowOperator,
    member: permitBuyer, payees: [await addr(owner), await addr(recipient)],
    payers: Array.from({ length: 20 }, (_, i) => new ethers.NonceManager(hd(20 + i).connect(provider))),
  });
  for (const [name, gas] of credit) console.log(`${name} ${gas}`);
  for (const [name, gas] of await benchRewards({ rewardsDistributor, token, operator: escrowOperator, send, gasOf, addr,
    member: buyer, hd })) {
    console.log(`${name} ${gas}`);
  }
  for (const [name, gas] of await benchBounties({ provider, token, registry, bountyEscrow, minter, send, gasOf, addr,
    requester: buyer, creator: owner, hash })) {
    console.log(`${name} ${gas}`);
  }
  const info = await provider.send('anvil_nodeInfo', []).catch(() => ({}));
  console.log(`anvil_hardfork ${info.hardFork || 'unknown'}`);
}

/**
 * Whole-transaction gas of reward claims. rewards_claim_gas is measured as Uniswap's
 * MerkleDistributor test measured its 78,466 (`uniswap_merkle_claim_gas`, its published figure): a
 * two-leaf tree, the first claim, into an account that holds no token yet and an untouched word of the
 * claimed bitmap; `reference_merkle_claim_gas` is that contract's claim measured here, in the same run
 * and on the same token (its baseline). Publishing prepares the epoch's bitmap words (a cost per leaf
 * the operator pays once, shown for 100,000 leaves). The others: a tree
 * of 100,000 leaves (17 proof hashes), for a member who holds AIC, first in its bitmap word and after
 * a neighbour in the same word.
 */
async function benchRewards(c) {
  const { rewardsDistributor: rewards, operator, send, gasOf } = c;
  const out = [];
  const member = await c.addr(c.member);
  const cold = [20, 21].map((i) => c.hd(i).address);
  const small = tree([{ account: cold[0], amount: 100n }, { account: cold[1], amount: 101n }]);
  await send(rewards.connect(operator).publish(1n, small.root, 201n, 2n));
  out.push(['rewards_publish_gas', await gasOf(rewards.connect(operator).publish(2n, small.root, 201n, 2n))]);
  const claimGas = await gasOf(rewards.connect(c.member).claim(1n, 0n, cold[0], 100n, small.proof(0)));
  out.push(['rewards_claim_gas', claimGas]);
  const baselineGas = await referenceClaimGas(c, c.hd(22).address, c.hd(23).address);
  out.push(['reference_merkle_claim_gas', baselineGas]);
  out.push(['rewards_claim_vs_reference', (Number(claimGas) / Number(baselineGas)).toFixed(3)]);
  out.push(['uniswap_merkle_claim_gas', 78466]);
  const entries = [];
  for (let i = 0; i < 100_000; i++) {
    entries.push({ account: i < 2 ? member : ethers.getAddress(ethers.toBeHex(0x1000n + BigInt(i), 20)), amount: 1000n + BigInt(i) });
  }
  const big = tree(entries);
  out.push(['rewards_publish_100000_leaves_gas',
    await gasOf(rewards.connect(operator).publish(3n, big.root, 10n ** 12n, BigInt(entries.length)))]);
  out.push(['rewards_claim_holder_gas', await gasOf(rewards.connect(c.member).claim(3n, 0n, member, entries[0].amount, big.proof(0)))]);
  out.push(['rewards_claim_holder_warm_word_gas',
    await gasOf(rewards.connect(c.member).claim(3n, 1n, member, entries[1].amount, big.proof(1)))]);
  return out;
}

/**
 * The baseline of rewards_claim_gas, measured the same way in the same run: Uniswap's MerkleDistributor claim
 * (tests/reference/ReferenceMerkleDistributor.sol) over a two-leaf tree of its own leaf format, the first claim into an
 * account that holds no AIC. Its published 78,466 predates EIP-2929's cold-access prices.
 */
async function referenceClaimGas(c, first, second) {
  const { token, send, gasOf } = c;
  const leaf = (index, account, amount) =>
    ethers.solidityPackedKeccak256(['uint256', 'address', 'uint256'], [index, account, amount]);
  const leaves = [leaf(0n, first, 100n), leaf(1n, second, 101n)];
  const [low, high] = [...leaves].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const root = ethers.keccak256(ethers.concat([low, high]));
  const { abi, bytecode } = artifact('ReferenceMerkleDistributor');
  const factory = new ethers.ContractFactory(abi, bytecode, c.operator);
  const reference = await factory.deploy(await token.getAddress(), root);
  await reference.waitForDeployment();
  await send(token.connect(c.member).transfer(await reference.getAddress(), 201n));
  return gasOf(reference.connect(c.member).claim(0n, first, 100n, [leaves[1]]));
}

/**
 * Whole-transaction gas of the escrows' calls. Records are keyed by (depositor, id); ids are the
 * plaza's (1 .. 2^63 - 1). Competitions are finalised after their end (the chain's clock is moved).
 */
async function benchEscrows(c) {
  const { provider, token, competitionEscrow: comp, jobEscrow: jobs, send, gasOf, addr } = c;
  const out = [];
  const host = await addr(c.host);
  const requester = await addr(c.requester);
  const compAddr = await comp.getAddress();
  const jobsAddr = await jobs.getAddress();
  const now = async () => BigInt((await provider.getBlock('latest')).timestamp);
  const split3 = [5000, 3000, 2000];
  const split10 = Array(10).fill(1000);
  const pool = AIC(1000);
  const budget = AIC(100);
  const timeout = 7n * 24n * 3600n;

  // Competitions: start shortly, end one hour later.
  const fund = async (id, split) => {
    const start = (await now()) + 60n;
    await send(token.connect(c.host).approve(compAddr, pool));
    return gasOf(comp.connect(c.host).fund(id, start, start + 3600n, split, pool));
  };
  out.push(['competition_fund_first_gas', await fund(1n, split3)]); // escrow balance 0 -> non-zero
  out.push(['competition_fund_gas', await fund(2n, split3)]);
  out.push(['competition_fund_10_places_gas', await fund(3n, split10)]);
  {
    const start = (await now()) + 60n;
    const sig = await signPermit(token, c.host, compAddr, pool);
    out.push(['competition_fund_permit_gas', await gasOf(comp.connect(c.host).fundWithPermit(
      4n, start, start + 3600n, split3, pool, sig.deadline, sig.v, sig.r, sig.s))]);
  }
  await send(token.connect(c.host).approve(compAddr, AIC(10)));
  out.push(['competition_increase_pool_gas', await gasOf(comp.connect(c.host).increasePool(2n, AIC(10)))]);

  await provider.send('evm_increaseTime', [7200]);
  await provider.send('evm_mine', []);
  const op = comp.connect(c.operator);
  out.push(['competition_finalize_3_winners_gas', await gasOf(op.finalize(host, 1n, c.winners))]);
  out.push(['competition_finalize_2_cold_winners_1_held_gas',
    await gasOf(op.finalize(host, 2n, [c.coldWinners[0], c.coldWinners[1], ethers.ZeroAddress]))]);
  out.push(['competition_assign_winner_cold_gas', await gasOf(op.assignWinner(host, 2n, 2n, c.coldWinners[2]))]);

  // Jobs.
  const deposit = async (id) => {
    await send(token.connect(c.requester).approve(jobsAddr, budget));
    return gasOf(jobs.connect(c.requester).deposit(id, budget, timeout));
  };
  out.push(['job_deposit_first_gas', await deposit(1n)]); // escrow balance 0 -> non-zero
  out.push(['job_deposit_gas', await deposit(2n)]);
  {
    const sig = await signPermit(token, c.requester, jobsAddr, budget);
    out.push(['job_deposit_permit_gas', await gasOf(
      jobs.connect(c.requester).depositWithPermit(3n, budget, timeout, sig.deadline, sig.v, sig.r, sig.s))]);
  }
  const jop = jobs.connect(c.operator);
  out.push(['job_assign_gas', await gasOf(jop.assign(requester, 1n, c.otherProvider))]);
  out.push(['job_reassign_gas', await gasOf(jop.assign(requester, 1n, c.jobProvider))]);
  out.push(['job_settle_gas', await gasOf(jop.settle(requester, 1n, AIC(60)))]); // provider, treasury, refund
  out.push(['job_refund_gas', await gasOf(jop.refund(requester, 2n))]);
  // A sweep: one deposit pays each trial's provider a part (release), then the rest goes back (refund).
  await deposit(4n);
  out.push(['job_release_part_gas', await gasOf(jop.release(requester, 4n, 41n, c.jobProvider, AIC(20)))]);
  out.push(['job_release_second_part_gas', await gasOf(jop.release(requester, 4n, 42n, c.otherProvider, AIC(20)))]);
  out.push(['job_refund_after_release_gas', await gasOf(jop.refund(requester, 4n))]);
  out.push(['competition_escrow_aic_balance', await token.balanceOf(compAddr)]);
  out.push(['job_escrow_aic_balance', await token.balanceOf(jobsAddr)]);
  return out;
}

/**
 * Whole-transaction gas of UsageCredit: deposits, a settlement of 1 entry and one of 40 (20 payers
 * with credit, 2 payees holding AIC, entries ordered by payee as the plaza sends them), withdrawals.
 */
async function benchCredit(c) {
  const { token, usageCredit: credit, send, gasOf, addr } = c;
  const out = [];
  const creditAddr = await credit.getAddress();
  const deposit = async (who, amount) => {
    await send(token.connect(who).approve(creditAddr, amount));
    return gasOf(credit.connect(who).deposit(amount));
  };
  out.push(['credit_deposit_first_gas', await deposit(c.member, AIC(100))]);
  out.push(['credit_deposit_gas', await deposit(c.member, AIC(100))]);
  {
    const sig = await signPermit(token, c.member, creditAddr, AIC(50));
    out.push(['credit_deposit_permit_gas', await gasOf(credit.connect(c.member).depositWithPermit(
      AIC(50), sig.deadline, sig.v, sig.r, sig.s))]);
  }
  for (const payer of c.payers) {
    await send(c.deployer.sendTransaction({ to: await addr(payer), value: ethers.parseEther('1') }));
    await send(token.connect(c.deployer).transfer(await addr(payer), AIC(100)));
    await deposit(payer, AIC(100));
  }
  const op = credit.connect(c.operator);
  const member = await addr(c.member);
  const single = await gasOf(op.settle(1n, [[member, c.payees[0], AIC(1)]]));
  const entries = [];
  for (const payee of c.payees) {
    for (const payer of c.payers) entries.push([await addr(payer), payee, AIC(1) / 1000n]);
  }
  const batch = await gasOf(op.settle(2n, entries));
  out.push(['credit_settle_1_entry_gas', single]);
  out.push([`credit_settle_${entries.length}_entries_gas`, batch]);
  out.push(['credit_settle_gas_per_entry', (batch - single) / BigInt(entries.length - 1)]);
  out.push(['credit_request_withdrawal_gas', await gasOf(credit.connect(c.member).requestWithdrawal(AIC(10)))]);
  out.push(['credit_release_withdrawal_gas', await gasOf(op.releaseWithdrawal(member))]);
  await send(credit.connect(c.member).requestWithdrawal(AIC(10)));
  await c.provider.send('evm_increaseTime', [Number(await credit.withdrawalDelay())]);
  await c.provider.send('evm_mine', []);
  out.push(['credit_withdraw_alone_gas', await gasOf(credit.connect(c.member).withdraw())]);
  out.push(['credit_escrow_aic_balance', await token.balanceOf(creditAddr)]);
  return out;
}

/** An EIP-2612 permit by `ownerSigner` for `spender` and `value`, with a fixed deadline. */
async function signPermit(token, ownerSigner, spender, value) {
  const owner = await ownerSigner.getAddress();
  const { chainId } = await ownerSigner.provider.getNetwork();
  const deadline = 4102444800n; // 2100-01-01: the same calldata from run to run
  const domain = { name: await token.name(), version: '1', chainId, verifyingContract: await token.getAddress() };
  const types = {
    Permit: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ],
  };
  const message = { owner, spender, value, nonce: await token.nonces(owner), deadline };
  const sig = ethers.Signature.from(await ownerSigner.signer.signTypedData(domain, types, message));
  return { deadline, v: sig.v, r: sig.r, s: sig.s };
}

async function buyWithPermit(token, market, buyerSigner, assetId, price) {
  const buyerAddr = await buyerSigner.getAddress();
  const marketAddr = await market.getAddress();
  const { chainId } = await buyerSigner.provider.getNetwork();
  // A fixed deadline (2100-01-01) keeps the signature, hence the calldata, hence the gas, the
  // same from run to run.
  const deadline = 4102444800n;
  const nonce = await token.nonces(buyerAddr);
  const domain = {
    name: await token.name(),
    version: '1',
    chainId,
    verifyingContract: await token.getAddress(),
  };
  const types = {
    Permit: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ],
  };
  const value = { owner: buyerAddr, spender: marketAddr, value: price, nonce, deadline };
  const sig = ethers.Signature.from(await buyerSigner.signer.signTypedData(domain, types, value));
  const tx = await market.connect(buyerSigner).buyLicenseWithPermit(assetId, deadline, sig.v, sig.r, sig.s);
  const receipt = await tx.wait();
  if ((await token.allowance(buyerAddr, marketAddr)) !== 0n) throw new Error('permit allowance left over');
  return receipt.gasUsed;
}

// `ops/bench/gas | head -3` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => process.exit(e.code === 'EPIPE' ? 0 : 1));


/**
 * Whole-transaction gas of BountyEscrow (data requests and AI commissions): open after approve,
 * accept of a data request (creator and treasury hold AIC), accept of a commission (the asset token
 * moves to the requester in the same transaction) and the refund after the deadline by a stranger.
 */
async function benchBounties(c) {
  const { provider, token, registry, bountyEscrow: escrow, minter, send, gasOf, addr, requester, creator, hash } = c;
  const out = [];
  const escrowAddr = await escrow.getAddress();
  const now = async () => (await provider.getBlock('latest')).timestamp;
  const open = async (id) => {
    await send(token.connect(requester).approve(escrowAddr, AIC(100)));
    return gasOf(escrow.connect(requester).open(id, AIC(100), BigInt(await now()) + 86400n));
  };
  out.push(['bounty_open_gas', await open(1n)]);
  out.push(['bounty_accept_data_gas', await gasOf(escrow.connect(requester).accept(1n, await addr(creator), 0n))]);
  await open(2n);
  await send(registry.connect(minter).mint(await addr(creator), 900n, 2, hash('trained-900'), ethers.ZeroAddress, 0));
  out.push(['bounty_submit_asset_gas', await gasOf(escrow.connect(creator).submitAsset(await addr(requester), 2n, 900n))]);
  await send(registry.connect(creator).approve(escrowAddr, 900n));
  out.push(['bounty_accept_commission_gas', await gasOf(escrow.connect(requester).accept(2n, await addr(creator), 900n))]);
  await open(3n);
  await provider.send('evm_increaseTime', [86400]);
  await provider.send('evm_mine', []);
  out.push(['bounty_refund_gas', await gasOf(escrow.connect(creator).refund(await addr(requester), 3n))]);
  return out;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
