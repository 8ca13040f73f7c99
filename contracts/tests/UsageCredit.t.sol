// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {UsageCredit} from "../src/UsageCredit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract UsageCreditTest is Fixture {
    UsageCredit internal credit;
    address internal member;
    uint256 internal memberKey;
    address internal other = makeAddr("other");
    address internal ownerA = makeAddr("modelOwnerA");
    address internal ownerB = makeAddr("modelOwnerB");
    address internal stranger = makeAddr("stranger");

    uint256 internal constant DELAY = 3 days;
    uint256 internal constant FUNDS = 1_000_000e18;
    uint256 internal constant MAX_ID = uint256(uint64(type(int64).max));

    function setUp() public {
        vm.warp(1_900_000_000);
        deployAll();
        credit = new UsageCredit(token, escrowOperator, treasury, FEE_BPS, DELAY, admin);
        (member, memberKey) = makeAddrAndKey("member");
        fund(member, FUNDS);
        fund(other, FUNDS);
    }

    function _deposit(address who, uint256 amount) internal {
        vm.startPrank(who);
        token.approve(address(credit), amount);
        credit.deposit(amount);
        vm.stopPrank();
    }

    function _entry(address payer, address payee, uint256 amount) internal pure returns (UsageCredit.Entry memory) {
        return UsageCredit.Entry(payer, payee, uint96(amount));
    }

    function _one(address payer, address payee, uint256 amount) internal pure returns (UsageCredit.Entry[] memory e) {
        e = new UsageCredit.Entry[](1);
        e[0] = _entry(payer, payee, amount);
    }

    function _settle(uint256 batchId, UsageCredit.Entry[] memory entries) internal {
        vm.prank(escrowOperator);
        credit.settle(batchId, entries);
    }

    function _fee(uint256 amount) internal pure returns (uint256) {
        return amount * FEE_BPS / 10_000;
    }

    function _balance(address who) internal view returns (uint256) {
        return credit.account(who).balance;
    }

    // ------------------------------------------------------------------ deposits

    function test_Deposit() public {
        vm.startPrank(member);
        token.approve(address(credit), 50e18);
        vm.expectEmit(address(credit));
        emit UsageCredit.CreditDeposited(member, 50e18, 50e18);
        credit.deposit(50e18);
        vm.stopPrank();
        _deposit(member, 25e18);
        assertEq(_balance(member), 75e18);
        assertEq(token.balanceOf(address(credit)), 75e18);
        assertEq(token.balanceOf(member), FUNDS - 75e18);
    }

    function test_DepositWithPermit() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(memberKey, address(credit), 40e18, deadline);
        vm.prank(member);
        credit.depositWithPermit(40e18, deadline, v, r, s);
        assertEq(_balance(member), 40e18);
        assertEq(token.allowance(member, address(credit)), 0);
    }

    function test_DepositWithPermitFrontRunStillDeposits() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(memberKey, address(credit), 40e18, deadline);
        vm.prank(stranger);
        token.permit(member, address(credit), 40e18, deadline, v, r, s);
        vm.prank(member);
        credit.depositWithPermit(40e18, deadline, v, r, s);
        assertEq(_balance(member), 40e18);
    }

    function test_RevertWhen_PermitOfAnotherMember() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(memberKey, address(credit), 40e18, deadline);
        // The permit is the member's; the stranger's own allowance is zero, so it takes nothing.
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(credit), 0, 40e18)
        );
        credit.depositWithPermit(40e18, deadline, v, r, s);
        assertEq(_balance(member), 0);
    }

    function test_RevertWhen_DepositZero() public {
        vm.prank(member);
        vm.expectRevert(UsageCredit.ZeroAmount.selector);
        credit.deposit(0);
    }

    function test_RevertWhen_BalanceBeyond96Bits() public {
        uint256 big = uint256(type(uint96).max) - 1;
        deal(address(token), member, type(uint256).max / 2);
        _deposit(member, big);
        vm.startPrank(member);
        token.approve(address(credit), 2);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.AmountTooLarge.selector, 2));
        credit.deposit(2);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ settlement

    function test_SettlePaysEachPayeeAndTheTreasuryOnce() public {
        _deposit(member, 100e18);
        _deposit(other, 100e18);
        UsageCredit.Entry[] memory e = new UsageCredit.Entry[](3);
        e[0] = _entry(member, ownerA, 10e18);
        e[1] = _entry(other, ownerA, 4e18);
        e[2] = _entry(member, ownerB, 1e18);
        uint256 fees = _fee(10e18) + _fee(4e18) + _fee(1e18);
        vm.expectEmit(address(credit));
        emit UsageCredit.UsageSettled(9, 3, 15e18, fees, 0);
        _settle(9, e);

        assertEq(token.balanceOf(ownerA), 14e18 - _fee(10e18) - _fee(4e18));
        assertEq(token.balanceOf(ownerB), 1e18 - _fee(1e18));
        assertEq(token.balanceOf(treasury), fees);
        assertEq(_balance(member), 89e18);
        assertEq(_balance(other), 96e18);
        assertTrue(credit.isSettled(9));
        assertEq(token.balanceOf(address(credit)), 185e18);
    }

    function test_RevertWhen_BatchSettledTwice() public {
        _deposit(member, 100e18);
        _settle(9, _one(member, ownerA, 10e18));
        vm.prank(escrowOperator);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.BatchAlreadySettled.selector, 9));
        credit.settle(9, _one(member, ownerA, 10e18));
        assertEq(_balance(member), 90e18);
    }

    function test_SettleTakesWhatIsLeftAndReportsTheShortfall() public {
        _deposit(member, 5e18);
        UsageCredit.Entry[] memory e = new UsageCredit.Entry[](2);
        e[0] = _entry(member, ownerA, 3e18);
        e[1] = _entry(member, ownerA, 4e18);
        vm.expectEmit(address(credit));
        emit UsageCredit.UsageSettled(1, 2, 5e18, _fee(3e18) + _fee(2e18), 2e18);
        _settle(1, e);
        assertEq(_balance(member), 0);
        assertEq(token.balanceOf(ownerA), 5e18 - _fee(3e18) - _fee(2e18));
    }

    function test_RevertWhen_SettleByStranger() public {
        _deposit(member, 5e18);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.NotOperator.selector, stranger));
        credit.settle(1, _one(member, stranger, 5e18));
    }

    function test_RevertWhen_BatchIdOutOfRange() public {
        vm.startPrank(escrowOperator);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.IdOutOfRange.selector, 0));
        credit.settle(0, _one(member, ownerA, 1));
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.IdOutOfRange.selector, MAX_ID + 1));
        credit.settle(MAX_ID + 1, _one(member, ownerA, 1));
        vm.stopPrank();
    }

    function test_RevertWhen_EmptyBatchOrBadPayee() public {
        _deposit(member, 5e18);
        vm.startPrank(escrowOperator);
        vm.expectRevert(UsageCredit.EmptyBatch.selector);
        credit.settle(1, new UsageCredit.Entry[](0));
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.InvalidAddress.selector, address(0)));
        credit.settle(1, _one(member, address(0), 1e18));
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.InvalidAddress.selector, address(credit)));
        credit.settle(1, _one(member, address(credit), 1e18));
        vm.stopPrank();
        assertFalse(credit.isSettled(1));
        assertEq(_balance(member), 5e18);
    }

    // ------------------------------------------------------------------ withdrawals

    function test_OperatorReleasesARequestCappedAtTheBalance() public {
        _deposit(member, 10e18);
        vm.prank(member);
        vm.expectEmit(address(credit));
        emit UsageCredit.WithdrawalRequested(member, 10e18, block.timestamp + DELAY);
        credit.requestWithdrawal(10e18);
        _settle(1, _one(member, ownerA, 3e18)); // usage before the request is settled first
        vm.prank(escrowOperator);
        vm.expectEmit(address(credit));
        emit UsageCredit.CreditWithdrawn(member, 7e18, true);
        credit.releaseWithdrawal(member);
        assertEq(token.balanceOf(member), FUNDS - 3e18);
        UsageCredit.Account memory a = credit.account(member);
        assertEq(a.balance, 0);
        assertEq(a.pendingWithdrawal, 0);
        assertEq(a.withdrawableAt, 0);
    }

    function test_MemberWithdrawsAloneAfterTheDelay() public {
        _deposit(member, 10e18);
        vm.prank(member);
        credit.requestWithdrawal(6e18);
        vm.warp(block.timestamp + DELAY - 1);
        vm.prank(member);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.TooEarly.selector, member, block.timestamp + 1));
        credit.withdraw();
        vm.warp(block.timestamp + 1);
        vm.prank(member);
        vm.expectEmit(address(credit));
        emit UsageCredit.CreditWithdrawn(member, 6e18, false);
        credit.withdraw();
        assertEq(_balance(member), 4e18);
        assertEq(token.balanceOf(member), FUNDS - 4e18);
        vm.prank(member);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.NoWithdrawalRequested.selector, member));
        credit.withdraw();
    }

    function test_ANewRequestRestartsTheDelay() public {
        _deposit(member, 10e18);
        vm.prank(member);
        credit.requestWithdrawal(2e18);
        vm.warp(block.timestamp + DELAY);
        vm.prank(member);
        credit.requestWithdrawal(3e18);
        vm.prank(member);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.TooEarly.selector, member, block.timestamp + DELAY));
        credit.withdraw();
    }

    function test_RevertWhen_RequestingMoreThanTheBalanceOrNothing() public {
        _deposit(member, 10e18);
        vm.startPrank(member);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.InsufficientCredit.selector, member, 10e18, 11e18));
        credit.requestWithdrawal(11e18);
        vm.expectRevert(UsageCredit.ZeroAmount.selector);
        credit.requestWithdrawal(0);
        vm.stopPrank();
    }

    function test_RevertWhen_ReleaseByStrangerOrWithoutRequest() public {
        _deposit(member, 10e18);
        vm.prank(escrowOperator);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.NoWithdrawalRequested.selector, member));
        credit.releaseWithdrawal(member);
        vm.prank(member);
        credit.requestWithdrawal(1e18);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.NotOperator.selector, stranger));
        credit.releaseWithdrawal(member);
    }

    // ------------------------------------------------------------------ admin

    function test_RevertWhen_ConstructorOutOfRange() public {
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.InvalidDelay.selector, 1 hours - 1, 1 hours, 30 days));
        new UsageCredit(token, escrowOperator, treasury, FEE_BPS, 1 hours - 1, admin);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.InvalidDelay.selector, 30 days + 1, 1 hours, 30 days));
        new UsageCredit(token, escrowOperator, treasury, FEE_BPS, 30 days + 1, admin);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.InvalidAddress.selector, address(0)));
        new UsageCredit(IERC20(address(0)), escrowOperator, treasury, FEE_BPS, DELAY, admin);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.FeeTooHigh.selector, 1001, 1000));
        new UsageCredit(token, escrowOperator, treasury, 1001, DELAY, admin);
    }

    function test_AdminSetsFeeTreasuryAndOperator() public {
        vm.startPrank(admin);
        credit.setFee(500);
        credit.setTreasury(ownerB);
        credit.setOperator(stranger);
        vm.stopPrank();
        assertEq(credit.feeBps(), 500);
        assertEq(credit.treasury(), ownerB);
        assertEq(credit.operator(), stranger);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        credit.setFee(0);
    }

    // ------------------------------------------------------------------ fuzz

    /// Whatever the batch, AIC is conserved: what payers lose is what payees and the treasury get,
    /// and no payer loses more than its balance.
    function testFuzz_SettlementConservesAic(uint96 depositA, uint96 depositB, uint96[6] memory amounts, uint8 payees)
        public
    {
        depositA = uint96(bound(depositA, 1, 1_000e18));
        depositB = uint96(bound(depositB, 1, 1_000e18));
        _deposit(member, depositA);
        _deposit(other, depositB);
        UsageCredit.Entry[] memory e = new UsageCredit.Entry[](6);
        for (uint256 i = 0; i < 6; i++) {
            address payee = (payees >> i) & 1 == 1 ? ownerA : ownerB;
            e[i] = _entry(i % 2 == 0 ? member : other, payee, bound(amounts[i], 0, 500e18));
        }
        uint256 before = token.balanceOf(address(credit));
        _settle(1, e);
        uint256 paid = token.balanceOf(ownerA) + token.balanceOf(ownerB) + token.balanceOf(treasury);
        assertEq(before - token.balanceOf(address(credit)), paid);
        assertEq(token.balanceOf(address(credit)), uint256(_balance(member)) + _balance(other));
        assertLe(depositA - _balance(member), uint256(amounts[0]) + amounts[2] + amounts[4]);
    }

    /// A stranger can neither withdraw nor request for a member, nor settle.
    function testFuzz_StrangerTouchesNothing(address who, uint96 amount) public {
        vm.assume(who != member && who != escrowOperator && who != address(0));
        amount = uint96(bound(amount, 1, 1_000e18));
        _deposit(member, amount);
        vm.prank(member);
        credit.requestWithdrawal(amount);
        vm.warp(block.timestamp + DELAY);
        vm.startPrank(who);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.NoWithdrawalRequested.selector, who));
        credit.withdraw();
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.NotOperator.selector, who));
        credit.releaseWithdrawal(member);
        vm.expectRevert(abi.encodeWithSelector(UsageCredit.NotOperator.selector, who));
        credit.settle(1, _one(member, who, amount));
        vm.stopPrank();
        assertEq(_balance(member), amount);
    }
}
