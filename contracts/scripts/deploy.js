#!/usr/bin/env node
// Deploys AICToken, AssetRegistry, Marketplace, CompetitionEscrow, JobEscrow, UsageCredit,
// RewardsDistributor and BountyEscrow (data requests and AI commissions; it has no operator) from the forge artifacts in contracts/out (run `forge build` first;
// contracts/test and ops/bench/gas do), grants MINTER_ROLE on the registry to the plaza's minting
// key (--minter), makes --operator the settlement operator of the three escrows and the publisher of
// reward epochs, and writes the addresses as JSON.
//
//   node scripts/deploy.js --rpc http://127.0.0.1:8545 --key 0xDEPLOYER_KEY \
//        --minter 0xPLAZA_MINTER --operator 0xESCROW_OPERATOR --out deployment.json \
//        [--treasury 0x..] [--fee-bps 250] [--base-uri https://plaza.example/api/nft/] \
//        [--vesting-start UNIX] [--team-vesting-seconds N] [--advisor-vesting-seconds N]
//        [--credit-withdrawal-delay SECONDS] [--fund 0xA,0xB --fund-aic 10000]
//        [--claim-period-seconds N] [--rewards-budget-aic N]
//
// --credit-withdrawal-delay: how long a member's withdrawal request in UsageCredit waits before
// the member may withdraw without the operator (default 3 days; 1 hour to 30 days).
//
// The rewards distributor is funded from the ecosystem allocation's wallet (the deployer here): it
// approves the distributor for --rewards-budget-aic AIC (default: the whole 20% allocation), the
// most the operator can ever publish; unclaimed rewards return to it after --claim-period-seconds
// (default 90 days).
//
// --fund sends each listed address --fund-aic AIC (default 10,000) from the deployer (demo and
// test wallets). The output also records deployedAtBlock, where the plaza's chain watcher starts.
//
// Without --operator the escrows' operator is the minter (as before the two roles were split), and
// a warning on stderr says that one key then holds both roles.
//
// Every option can also come from the environment: RPC_URL, DEPLOYER_KEY, MINTER, OPERATOR, OUT,
// TREASURY, FEE_BPS, BASE_URI. For local development every allocation address (investor,
// ecosystem, marketing, reserve, team and advisor beneficiaries) is the deployer, and the
// treasury defaults to the deployer.
'use strict';

const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');

const OUT_DIR = path.join(__dirname, '..', 'out');

/** The contracts deployAll deploys, by artifact name: each is also a key of its addresses. */
const DEPLOYED_CONTRACTS = ['AICToken', 'AssetRegistry', 'Marketplace', 'CompetitionEscrow', 'JobEscrow',
  'UsageCredit', 'RewardsDistributor', 'BountyEscrow'];

