// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {AICToken} from "../src/AICToken.sol";
import {VestingWallet} from "@openzeppelin/contracts/finance/VestingWallet.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

contract AICTokenTest is Fixture {
    function setUp() public {
        deployAll();
    }

    function test_Metadata() public view {
        assertEq(token.name(), "AI Crypto");
        assertEq(token.symbol(), "AIC");
        assertEq(token.decimals(), 18);
        assertEq(token.totalSupply(), 10_000_000_000e18);
        assertEq(token.TOTAL_SUPPLY(), 10_000_000_000e18);
    }

    function test_AllocationFollowsWhitepaper() public view {
        assertEq(token.balanceOf(investor), 3_000_000_000e18);
        assertEq(token.balanceOf(address(token.teamVesting())), 2_500_000_000e18);
        assertEq(token.balanceOf(ecosystem), 2_000_000_000e18);
        assertEq(token.balanceOf(marketing), 1_500_000_000e18);
        assertEq(token.balanceOf(address(token.advisorVesting())), 500_000_000e18);
        assertEq(token.balanceOf(reserve), 500_000_000e18);
        assertEq(token.balanceOf(team), 0);
        assertEq(token.balanceOf(advisor), 0);
    }

    function test_VestingWallets() public {
        VestingWallet tv = token.teamVesting();
        VestingWallet av = token.advisorVesting();
        assertEq(tv.owner(), team);
        assertEq(av.owner(), advisor);
        assertEq(tv.start(), VESTING_START);
        assertEq(tv.duration(), TEAM_VESTING);
        assertEq(av.duration(), ADVISOR_VESTING);

        vm.warp(VESTING_START - 1);
        assertEq(tv.releasable(address(token)), 0);
        vm.warp(VESTING_START + TEAM_VESTING / 4);
        tv.release(address(token));
        assertEq(token.balanceOf(team), 2_500_000_000e18 / 4);
        vm.warp(VESTING_START + ADVISOR_VESTING);
        av.release(address(token));
        assertEq(token.balanceOf(advisor), 500_000_000e18);
    }

    function test_RevertWhen_AllocationAddressIsZero() public {
        vm.expectRevert(AICToken.ZeroAllocationAddress.selector);
        new AICToken(investor, ecosystem, address(0), reserve, team, advisor, 0, 1, 1);
    }

    function test_Permit() public {
        (address alice, uint256 pk) = makeAddrAndKey("alice");
        address bob = makeAddr("bob");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(pk, bob, 123e18, deadline);
        token.permit(alice, bob, 123e18, deadline, v, r, s);
        assertEq(token.allowance(alice, bob), 123e18);
        assertEq(token.nonces(alice), 1);

        // replay fails: the nonce moved on
        vm.expectRevert();
        token.permit(alice, bob, 123e18, deadline, v, r, s);
    }

    function test_RevertWhen_PermitExpired() public {
        (address alice, uint256 pk) = makeAddrAndKey("alice");
        uint256 deadline = block.timestamp + 10;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(pk, address(this), 1, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        token.permit(alice, address(this), 1, deadline, v, r, s);
    }

    function testFuzz_TransferConservesSupply(address to, uint256 amount) public {
        vm.assume(to != address(0));
        amount = bound(amount, 0, token.balanceOf(investor));
        uint256 before = token.balanceOf(investor) + (to == investor ? 0 : token.balanceOf(to));
        vm.prank(investor);
        assertTrue(token.transfer(to, amount));
        uint256 afterSum = token.balanceOf(investor) + (to == investor ? 0 : token.balanceOf(to));
        assertEq(afterSum, before);
        assertEq(token.totalSupply(), token.TOTAL_SUPPLY());
    }
}
