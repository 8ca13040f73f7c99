// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Fixture} from "../utils/Fixture.sol";
import {MerkleTree} from "../utils/MerkleTree.sol";
import {AICToken} from "../../src/AICToken.sol";
import {RewardsDistributor} from "../../src/RewardsDistributor.sol";

/// @dev Random sequences of epochs published (some with roots that promise more than they are
///      funded with), claims of random leaves (valid, repeated, altered, and by strangers on
///      someone's behalf), time passing and expiries by anyone. The handler keeps its own books.
contract RewardsHandler is Test {
    AICToken internal immutable token;
    RewardsDistributor internal immutable rewards;
    address internal immutable operator;
    address public immutable ecosystem;

    uint256 public time;
    uint256[] public epochs;
    mapping(uint256 epoch => bytes32[]) internal leaves;
    mapping(uint256 epoch => address[]) internal accounts;
    mapping(uint256 epoch => uint256[]) internal amounts;
    mapping(uint256 epoch => uint256) public funded;
    mapping(uint256 epoch => uint256) public claimed;
    mapping(uint256 epoch => bool) public expired;
    mapping(uint256 epoch => mapping(uint256 index => uint256)) public timesPaid;
    mapping(address account => uint256) public earned;
    uint256 public returned;
    uint256 public totalFunded;
    uint256 public totalClaimed;
    address[] public members;

    constructor(AICToken token_, RewardsDistributor rewards_, address operator_, address ecosystem_) {
        token = token_;
        rewards = rewards_;
        operator = operator_;
        ecosystem = ecosystem_;
        time = block.timestamp;
        for (uint256 i; i < 6; i++) {
            members.push(makeAddr(string(abi.encodePacked("member", vm.toString(i)))));
        }
    }

    function memberCount() external view returns (uint256) {
        return members.length;
    }

    function epochCount() external view returns (uint256) {
        return epochs.length;
    }

    function publish(uint256 seed, uint8 size, uint16 fundingPct) external {
        vm.warp(time);
        uint256 epoch = epochs.length + 1;
        uint256 n = bound(size, 1, 8);
        uint256 total;
        for (uint256 i; i < n; i++) {
            address a = members[uint256(keccak256(abi.encode(seed, i))) % members.length];
            uint256 amount = bound(uint256(keccak256(abi.encode(seed, i, "amount"))), 1, 1_000 ether);
            accounts[epoch].push(a);
            amounts[epoch].push(amount);
            leaves[epoch].push(MerkleTree.leaf(i, a, amount));
            total += amount;
        }
        // 50% to 150% of what the leaves promise: an over-promising root must not pay past its funding.
        uint256 amountFunded = total * bound(fundingPct, 50, 150) / 100;
        vm.prank(operator);
        rewards.publish(epoch, MerkleTree.root(leaves[epoch]), amountFunded, n);
        epochs.push(epoch);
        funded[epoch] = amountFunded;
        totalFunded += amountFunded;
    }

    function claim(uint256 epochSeed, uint256 indexSeed, uint256 senderSeed, bool alter) external {
        if (epochs.length == 0) return;
        vm.warp(time);
        uint256 epoch = epochs[epochSeed % epochs.length];
        uint256 index = indexSeed % leaves[epoch].length;
        address account = accounts[epoch][index];
        uint256 amount = amounts[epoch][index] + (alter ? 1 : 0);
        bytes32[] memory proof = MerkleTree.proof(leaves[epoch], index);
        vm.prank(members[senderSeed % members.length]);
        try rewards.claim(epoch, index, account, amount, proof) {
            timesPaid[epoch][index]++;
            claimed[epoch] += amount;
            totalClaimed += amount;
            earned[account] += amount;
        } catch {}
    }

    function warp(uint32 seconds_) external {
        time += bound(seconds_, 1, 40 days);
    }

    function expire(uint256 epochSeed, uint256 senderSeed) external {
        if (epochs.length == 0) return;
        vm.warp(time);
        uint256 epoch = epochs[epochSeed % epochs.length];
        vm.prank(members[senderSeed % members.length]);
        try rewards.expire(epoch) {
            expired[epoch] = true;
            returned += funded[epoch] - claimed[epoch];
        } catch {}
    }

    function leafCount(uint256 epoch) external view returns (uint256) {
        return leaves[epoch].length;
    }
}

contract RewardsInvariantTest is Fixture {
    RewardsDistributor internal rewards;
    RewardsHandler internal handler;
    address internal rewardsOperator = makeAddr("rewardsOperator");
    uint256 internal ecosystemStart;

    function setUp() public {
        deployAll();
        rewards = new RewardsDistributor(token, ecosystem, 60 days, rewardsOperator, admin);
        vm.prank(ecosystem);
        token.approve(address(rewards), type(uint256).max);
        ecosystemStart = token.balanceOf(ecosystem);
        handler = new RewardsHandler(token, rewards, rewardsOperator, ecosystem);
        targetContract(address(handler));
    }

    /// Each epoch pays at most what it was funded with, and the books agree with the contract.
    function invariant_EpochsNeverPayPastTheirFunding() public view {
        for (uint256 i; i < handler.epochCount(); i++) {
            uint256 epoch = handler.epochs(i);
            RewardsDistributor.Epoch memory e = rewards.epoch(epoch);
            assertLe(e.claimed, e.funded);
            assertEq(e.claimed, handler.claimed(epoch));
            assertEq(e.funded, handler.funded(epoch));
            assertEq(e.expired, handler.expired(epoch));
        }
    }

    /// No leaf is ever paid twice.
    function invariant_EachIndexPaidAtMostOnce() public view {
        for (uint256 i; i < handler.epochCount(); i++) {
            uint256 epoch = handler.epochs(i);
            for (uint256 j; j < handler.leafCount(epoch); j++) {
                assertLe(handler.timesPaid(epoch, j), 1);
                assertEq(rewards.isClaimed(epoch, j), handler.timesPaid(epoch, j) == 1);
            }
        }
    }

    /// The contract holds exactly what open epochs still owe; the ecosystem wallet got back all that expired.
    function invariant_BalanceIsWhatOpenEpochsOwe() public view {
        uint256 owed;
        for (uint256 i; i < handler.epochCount(); i++) {
            owed += rewards.outstanding(handler.epochs(i));
        }
        assertEq(token.balanceOf(address(rewards)), owed);
        assertEq(owed, handler.totalFunded() - handler.totalClaimed() - handler.returned());
        assertEq(token.balanceOf(ecosystem), ecosystemStart - handler.totalFunded() + handler.returned());
    }

    /// Every member holds exactly what they were paid.
    function invariant_MembersHoldWhatTheyEarned() public view {
        for (uint256 i; i < handler.memberCount(); i++) {
            address m = handler.members(i);
            assertEq(token.balanceOf(m), handler.earned(m));
        }
    }
}