/** Reads a forge artifact: { abi, bytecode }. */
function artifact(name) {
  const file = path.join(OUT_DIR, `${name}.sol`, `${name}.json`);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: build first (cd contracts && node_modules/.bin/forge build)`);
  }
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { abi: json.abi, bytecode: json.bytecode.object };
}

function factory(name, signer) {
  const { abi, bytecode } = artifact(name);
  return new ethers.ContractFactory(abi, bytecode, signer);
}

/** Attaches to a deployed contract by artifact name. */
function contractAt(name, address, runner) {
  return new ethers.Contract(address, artifact(name).abi, runner);
}

/**
 * Deploys the eight contracts with `signer` and returns
 * { token, registry, market, competitionEscrow, jobEscrow, usageCredit, rewardsDistributor, bountyEscrow, addresses }.
 * `minter` gets the registry's MINTER_ROLE; `operator` is the escrows' settlement operator (it
 * defaults to `minter`, with a warning on stderr, then to the deployer); the job escrow charges the
 * market's fee to the market's treasury; the deployer owns all of them.
 * options: minter (required), operator, treasury, feeBps, baseURI, allocation {investor,
 * ecosystem, marketing, reserve, team, advisor}, vestingStart, teamVestingSeconds,
 * advisorVestingSeconds, creditWithdrawalDelay (seconds; 3 days by default), claimPeriodSeconds,
 * rewardsBudget (wei).
 */
async function deployAll(signer, options) {
  const deployer = await signer.getAddress();
  const a = options.allocation || {};
  const now = Math.floor(Date.now() / 1000);
  const year = 365 * 24 * 3600;

  const token = await factory('AICToken', signer).deploy(
    a.investor || deployer,
    a.ecosystem || deployer,
    a.marketing || deployer,
    a.reserve || deployer,
    a.team || deployer,
    a.advisor || deployer,
    BigInt(options.vestingStart ?? now),
    BigInt(options.teamVestingSeconds ?? 4 * year),
    BigInt(options.advisorVestingSeconds ?? 2 * year),
  );
  await token.waitForDeployment();
  const deployedAtBlock = (await token.deploymentTransaction().wait()).blockNumber;

  const registry = await factory('AssetRegistry', signer).deploy(
    options.baseURI || 'http://localhost:8080/api/nft/',
    deployer,
  );
  await registry.waitForDeployment();

  const market = await factory('Marketplace', signer).deploy(
    await token.getAddress(),
    await registry.getAddress(),
    options.treasury || deployer,
    BigInt(options.feeBps ?? 250),
    deployer,
  );
  await market.waitForDeployment();

  // The escrows' operator assigns, settles and refunds jobs and finalises competitions; it should
  // be another key than the minter, so that one stolen key cannot do both.
  const operator = options.operator || options.minter || deployer;
  if (!options.operator || operator.toLowerCase() === (options.minter || deployer).toLowerCase()) {
    console.warn(`deploy: warning: the escrows' operator is the ${options.minter ? 'minter' : 'deployer'} `
      + `(${operator}), so one key holds two roles; pass --operator ADDRESS (or OPERATOR) to split them`);
  }
  const competitionEscrow = await factory('CompetitionEscrow', signer).deploy(
    await token.getAddress(),
    operator,
    deployer,
  );
  await competitionEscrow.waitForDeployment();

  const jobEscrow = await factory('JobEscrow', signer).deploy(
    await token.getAddress(),
    operator,
    options.treasury || deployer,
    BigInt(options.feeBps ?? 250),
    deployer,
  );
  await jobEscrow.waitForDeployment();

  // Prepaid credit for metered model calls: same operator, treasury and fee as the job escrow.
  const usageCredit = await factory('UsageCredit', signer).deploy(
    await token.getAddress(),
    operator,
    options.treasury || deployer,
    BigInt(options.feeBps ?? 250),
    BigInt(options.creditWithdrawalDelay ?? 3 * 24 * 3600),
    deployer,
  );
  await usageCredit.waitForDeployment();

  // Proof of Value rewards: published by the escrows' operator, funded from the ecosystem wallet.
  const ecosystem = a.ecosystem || deployer;
  const rewardsDistributor = await factory('RewardsDistributor', signer).deploy(
    await token.getAddress(),
    ecosystem,
    BigInt(options.claimPeriodSeconds ?? 90 * 24 * 3600),
    operator,
    deployer,
  );
  await rewardsDistributor.waitForDeployment();
  if (ecosystem === deployer) {
    const budget = options.rewardsBudget ?? (await token.TOTAL_SUPPLY()) * (await token.ECOSYSTEM_BPS()) / 10000n;
    await (await token.approve(await rewardsDistributor.getAddress(), budget)).wait();
  } else {
    console.warn(`deploy: the ecosystem wallet ${ecosystem} must approve the RewardsDistributor `
      + `${await rewardsDistributor.getAddress()} for the rewards budget before the first epoch is published`);
  }

  // Data requests and AI commissions: no operator (requesters accept, anyone refunds after the
  // deadline); same treasury and fee as the market.
  const bountyEscrow = await factory('BountyEscrow', signer).deploy(
    await token.getAddress(),
    await registry.getAddress(),
    options.treasury || deployer,
    BigInt(options.feeBps ?? 250),
    deployer,
  );
  await bountyEscrow.waitForDeployment();

  if (options.minter) {
    const role = await registry.MINTER_ROLE();
    await (await registry.grantRole(role, options.minter)).wait();
  }

  const network = await signer.provider.getNetwork();
  const addresses = {
    chainId: Number(network.chainId),
    deployer,
    AICToken: await token.getAddress(),
    teamVesting: await token.teamVesting(),
    advisorVesting: await token.advisorVesting(),
    AssetRegistry: await registry.getAddress(),
    Marketplace: await market.getAddress(),
    CompetitionEscrow: await competitionEscrow.getAddress(),
    JobEscrow: await jobEscrow.getAddress(),
    UsageCredit: await usageCredit.getAddress(),
    RewardsDistributor: await rewardsDistributor.getAddress(),
    BountyEscrow: await bountyEscrow.getAddress(),
    minter: options.minter || null,
    operator,
    treasury: options.treasury || deployer,
    feeBps: Number(options.feeBps ?? 250),
    deployedAtBlock,
  };
  return { token, registry, market, competitionEscrow, jobEscrow, usageCredit, rewardsDistributor, bountyEscrow, addresses };
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument: ${argv[i]}`);
    opts[m[1]] = m[2] !== undefined ? m[2] : argv[++i];
  }
  return opts;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const rpc = args.rpc || process.env.RPC_URL;
  const key = args.key || process.env.DEPLOYER_KEY;
  const minter = args.minter || process.env.MINTER;
  const operator = args.operator || process.env.OPERATOR;
  const out = args.out || process.env.OUT;
  if (!rpc || !key || !minter || !out) {
    console.error('usage: deploy.js --rpc URL --key DEPLOYER_KEY --minter ADDRESS --out FILE.json '
      + '[--operator ADDRESS] [--treasury ADDRESS] [--fee-bps N] [--base-uri URI] [--vesting-start UNIX] '
      + '[--team-vesting-seconds N] [--advisor-vesting-seconds N] [--credit-withdrawal-delay SECONDS] '
      + '[--fund 0xA,0xB --fund-aic N] [--claim-period-seconds N] [--rewards-budget-aic N]');
    process.exit(2);
  }
  const provider = new ethers.JsonRpcProvider(rpc, undefined, { pollingInterval: 100 });
  const signer = new ethers.NonceManager(new ethers.Wallet(key, provider));
  const { addresses } = await deployAll(signer, {
    minter,
    operator,
    treasury: args.treasury || process.env.TREASURY,
    feeBps: args['fee-bps'] ?? process.env.FEE_BPS,
    baseURI: args['base-uri'] || process.env.BASE_URI,
    vestingStart: args['vesting-start'],
    teamVestingSeconds: args['team-vesting-seconds'],
    advisorVestingSeconds: args['advisor-vesting-seconds'],
    creditWithdrawalDelay: args['credit-withdrawal-delay'],
    claimPeriodSeconds: args['claim-period-seconds'],
    rewardsBudget: args['rewards-budget-aic'] === undefined ? undefined : ethers.parseUnits(String(args['rewards-budget-aic']), 18),
  });
  if (args.fund) {
    const token = contractAt('AICToken', addresses.AICToken, signer);
    const amount = ethers.parseUnits(String(args['fund-aic'] || 10000), 18);
    for (const to of args.fund.split(',').filter(Boolean)) {
      await (await token.transfer(to, amount)).wait();
    }
  }
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(addresses, null, 2) + '\n');
  console.log(JSON.stringify(addresses, null, 2));
}

module.exports = { artifact, contractAt, deployAll, DEPLOYED_CONTRACTS };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
