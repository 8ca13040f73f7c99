#!/usr/bin/env node
// Measures whole-transaction gas (receipt gasUsed, 21,000 base included) of license purchases
// on a running node (ops/bench/gas starts a fresh anvil for it):
//   node scripts/bench-gas.js http://127.0.0.1:18545
// Prints `name value` lines, the three headline figures first.
'use strict';

const { ethers } = require('ethers');
const { deployAll } = require('./deploy');

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

  const { token, registry, market } = await deployAll(deployer, {
    minter: await addr(minter),
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
  const licenseGas = await gasOf(market.connect(buyer).buyLicense(1n));

  // 2. buyLicenseWithPermit: the permit is for exactly the price; no allowance before.
  const permitGas = await buyWithPermit(token, market, permitBuyer, 1n, price);

  // 3. A bare transferFrom by an approved spender (exact allowance, recipient holds AIC).
  await send(token.connect(buyer).approve(await addr(spender), price));
  const transferFromGas = await gasOf(
    token.connect(spender).transferFrom(await addr(buyer), await addr(recipient), price),
  );

  // Repeat purchases by the same buyer (license counter already non-zero, same slots as 1).
  await send(token.connect(buyer).approve(marketAddr, price));
  const licenseGasRepeat = await gasOf(market.connect(buyer).buyLicense(1n));
  // With an unlimited allowance OpenZeppelin's ERC20 does not write the allowance at all.
  await send(token.connect(buyer).approve(marketAddr, ethers.MaxUint256));
  const licenseGasMaxAllowance = await gasOf(market.connect(buyer).buyLicense(1n));
  await send(token.connect(buyer).approve(marketAddr, 0n));

  // 4. Owner and treasury holding no AIC yet: their balances go zero -> non-zero.
  await send(market.connect(deployer).setTreasury(await addr(coldTreasury)));
  await send(registry.connect(minter).mint(await addr(coldOwner), 2n, 1, hash('model-2'), ethers.ZeroAddress, 0));
  await send(market.connect(coldOwner).listLicense(2n, price));
  await send(token.connect(buyer).approve(marketAddr, price));
  const licenseGasEmptyRecipients = await gasOf(market.connect(buyer).buyLicense(2n));
  await send(market.connect(deployer).setTreasury(await addr(treasury)));

  // 5. A second permit purchase by the same buyer (permit nonce already non-zero).
  const permitGasRepeat = await buyWithPermit(token, market, permitBuyer, 1n, price);

  // 6. Asset sale: owner offers the NFT (market approved for all), buyer buys it.
  await send(registry.connect(owner).setApprovalForAll(marketAddr, true));
  await send(market.connect(owner).offerAsset(1n, AIC(5000)));
  await send(token.connect(buyer).approve(marketAddr, AIC(5000)));
  const assetGas = await gasOf(market.connect(buyer).buyAsset(1n));

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
  const info = await provider.send('anvil_nodeInfo', []).catch(() => ({}));
  console.log(`anvil_hardfork ${info.hardFork || 'unknown'}`);
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

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
