// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {JobEscrow} from "../src/JobEscrow.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract JobEscrowTest is Fixture {
    address internal requester;
    uint256 internal requesterKey;
    address internal operator; // the plaza operator (Fixture's minter)
    address internal provider = makeAddr("provider");
    address internal stranger = makeAddr("stranger");

    uint256 internal constant JOB = 7;
    uint256 internal constant BUDGET = 100e18;
    uint256 internal constant TIMEOUT = 2 days;
    uint256 internal constant FUNDS = 1_000_000e18;

    event JobFunded(uint256 indexed jobId, address indexed requester, uint256 budget, uint256 deadline);
    event JobSettled(
        uint256 indexed jobId,
        address indexed requester,
        address indexed provider,
        uint256 amount,
        uint256 fee,
        uint256 refunded
    );
    event JobRefunded(uint256 indexed jobId, address indexed requester, uint256 amount);
    event JobReclaimed(uint256 indexed jobId, address indexed requester, uint256 amount);
    event FeeChanged(uint256 oldFeeBps, uint256 newFeeBps);
    event TreasuryChanged(address indexed oldTreasury, address indexed newTreasury);
    event OperatorChanged(address indexed oldOperator, address indexed newOperator);

    function setUp() public {
        vm.warp(1_900_000_000);
        deployAll();
        deployEscrows();
        operator = minter;
        (requester, requesterKey) = makeAddrAndKey("requester");
        fund(requester, FUNDS);
    }

    function _deposit(uint256 jobId, uint256 amount) internal {
        vm.startPrank(requester);
        token.approve(address(jobs), amount);
        jobs.deposit(jobId, amount, TIMEOUT);
        vm.stopPrank();
    }

    function _fee(uint256 amount) internal pure returns (uint256) {
        return amount * FEE_BPS / 10_000;
    }

    function _expectRevertDeposit(bytes memory err, uint256 jobId, uint256 amount, uint256 timeout) internal {
        vm.startPrank(requester);
        token.approve(address(jobs), amount);
        vm.expectRevert(err);
        jobs.deposit(jobId, amount, timeout);
        vm.stopPrank();
    }

    // ------------------------------------------------------------ deposits

    function test_Deposit() public {
        vm.startPrank(requester);
        token.approve(address(jobs), BUDGET);
        vm.expectEmit(address(jobs));
        emit JobFunded(JOB, requester, BUDGET, block.timestamp + TIMEOUT);
        jobs.deposit(JOB, BUDGET, TIMEOUT);
        vm.stopPrank();

        JobEscrow.Job memory j = jobs.job(JOB);
        assertEq(j.requester, requester);
        assertEq(j.budget, BUDGET);
        assertEq(j.deadline, block.timestamp + TIMEOUT);
        assertEq(uint8(j.status), uint8(JobEscrow.Status.Funded));
        assertEq(jobs.outstanding(JOB), BUDGET);
        assertEq(token.balanceOf(address(jobs)), BUDGET);
        assertEq(token.balanceOf(requester), FUNDS - BUDGET);
    }

    function test_DepositWithPermit() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(requesterKey, address(jobs), BUDGET, deadline);
        vm.prank(requester);
        jobs.depositWithPermit(JOB, BUDGET, TIMEOUT, deadline, v, r, s);
        assertEq(token.balanceOf(address(jobs)), BUDGET);
        assertEq(token.allowance(requester, address(jobs)), 0);
        assertEq(token.nonces(requester), 1);
        assertEq(jobs.job(JOB).requester, requester);
    }

    function test_DepositWithPermitFrontRunStillDeposits() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(requesterKey, address(jobs), BUDGET, deadline);
        vm.prank(stranger);
        token.permit(requester, address(jobs), BUDGET, deadline, v, r, s);
        vm.prank(requester);
        jobs.depositWithPermit(JOB, BUDGET, TIMEOUT, deadline, v, r, s);
        assertEq(token.balanceOf(address(jobs)), BUDGET);
    }

    function test_RevertWhen_PermitSignedByOther() public {
        (, uint256 otherKey) = makeAddrAndKey("other");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(otherKey, address(jobs), BUDGET, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(jobs), 0, BUDGET)
        );
        vm.prank(requester);
        jobs.depositWithPermit(JOB, BUDGET, TIMEOUT, deadline, v, r, s);
    }

    function test_RevertWhen_JobIdUsed() public {
        _deposit(JOB, BUDGET);
        _expectRevertDeposit(abi.encodeWithSelector(JobEscrow.JobExists.selector, JOB), JOB, BUDGET, TIMEOUT);
        // a closed job's id stays used
        vm.prank(operator);
        jobs.refund(JOB);
        _expectRevertDeposit(abi.encodeWithSelector(JobEscrow.JobExists.selector, JOB), JOB, BUDGET, TIMEOUT);
    }

    function test_RevertWhen_ZeroAmount() public {
        _expectRevertDeposit(abi.encodeWithSelector(JobEscrow.ZeroAmount.selector), JOB, 0, TIMEOUT);
    }

    function test_RevertWhen_AmountTooLarge() public {
        uint256 tooMuch = uint256(type(uint96).max) + 1;
        _expectRevertDeposit(abi.encodeWithSelector(JobEscrow.AmountTooLarge.selector, tooMuch), JOB, tooMuch, TIMEOUT);
    }

    function test_RevertWhen_TimeoutOutOfBounds() public {
        uint256 min = jobs.MIN_TIMEOUT();
        uint256 max = jobs.MAX_TIMEOUT();
        _expectRevertDeposit(
            abi.encodeWithSelector(JobEscrow.InvalidTimeout.selector, min - 1, min, max), JOB, BUDGET, min - 1
        );
        _expectRevertDeposit(
            abi.encodeWithSelector(JobEscrow.InvalidTimeout.selector, max + 1, min, max), JOB, BUDGET, max + 1
        );
        // both bounds are allowed
        vm.startPrank(requester);
        token.approve(address(jobs), 2 * BUDGET);
        jobs.deposit(1, BUDGET, min);
        jobs.deposit(2, BUDGET, max);
        vm.stopPrank();
        assertEq(jobs.job(1).deadline, block.timestamp + min);
        assertEq(jobs.job(2).deadline, block.timestamp + max);
    }

    function test_RevertWhen_AllowanceTooLow() public {
        vm.startPrank(requester);
        token.approve(address(jobs), BUDGET - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(jobs), BUDGET - 1, BUDGET)
        );
        jobs.deposit(JOB, BUDGET, TIMEOUT);
        vm.stopPrank();
        assertEq(jobs.job(JOB).requester, address(0));
    }

    // ------------------------------------------------------------ settling

    function test_SettlePaysProviderFeeAndRefundsRest() public {
        _deposit(JOB, BUDGET);
        uint256 amount = 60e18;
        uint256 fee = _fee(amount);
        vm.expectEmit(address(jobs));
        emit JobSettled(JOB, requester, provider, amount, fee, BUDGET - amount);
        vm.prank(operator);
        jobs.settle(JOB, provider, amount);

        assertEq(token.balanceOf(provider), amount - fee);
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(requester), FUNDS - amount);
        assertEq(token.balanceOf(address(jobs)), 0);
        assertEq(uint8(jobs.job(JOB).status), uint8(JobEscrow.Status.Settled));
        assertEq(jobs.outstanding(JOB), 0);
    }

    function test_SettleWholeBudget() public {
        _deposit(JOB, BUDGET);
        vm.prank(operator);
        jobs.settle(JOB, provider, BUDGET);
        assertEq(token.balanceOf(provider), BUDGET - _fee(BUDGET));
        assertEq(token.balanceOf(treasury), _fee(BUDGET));
        assertEq(token.balanceOf(requester), FUNDS - BUDGET);
        assertEq(token.balanceOf(address(jobs)), 0);
    }

    function test_SettleAfterDeadlineBeforeReclaim() public {
        _deposit(JOB, BUDGET);
        vm.warp(block.timestamp + TIMEOUT + 1 days);
        vm.prank(operator);
        jobs.settle(JOB, provider, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Settled));
        vm.prank(requester);
        jobs.reclaim(JOB);
    }

    function test_RevertWhen_SettleTwice() public {
        _deposit(JOB, BUDGET);
        vm.startPrank(operator);
        jobs.settle(JOB, provider, 10e18);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Settled));
        jobs.settle(JOB, provider, 10e18);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Settled));
        jobs.refund(JOB);
        vm.stopPrank();
        assertEq(token.balanceOf(provider), 10e18 - _fee(10e18));
    }

    function test_RevertWhen_SettleUnknownJob() public {
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, 99, JobEscrow.Status.None));
        vm.prank(operator);
        jobs.settle(99, provider, 1);
    }

    function test_RevertWhen_SettleAboveBudget() public {
        _deposit(JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.AmountExceedsBudget.selector, JOB, BUDGET + 1, BUDGET));
        vm.prank(operator);
        jobs.settle(JOB, provider, BUDGET + 1);
    }

    function test_RevertWhen_SettleToZeroOrEscrow() public {
        _deposit(JOB, BUDGET);
        vm.startPrank(operator);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(0)));
        jobs.settle(JOB, address(0), 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(jobs)));
        jobs.settle(JOB, address(jobs), 1);
        vm.stopPrank();
    }

    function test_RevertWhen_SettleByStranger() public {
        _deposit(JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, requester));
        vm.prank(requester);
        jobs.settle(JOB, requester, BUDGET);
    }

    // ------------------------------------------------------------ refunds

    function test_Refund() public {
        _deposit(JOB, BUDGET);
        vm.expectEmit(address(jobs));
        emit JobRefunded(JOB, requester, BUDGET);
        vm.prank(operator);
        jobs.refund(JOB);
        assertEq(token.balanceOf(requester), FUNDS);
        assertEq(token.balanceOf(address(jobs)), 0);
        assertEq(uint8(jobs.job(JOB).status), uint8(JobEscrow.Status.Refunded));
        assertEq(jobs.outstanding(JOB), 0);
    }

    function test_RevertWhen_RefundTwiceOrThenSettle() public {
        _deposit(JOB, BUDGET);
        vm.startPrank(operator);
        jobs.refund(JOB);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Refunded));
        jobs.refund(JOB);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Refunded));
        jobs.settle(JOB, provider, 1);
        vm.stopPrank();
        assertEq(token.balanceOf(requester), FUNDS);
    }

    function test_RevertWhen_RefundByStranger() public {
        _deposit(JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, stranger));
        vm.prank(stranger);
        jobs.refund(JOB);
    }

    // ------------------------------------------------------------ safety valve

    function test_ReclaimAfterDeadline() public {
        _deposit(JOB, BUDGET);
        uint256 deadline = block.timestamp + TIMEOUT;
        vm.warp(deadline - 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.TooEarly.selector, JOB, deadline));
        vm.prank(requester);
        jobs.reclaim(JOB);

        vm.warp(deadline);
        vm.expectEmit(address(jobs));
        emit JobReclaimed(JOB, requester, BUDGET);
        vm.prank(requester);
        jobs.reclaim(JOB);
        assertEq(token.balanceOf(requester), FUNDS);
        assertEq(token.balanceOf(address(jobs)), 0);
        assertEq(uint8(jobs.job(JOB).status), uint8(JobEscrow.Status.Reclaimed));

        // once reclaimed, the operator can no longer settle, and the requester not reclaim again
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Reclaimed));
        vm.prank(operator);
        jobs.settle(JOB, provider, 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Reclaimed));
        vm.prank(requester);
        jobs.reclaim(JOB);
    }

    function test_RevertWhen_ReclaimByStranger() public {
        _deposit(JOB, BUDGET);
        vm.warp(block.timestamp + TIMEOUT);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotRequester.selector, JOB, stranger));
        vm.prank(stranger);
        jobs.reclaim(JOB);
    }

    // ------------------------------------------------------------ admin

    function test_Constructor() public {
        vm.expectEmit();
        emit OperatorChanged(address(0), operator);
        vm.expectEmit();
        emit TreasuryChanged(address(0), treasury);
        vm.expectEmit();
        emit FeeChanged(0, FEE_BPS);
        JobEscrow e = new JobEscrow(token, operator, treasury, FEE_BPS, admin);
        assertEq(address(e.token()), address(token));
        assertEq(e.operator(), operator);
        assertEq(e.treasury(), treasury);
        assertEq(e.feeBps(), FEE_BPS);
        assertEq(e.owner(), admin);
    }

    function test_RevertWhen_ConstructorInvalid() public {
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(0)));
        new JobEscrow(IERC20(address(0)), operator, treasury, FEE_BPS, admin);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(0)));
        new JobEscrow(token, address(0), treasury, FEE_BPS, admin);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(0)));
        new JobEscrow(token, operator, address(0), FEE_BPS, admin);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.FeeTooHigh.selector, 1_001, 1_000));
        new JobEscrow(token, operator, treasury, 1_001, admin);
    }

    function test_SetFeeTreasuryOperator() public {
        address newTreasury = makeAddr("newTreasury");
        address newOperator = makeAddr("newOperator");
        vm.startPrank(admin);
        vm.expectEmit(address(jobs));
        emit FeeChanged(FEE_BPS, 1_000);
        jobs.setFee(1_000);
        vm.expectEmit(address(jobs));
        emit TreasuryChanged(treasury, newTreasury);
        jobs.setTreasury(newTreasury);
        vm.expectEmit(address(jobs));
        emit OperatorChanged(operator, newOperator);
        jobs.setOperator(newOperator);
        vm.stopPrank();

        _deposit(JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, operator));
        vm.prank(operator);
        jobs.settle(JOB, provider, BUDGET);
        vm.prank(newOperator);
        jobs.settle(JOB, provider, BUDGET);
        assertEq(token.balanceOf(newTreasury), BUDGET / 10);
        assertEq(token.balanceOf(provider), BUDGET - BUDGET / 10);
        assertEq(token.balanceOf(treasury), 0);
    }

    function test_ZeroFeeSkipsTreasury() public {
        vm.prank(admin);
        jobs.setFee(0);
        _deposit(JOB, BUDGET);
        vm.prank(operator);
        jobs.settle(JOB, provider, 40e18);
        assertEq(token.balanceOf(provider), 40e18);
        assertEq(token.balanceOf(treasury), 0);
        assertEq(token.balanceOf(requester), FUNDS - 40e18);
    }

    function test_RevertWhen_AdminCalledByStranger() public {
        vm.startPrank(operator);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, operator));
        jobs.setFee(0);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, operator));
        jobs.setTreasury(operator);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, operator));
        jobs.setOperator(stranger);
        vm.stopPrank();
    }

    function test_RevertWhen_AdminValuesInvalid() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.FeeTooHigh.selector, 1_001, 1_000));
        jobs.setFee(1_001);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(0)));
        jobs.setTreasury(address(0));
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(jobs)));
        jobs.setTreasury(address(jobs));
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(0)));
        jobs.setOperator(address(0));
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(jobs)));
        jobs.setOperator(address(jobs));
        vm.stopPrank();
    }

    // ------------------------------------------------------------ fuzz

    /// Any budget, price and fee: provider + treasury + requester's refund is the budget exactly,
    /// and nothing stays in the escrow.
    function testFuzz_SettleSplitsExactly(uint96 budget, uint96 amount, uint16 feeBps) public {
        budget = uint96(bound(budget, 1, 1_000_000e18));
        amount = uint96(bound(amount, 0, budget));
        feeBps = uint16(bound(feeBps, 0, jobs.MAX_FEE_BPS()));
        vm.prank(admin);
        jobs.setFee(feeBps);
        _deposit(JOB, budget);

        vm.prank(operator);
        jobs.settle(JOB, provider, amount);

        uint256 fee = uint256(amount) * feeBps / 10_000;
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(provider), amount - fee);
        assertEq(FUNDS - token.balanceOf(requester), amount);
        assertEq(token.balanceOf(address(jobs)), 0);
    }

    /// Any budget and timeout: the requester gets exactly the budget back at the deadline, not before.
    function testFuzz_ReclaimAtDeadline(uint96 budget, uint256 timeout) public {
        budget = uint96(bound(budget, 1, 1_000_000e18));
        timeout = bound(timeout, jobs.MIN_TIMEOUT(), jobs.MAX_TIMEOUT());
        vm.startPrank(requester);
        token.approve(address(jobs), budget);
        jobs.deposit(JOB, budget, timeout);
        vm.warp(block.timestamp + timeout - 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.TooEarly.selector, JOB, block.timestamp + 1));
        jobs.reclaim(JOB);
        vm.warp(block.timestamp + 1);
        jobs.reclaim(JOB);
        vm.stopPrank();
        assertEq(token.balanceOf(requester), FUNDS);
        assertEq(token.balanceOf(address(jobs)), 0);
    }
}
