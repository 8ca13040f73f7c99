// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {MerkleTree} from "./utils/MerkleTree.sol";
import {RewardsDistributor} from "../src/RewardsDistributor.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract RewardsDistributorTest is Fixture {
    RewardsDistributor internal rewards;
    address internal rewardsOperator = makeAddr("rewardsOperator");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    uint256 internal constant PERIOD = 90 days;

    event EpochPublished(uint256 indexed epoch, bytes32 root, uint256 amount, uint256 claimDeadline);
    event Claimed(uint256 indexed epoch, uint256 index, address indexed account, uint256 amount);
    event EpochExpired(uint256 indexed epoch, uint256 returned);

    function setUp() public {
        deployAll();
        rewards = new RewardsDistributor(token, ecosystem, PERIOD, rewardsOperator, admin);
        vm.prank(ecosystem);
        token.approve(address(rewards), type(uint256).max);
    }

    /// Three leaves: alice 100, bob 50, carol 25 AIC.
    function tree() internal view returns (bytes32[] memory leaves) {
        leaves = new bytes32[](3);
        leaves[0] = MerkleTree.leaf(0, alice, 100 ether);
        leaves[1] = MerkleTree.leaf(1, bob, 50 ether);
        leaves[2] = MerkleTree.leaf(2, carol, 25 ether);
    }

    function publish(uint256 epoch, bytes32[] memory leaves, uint256 amount) internal {
        vm.prank(rewardsOperator);
        rewards.publish(epoch, MerkleTree.root(leaves), amount, leaves.length);
    }

    function test_PublishTakesTheAmountFromTheEcosystemWallet() public {
        bytes32[] memory leaves = tree();
        uint256 before = token.balanceOf(ecosystem);
        vm.expectEmit(address(rewards));
        emit EpochPublished(1, MerkleTree.root(leaves), 175 ether, block.timestamp + PERIOD);
        publish(1, leaves, 175 ether);
        assertEq(token.balanceOf(ecosystem), before - 175 ether);
        assertEq(token.balanceOf(address(rewards)), 175 ether);
        RewardsDistributor.Epoch memory e = rewards.epoch(1);
        assertEq(e.root, MerkleTree.root(leaves));
        assertEq(e.funded, 175 ether);
        assertEq(e.claimed, 0);
        assertEq(e.claimDeadline, block.timestamp + PERIOD);
        assertEq(rewards.outstanding(1), 175 ether);
    }

    function test_ClaimPaysExactlyOnce() public {
        bytes32[] memory leaves = tree();
        publish(7, leaves, 175 ether);
        bytes32[] memory p = MerkleTree.proof(leaves, 1);
        vm.expectEmit(address(rewards));
        emit Claimed(7, 1, bob, 50 ether);
        vm.prank(bob);
        rewards.claim(7, 1, bob, 50 ether, p);
        assertEq(token.balanceOf(bob), 50 ether);
        assertTrue(rewards.isClaimed(7, 1));
        assertFalse(rewards.isClaimed(7, 0));
        assertEq(rewards.outstanding(7), 125 ether);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.AlreadyClaimed.selector, 7, 1));
        rewards.claim(7, 1, bob, 50 ether, p);
    }

    /// Indices on both sides of a bitmap word's edge (255 per word: bit 255 marks a prepared word) and one far
    /// beyond the prepared words: each is paid once and marks only itself.
    function test_ClaimsAcrossBitmapWordsAndBeyondThePreparedOnes() public {
        uint256[4] memory indices = [uint256(0), 254, 255, 100_000];
        address[4] memory accounts = [alice, bob, carol, address(0xC1A1)];
        bytes32[] memory leaves = new bytes32[](4);
        for (uint256 i; i < 4; i++) {
            leaves[i] = MerkleTree.leaf(indices[i], accounts[i], 1 ether + i);
        }
        vm.prank(rewardsOperator);
        rewards.publish(1, MerkleTree.root(leaves), 10 ether, 256); // words 0 and 1 prepared
        for (uint256 i; i < 4; i++) {
            assertFalse(rewards.isClaimed(1, indices[i]));
            rewards.claim(1, indices[i], accounts[i], 1 ether + i, MerkleTree.proof(leaves, i));
            assertEq(token.balanceOf(accounts[i]), 1 ether + i);
            assertTrue(rewards.isClaimed(1, indices[i]));
            vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.AlreadyClaimed.selector, 1, indices[i]));
            rewards.claim(1, indices[i], accounts[i], 1 ether + i, MerkleTree.proof(leaves, i));
        }
        assertFalse(rewards.isClaimed(1, 1));
        assertFalse(rewards.isClaimed(1, 253));
        assertFalse(rewards.isClaimed(1, 256));
        assertFalse(rewards.isClaimed(1, 99_999));
        assertEq(rewards.outstanding(1), 10 ether - 4 ether - 6);
    }

    function test_AnyoneMaySendAClaimButTheAccountIsPaid() public {
        bytes32[] memory leaves = tree();
        publish(1, leaves, 175 ether);
        vm.prank(carol);
        rewards.claim(1, 0, alice, 100 ether, MerkleTree.proof(leaves, 0));
        assertEq(token.balanceOf(alice), 100 ether);
        assertEq(token.balanceOf(carol), 0);
    }

    function test_RevertWhen_ProofIsForAnotherAccountOrAmount() public {
        bytes32[] memory leaves = tree();
        publish(1, leaves, 175 ether);
        bytes32[] memory p = MerkleTree.proof(leaves, 0);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.InvalidProof.selector, 1, 0));
        rewards.claim(1, 0, carol, 100 ether, p);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.InvalidProof.selector, 1, 0));
        rewards.claim(1, 0, alice, 101 ether, p);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.InvalidProof.selector, 1, 2));
        rewards.claim(1, 2, alice, 100 ether, p);
    }

    function test_RevertWhen_RootPromisesMoreThanFunded() public {
        bytes32[] memory leaves = tree();
        publish(1, leaves, 120 ether); // the leaves add up to 175
        rewards.claim(1, 0, alice, 100 ether, MerkleTree.proof(leaves, 0));
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.ExceedsFunding.selector, 1, 50 ether, 20 ether));
        rewards.claim(1, 1, bob, 50 ether, MerkleTree.proof(leaves, 1));
        assertEq(token.balanceOf(address(rewards)), 20 ether);
    }

    function test_RevertWhen_ClaimingAnUnpublishedEpoch() public {
        bytes32[] memory leaves = tree();
        publish(1, leaves, 175 ether);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.NotPublished.selector, 2));
        rewards.claim(2, 0, alice, 100 ether, MerkleTree.proof(leaves, 0));
    }

    function test_RevertWhen_NotOperatorPublishes() public {
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.NotOperator.selector, alice));
        vm.prank(alice);
        rewards.publish(1, bytes32(uint256(1)), 1 ether, 1);
    }

    function test_RevertWhen_PublishingTwiceOrOutOfRange() public {
        bytes32[] memory leaves = tree();
        publish(1, leaves, 175 ether);
        vm.startPrank(rewardsOperator);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.AlreadyPublished.selector, 1));
        rewards.publish(1, bytes32(uint256(1)), 1 ether, 1);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.EpochOutOfRange.selector, 0));
        rewards.publish(0, bytes32(uint256(1)), 1 ether, 1);
        uint256 tooBig = uint256(uint64(type(int64).max)) + 1;
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.EpochOutOfRange.selector, tooBig));
        rewards.publish(tooBig, bytes32(uint256(1)), 1 ether, 1);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.EmptyEpoch.selector, 2));
        rewards.publish(2, bytes32(0), 1 ether, 1);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.EmptyEpoch.selector, 2));
        rewards.publish(2, bytes32(uint256(1)), 0, 1);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.AmountTooHigh.selector, uint256(1) << 96));
        rewards.publish(2, bytes32(uint256(1)), uint256(1) << 96, 1);
        vm.stopPrank();
    }

    function test_UnclaimedReturnToTheEcosystemAfterTheClaimPeriod() public {
        bytes32[] memory leaves = tree();
        publish(3, leaves, 175 ether);
        rewards.claim(3, 0, alice, 100 ether, MerkleTree.proof(leaves, 0));
        uint256 deadline = block.timestamp + PERIOD;
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.ClaimPeriodOpen.selector, 3, deadline));
        rewards.expire(3);

        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.ClaimPeriodOver.selector, 3, deadline));
        rewards.claim(3, 1, bob, 50 ether, MerkleTree.proof(leaves, 1));

        uint256 before = token.balanceOf(ecosystem);
        vm.expectEmit(address(rewards));
        emit EpochExpired(3, 75 ether);
        vm.prank(carol); // anyone
        rewards.expire(3);
        assertEq(token.balanceOf(ecosystem), before + 75 ether);
        assertEq(token.balanceOf(address(rewards)), 0);
        assertEq(rewards.outstanding(3), 0);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.AlreadyExpired.selector, 3));
        rewards.expire(3);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.NotPublished.selector, 4));
        rewards.expire(4);
    }

    function test_OnlyTheOwnerChangesTheOperator() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        rewards.setOperator(alice);
        vm.prank(admin);
        rewards.setOperator(bob);
        assertEq(rewards.operator(), bob);
        vm.expectRevert(RewardsDistributor.InvalidArgument.selector);
        vm.prank(admin);
        rewards.setOperator(address(0));
    }

    function test_RevertWhen_ConstructedWithABadClaimPeriod() public {
        vm.expectRevert(RewardsDistributor.InvalidArgument.selector);
        new RewardsDistributor(token, ecosystem, 1 days - 1, rewardsOperator, admin);
        vm.expectRevert(RewardsDistributor.InvalidArgument.selector);
        new RewardsDistributor(token, address(0), PERIOD, rewardsOperator, admin);
    }

    function test_RevertWhen_TheEcosystemWalletDidNotApprove() public {
        vm.prank(ecosystem);
        token.approve(address(rewards), 10 ether);
        vm.prank(rewardsOperator);
        vm.expectRevert();
        rewards.publish(1, bytes32(uint256(1)), 11 ether, 1);
    }

    /// Every leaf of a random tree is paid exactly its amount, once, and the epoch ends empty.
    function testFuzz_EveryLeafPaidExactlyOnce(uint8 size, uint256 seed) public {
        uint256 n = bound(size, 1, 40);
        bytes32[] memory leaves = new bytes32[](n);
        address[] memory accounts = new address[](n);
        uint256[] memory amounts = new uint256[](n);
        uint256 total;
        for (uint256 i; i < n; i++) {
            accounts[i] = address(uint160(uint256(keccak256(abi.encode(seed, i, "account"))) | 1 << 150));
            amounts[i] = bound(uint256(keccak256(abi.encode(seed, i))), 1, 1_000_000 ether);
            total += amounts[i];
            leaves[i] = MerkleTree.leaf(i, accounts[i], amounts[i]);
        }
        publish(1, leaves, total);
        for (uint256 k; k < n; k++) {
            uint256 i = (k * 7 + seed % n) % n; // a scrambled order, with repeats when 7 divides n (refused)
            if (rewards.isClaimed(1, i)) {
                vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.AlreadyClaimed.selector, 1, i));
                rewards.claim(1, i, accounts[i], amounts[i], MerkleTree.proof(leaves, i));
                continue;
            }
            uint256 before = token.balanceOf(accounts[i]);
            rewards.claim(1, i, accounts[i], amounts[i], MerkleTree.proof(leaves, i));
            assertEq(token.balanceOf(accounts[i]), before + amounts[i]);
        }
        for (uint256 i; i < n; i++) {
            if (!rewards.isClaimed(1, i)) rewards.claim(1, i, accounts[i], amounts[i], MerkleTree.proof(leaves, i));
        }
        assertEq(rewards.outstanding(1), 0);
        assertEq(token.balanceOf(address(rewards)), 0);
    }

    /// A claim with any other amount or account than the leaf's is refused.
    function testFuzz_RevertWhen_LeafIsAltered(address account, uint256 amount) public {
        bytes32[] memory leaves = tree();
        publish(1, leaves, 175 ether);
        vm.assume(account != bob || amount != 50 ether);
        vm.expectRevert(abi.encodeWithSelector(RewardsDistributor.InvalidProof.selector, 1, 1));
        rewards.claim(1, 1, account, amount, MerkleTree.proof(leaves, 1));
    }
}
