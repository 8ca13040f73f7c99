// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {AICToken} from "../../src/AICToken.sol";
import {AssetRegistry} from "../../src/AssetRegistry.sol";
import {Marketplace} from "../../src/Marketplace.sol";
import {CompetitionEscrow} from "../../src/CompetitionEscrow.sol";
import {JobEscrow} from "../../src/JobEscrow.sol";
import {BountyEscrow} from "../../src/BountyEscrow.sol";

/// @dev Deploys the contracts the way scripts/deploy.js does, with distinct allocation
///      addresses, and offers helpers shared by the test suites.
abstract contract Fixture is Test {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    AICToken internal token;
    AssetRegistry internal registry;
    Marketplace internal market;
    CompetitionEscrow internal competitions;
    JobEscrow internal jobs;
    BountyEscrow internal bounties;

    address internal admin = makeAddr("admin");
    address internal minter = makeAddr("minter");
    address internal escrowOperator = makeAddr("escrowOperator");
    address internal treasury = makeAddr("treasury");
    address internal investor = makeAddr("investor");
    address internal ecosystem = makeAddr("ecosystem");
    address internal marketing = makeAddr("marketing");
    address internal reserve = makeAddr("reserve");
    address internal team = makeAddr("team");
    address internal advisor = makeAddr("advisor");

    uint64 internal constant VESTING_START = 1_800_000_000;
    uint64 internal constant TEAM_VESTING = 4 * 365 days;
    uint64 internal constant ADVISOR_VESTING = 2 * 365 days;
    uint16 internal constant FEE_BPS = 250;

    /// @dev Fuzzed callers are strangers: not a fixture account (the fuzzer draws addresses it has seen, such as the
    ///      investor holding 3 billion AIC), not a contract, not zero.
    function assumeStranger(address a) internal view {
        vm.assume(a != address(0) && a.code.length == 0);
        vm.assume(a != admin && a != minter && a != escrowOperator && a != treasury && a != investor);
        vm.assume(a != ecosystem && a != marketing && a != reserve && a != team && a != advisor);
    }

    function deployAll() internal {
        token = new AICToken(
            investor, ecosystem, marketing, reserve, team, advisor, VESTING_START, TEAM_VESTING, ADVISOR_VESTING
        );
        registry = new AssetRegistry("https://plaza.test/api/nft/", admin);
        market = new Marketplace(token, registry, treasury, FEE_BPS, admin);
        bytes32 minterRole = registry.MINTER_ROLE();
        vm.prank(admin);
        registry.grantRole(minterRole, minter);
    }

    /// @dev The two escrows, as scripts/deploy.js deploys them with `--operator`: their operator
    ///      (`escrowOperator`) is another key than the registry's minter, `admin` their owner; the
    ///      job escrow shares the market's treasury and fee.
    function deployEscrows() internal {
        competitions = new CompetitionEscrow(token, escrowOperator, admin);
        jobs = new JobEscrow(token, escrowOperator, treasury, FEE_BPS, admin);
    }

    /// @dev The bounty escrow as scripts/deploy.js deploys it: the market's treasury and fee, `admin` its owner.
    function deployBountyEscrow() internal {
        bounties = new BountyEscrow(token, registry, treasury, FEE_BPS, admin);
    }

    function fund(address to, uint256 amount) internal {
        vm.prank(ecosystem);
        assertTrue(token.transfer(to, amount));
    }

    function mintAsset(address to, uint256 id) internal {
        vm.prank(minter);
        registry.mint(to, id, AssetRegistry.Kind.Dataset, keccak256(abi.encode(id)), address(0), 0);
    }

    function signPermit(uint256 pk, address spender, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        address owner = vm.addr(pk);
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, token.nonces(owner), deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        return vm.sign(pk, digest);
    }
}
