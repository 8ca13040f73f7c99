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
    address internal operator; // the escrows' operator (Fixture's escrowOperator)
    address internal provider = makeAddr("provider");
    address internal stranger = makeAddr("stranger");

    uint256 internal constant JOB = 7;
    uint256 internal constant BUDGET = 100e18;
    uint256 internal constant TIMEOUT = 2 days;
    uint256 internal constant FUNDS = 1_000_000e18;
    uint256 internal constant MAX_ID = uint256(uint64(type(int64).max));

    event JobAssigned(uint256 indexed jobId, address indexed requester, address indexed provider);
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
    event JobReleased(
        uint256 indexed jobId,
        address indexed requester,
        uint256 indexed partId,
        address provider,
        uint256 amount,
        uint256 fee,
        uint256 remaining
    );
    event JobReclaimed(uint256 indexed jobId, address indexed requester, uint256 amount);
    event FeeChanged(uint256 oldFeeBps, uint256 newFeeBps);
    event TreasuryChanged(address indexed oldTreasury, address indexed newTreasury);
    event OperatorChanged(address indexed oldOperator, address indexed newOperator);

    function setUp() public {
        vm.warp(1_900_000_000);
        deployAll();
        deployEscrows();
        operator = escrowOperator;
        (requester, requesterKey) = makeAddrAndKey("requester");
        fund(requester, FUNDS);
    }

    function _deposit(uint256 jobId, uint256 amount) internal {
        vm.startPrank(requester);
        token.approve(address(jobs), amount);
        jobs.deposit(jobId, amount, TIMEOUT);
        vm.stopPrank();
    }

    function _assign(uint256 jobId, address to) internal {
        vm.prank(operator);
        jobs.assign(requester, jobId, to);
    }

    /// Deposits `amount` under `jobId` and assigns the provider.
    function _depositAssigned(uint256 jobId, uint256 amount) internal {
        _deposit(jobId, amount);
        _assign(jobId, provider);
    }

    function _status(address who, uint256 jobId) internal view returns (uint8) {
        return uint8(jobs.job(who, jobId).status);
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

        JobEscrow.Job memory j = jobs.job(requester, JOB);
        assertEq(j.budget, BUDGET);
        assertEq(j.deadline, block.timestamp + TIMEOUT);
        assertEq(uint8(j.status), uint8(JobEscrow.Status.Funded));
        assertEq(j.provider, address(0));
        assertEq(jobs.outstanding(requester, JOB), BUDGET);
        assertEq(token.balanceOf(address(jobs)), BUDGET);
        assertEq(token.balanceOf(requester), FUNDS - BUDGET);
        // the record is the requester's: nobody else has one under this id
        assertEq(_status(stranger, JOB), uint8(JobEscrow.Status.None));
        assertEq(jobs.outstanding(stranger, JOB), 0);
    }

    function test_DepositWithPermit() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(requesterKey, address(jobs), BUDGET, deadline);
        vm.prank(requester);
        jobs.depositWithPermit(JOB, BUDGET, TIMEOUT, deadline, v, r, s);
        assertEq(token.balanceOf(address(jobs)), BUDGET);
        assertEq(token.allowance(requester, address(jobs)), 0);
        assertEq(token.nonces(requester), 1);
        assertEq(jobs.job(requester, JOB).budget, BUDGET);
        assertEq(_status(requester, JOB), uint8(JobEscrow.Status.Funded));
    }

    function test_DepositWithPermitFrontRunStillDeposits() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(requesterKey, address(jobs), BUDGET, deadline);
        vm.prank(stranger);
        token.permit(requester, address(jobs), BUDGET, deadline, v, r, s);
        vm.prank(requester);
        jobs.depositWithPermit(JOB, BUDGET, TIMEOUT, deadline, v, r, s);
        assertEq(token.balanceOf(address(jobs)), BUDGET);
        assertEq(jobs.outstanding(requester, JOB), BUDGET);
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
        jobs.refund(requester, JOB);
        _expectRevertDeposit(abi.encodeWithSelector(JobEscrow.JobExists.selector, JOB), JOB, BUDGET, TIMEOUT);
    }

    function test_RevertWhen_IdOutOfRange() public {
        _expectRevertDeposit(abi.encodeWithSelector(JobEscrow.IdOutOfRange.selector, 0), 0, BUDGET, TIMEOUT);
        _expectRevertDeposit(
            abi.encodeWithSelector(JobEscrow.IdOutOfRange.selector, MAX_ID + 1), MAX_ID + 1, BUDGET, TIMEOUT
        );
        _expectRevertDeposit(
            abi.encodeWithSelector(JobEscrow.IdOutOfRange.selector, type(uint256).max),
            type(uint256).max,
            BUDGET,
            TIMEOUT
        );
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(requesterKey, address(jobs), BUDGET, deadline);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.IdOutOfRange.selector, 0));
        vm.prank(requester);
        jobs.depositWithPermit(0, BUDGET, TIMEOUT, deadline, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.IdOutOfRange.selector, MAX_ID + 1));
        vm.prank(requester);
        jobs.depositWithPermit(MAX_ID + 1, BUDGET, TIMEOUT, deadline, v, r, s);
        assertEq(token.balanceOf(address(jobs)), 0);

        // both bounds are allowed: 1 and type(int64).max (Long.MAX_VALUE)
        assertEq(jobs.MAX_ID(), uint256(int256(type(int64).max)));
        vm.startPrank(requester);
        token.approve(address(jobs), 2 * BUDGET);
        jobs.deposit(1, BUDGET, TIMEOUT);
        jobs.deposit(MAX_ID, BUDGET, TIMEOUT);
        vm.stopPrank();
        assertEq(jobs.outstanding(requester, 1), BUDGET);
        assertEq(jobs.outstanding(requester, MAX_ID), BUDGET);
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
        assertEq(jobs.job(requester, 1).deadline, block.timestamp + min);
        assertEq(jobs.job(requester, 2).deadline, block.timestamp + max);
    }

    function test_RevertWhen_AllowanceTooLow() public {
        vm.startPrank(requester);
        token.approve(address(jobs), BUDGET - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(jobs), BUDGET - 1, BUDGET)
        );
        jobs.deposit(JOB, BUDGET, TIMEOUT);
        vm.stopPrank();
        assertEq(_status(requester, JOB), uint8(JobEscrow.Status.None));
    }

    // ------------------------------------------------------------ assigning

    function test_Assign() public {
        _deposit(JOB, BUDGET);
        vm.expectEmit(address(jobs));
        emit JobAssigned(JOB, requester, provider);
        vm.prank(operator);
        jobs.assign(requester, JOB, provider);
        JobEscrow.Job memory j = jobs.job(requester, JOB);
        assertEq(j.provider, provider);
        assertEq(j.budget, BUDGET);
        assertEq(j.deadline, block.timestamp + TIMEOUT);
        assertEq(uint8(j.status), uint8(JobEscrow.Status.Funded));
        assertEq(jobs.outstanding(requester, JOB), BUDGET);
        assertEq(token.balanceOf(address(jobs)), BUDGET);
    }

    function test_ReassignWhileFunded() public {
        address second = makeAddr("second provider");
        _depositAssigned(JOB, BUDGET);
        // the lease expired; another provider takes the job
        vm.expectEmit(address(jobs));
        emit JobAssigned(JOB, requester, second);
        vm.prank(operator);
        jobs.assign(requester, JOB, second);
        assertEq(jobs.job(requester, JOB).provider, second);
        // and the same provider again is harmless
        _assign(JOB, second);
        assertEq(jobs.job(requester, JOB).provider, second);
    }

    function test_RevertWhen_AssignAfterClose() public {
        // settled
        _depositAssigned(1, BUDGET);
        vm.prank(operator);
        jobs.settle(requester, 1, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, 1, JobEscrow.Status.Settled));
        _assign(1, stranger);
        // refunded
        _deposit(2, BUDGET);
        vm.prank(operator);
        jobs.refund(requester, 2);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, 2, JobEscrow.Status.Refunded));
        _assign(2, provider);
        // reclaimed
        _depositAssigned(3, BUDGET);
        vm.warp(block.timestamp + TIMEOUT);
        vm.prank(requester);
        jobs.reclaim(3);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, 3, JobEscrow.Status.Reclaimed));
        _assign(3, stranger);
        assertEq(jobs.job(requester, 1).provider, provider);
        assertEq(jobs.job(requester, 2).provider, address(0));
        assertEq(jobs.job(requester, 3).provider, provider);
    }

    function test_RevertWhen_AssignUnknownJob() public {
        _deposit(JOB, BUDGET);
        vm.startPrank(operator);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, 99, JobEscrow.Status.None));
        jobs.assign(requester, 99, provider);
        // another requester has no job under this id
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.None));
        jobs.assign(stranger, JOB, provider);
        vm.stopPrank();
    }

    function test_RevertWhen_AssignToZeroEscrowOrRequester() public {
        _deposit(JOB, BUDGET);
        vm.startPrank(operator);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(0)));
        jobs.assign(requester, JOB, address(0));
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(jobs)));
        jobs.assign(requester, JOB, address(jobs));
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, requester));
        jobs.assign(requester, JOB, requester);
        vm.stopPrank();
        assertEq(jobs.job(requester, JOB).provider, address(0));
    }

    function test_RevertWhen_AssignByStranger() public {
        _deposit(JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, stranger));
        vm.prank(stranger);
        jobs.assign(requester, JOB, stranger);
        // not the requester either, nor the registry's minter
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, requester));
        vm.prank(requester);
        jobs.assign(requester, JOB, provider);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, minter));
        vm.prank(minter);
        jobs.assign(requester, JOB, provider);
        assertEq(jobs.job(requester, JOB).provider, address(0));
    }

    // ------------------------------------------------------------ settling

    function test_SettlePaysProviderFeeAndRefundsRest() public {
        _depositAssigned(JOB, BUDGET);
        uint256 amount = 60e18;
        uint256 fee = _fee(amount);
        vm.expectEmit(address(jobs));
        emit JobSettled(JOB, requester, provider, amount, fee, BUDGET - amount);
        vm.prank(operator);
        jobs.settle(requester, JOB, amount);

        assertEq(token.balanceOf(provider), amount - fee);
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(requester), FUNDS - amount);
        assertEq(token.balanceOf(address(jobs)), 0);
        assertEq(_status(requester, JOB), uint8(JobEscrow.Status.Settled));
        assertEq(jobs.outstanding(requester, JOB), 0);
    }

    function test_SettlePaysOnlyTheAssignedProvider() public {
        address first = makeAddr("first provider");
        _deposit(JOB, BUDGET);
        _assign(JOB, first);
        _assign(JOB, provider); // re-leased: the last assignment counts
        vm.expectEmit(address(jobs));
        emit JobSettled(JOB, requester, provider, BUDGET, _fee(BUDGET), 0);
        vm.prank(operator);
        jobs.settle(requester, JOB, BUDGET);
        assertEq(token.balanceOf(provider), BUDGET - _fee(BUDGET));
        assertEq(token.balanceOf(first), 0);
        assertEq(token.balanceOf(operator), 0);
    }

    function test_RevertWhen_SettleNotAssigned() public {
        _deposit(JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotAssigned.selector, JOB));
        vm.prank(operator);
        jobs.settle(requester, JOB, BUDGET);
        assertEq(jobs.outstanding(requester, JOB), BUDGET);
        assertEq(token.balanceOf(address(jobs)), BUDGET);
    }

    function test_SettleWholeBudget() public {
        _depositAssigned(JOB, BUDGET);
        vm.prank(operator);
        jobs.settle(requester, JOB, BUDGET);
        assertEq(token.balanceOf(provider), BUDGET - _fee(BUDGET));
        assertEq(token.balanceOf(treasury), _fee(BUDGET));
        assertEq(token.balanceOf(requester), FUNDS - BUDGET);
        assertEq(token.balanceOf(address(jobs)), 0);
    }

    function test_SettleAfterDeadlineBeforeReclaim() public {
        _depositAssigned(JOB, BUDGET);
        vm.warp(block.timestamp + TIMEOUT + 1 days);
        vm.prank(operator);
        jobs.settle(requester, JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Settled));
        vm.prank(requester);
        jobs.reclaim(JOB);
    }

    function test_RevertWhen_SettleTwice() public {
        _depositAssigned(JOB, BUDGET);
        vm.startPrank(operator);
        jobs.settle(requester, JOB, 10e18);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Settled));
        jobs.settle(requester, JOB, 10e18);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Settled));
        jobs.refund(requester, JOB);
        vm.stopPrank();
        assertEq(token.balanceOf(provider), 10e18 - _fee(10e18));
    }

    function test_RevertWhen_SettleUnknownJob() public {
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, 99, JobEscrow.Status.None));
        vm.prank(operator);
        jobs.settle(requester, 99, 1);
        // the id of a job, under another requester: nothing there
        _depositAssigned(JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.None));
        vm.prank(operator);
        jobs.settle(stranger, JOB, 1);
        assertEq(jobs.outstanding(requester, JOB), BUDGET);
    }

    function test_RevertWhen_SettleAboveBudget() public {
        _depositAssigned(JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.AmountExceedsBudget.selector, JOB, BUDGET + 1, BUDGET));
        vm.prank(operator);
        jobs.settle(requester, JOB, BUDGET + 1);
    }

    function test_RevertWhen_SettleByStranger() public {
        _depositAssigned(JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, requester));
        vm.prank(requester);
        jobs.settle(requester, JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, provider));
        vm.prank(provider);
        jobs.settle(requester, JOB, BUDGET);
    }

    // ------------------------------------------------------------ parts (a sweep's trials share one deposit)

    function test_ReleasePaysEachPartThenRefundReturnsTheRest() public {
        address second = makeAddr("second provider");
        _deposit(JOB, BUDGET);
        vm.expectEmit(address(jobs));
        emit JobReleased(JOB, requester, 11, provider, 30e18, _fee(30e18), BUDGET - 30e18);
        vm.prank(operator);
        jobs.release(requester, JOB, 11, provider, 30e18);
        vm.prank(operator);
        jobs.release(requester, JOB, 12, second, 25e18);

        assertEq(token.balanceOf(provider), 30e18 - _fee(30e18));
        assertEq(token.balanceOf(second), 25e18 - _fee(25e18));
        assertEq(token.balanceOf(treasury), _fee(30e18) + _fee(25e18));
        assertTrue(jobs.released(requester, JOB, 11) && jobs.released(requester, JOB, 12));
        assertFalse(jobs.released(requester, JOB, 13));
        assertEq(_status(requester, JOB), uint8(JobEscrow.Status.Funded));
        assertEq(jobs.outstanding(requester, JOB), BUDGET - 55e18);
        assertEq(token.balanceOf(address(jobs)), BUDGET - 55e18);

        vm.expectEmit(address(jobs));
        emit JobRefunded(JOB, requester, BUDGET - 55e18);
        vm.prank(operator);
        jobs.refund(requester, JOB);
        assertEq(token.balanceOf(requester), FUNDS - 55e18);
        assertEq(token.balanceOf(address(jobs)), 0);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Refunded));
        vm.prank(operator);
        jobs.release(requester, JOB, 13, provider, 1);
    }

    function test_RevertWhen_PartReleasedTwiceOrAboveTheRest() public {
        _deposit(JOB, BUDGET);
        vm.startPrank(operator);
        jobs.release(requester, JOB, 11, provider, 60e18);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.PartReleased.selector, JOB, 11));
        jobs.release(requester, JOB, 11, provider, 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.AmountExceedsBudget.selector, JOB, 40e18 + 1, 40e18));
        jobs.release(requester, JOB, 12, provider, 40e18 + 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.IdOutOfRange.selector, 0));
        jobs.release(requester, JOB, 0, provider, 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.IdOutOfRange.selector, MAX_ID + 1));
        jobs.release(requester, JOB, MAX_ID + 1, provider, 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, requester));
        jobs.release(requester, JOB, 12, requester, 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(0)));
        jobs.release(requester, JOB, 12, address(0), 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.InvalidAddress.selector, address(jobs)));
        jobs.release(requester, JOB, 12, address(jobs), 1);
        // the same id under another requester: nothing there to pay from
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.None));
        jobs.release(stranger, JOB, 12, provider, 1);
        vm.stopPrank();
        assertEq(token.balanceOf(provider), 60e18 - _fee(60e18));
        assertEq(jobs.outstanding(requester, JOB), 40e18);
    }

    function test_ReleaseThenSettleAndReclaimTakeOnlyTheRest() public {
        _depositAssigned(JOB, BUDGET);
        vm.prank(operator);
        jobs.release(requester, JOB, 11, provider, 30e18);
        vm.prank(operator);
        jobs.settle(requester, JOB, 20e18);
        assertEq(token.balanceOf(requester), FUNDS - 50e18);
        assertEq(token.balanceOf(address(jobs)), 0);

        _deposit(JOB + 1, BUDGET);
        vm.prank(operator);
        jobs.release(requester, JOB + 1, 11, provider, 30e18);
        vm.warp(block.timestamp + TIMEOUT);
        vm.prank(requester);
        jobs.reclaim(JOB + 1);
        assertEq(token.balanceOf(requester), FUNDS - 50e18 - 30e18);
        assertEq(token.balanceOf(address(jobs)), 0);
    }

    /// A hostile caller (neither the operator nor the requester) can neither take part of the budget
    /// nor block it: its calls revert, its own deposit under the same ids is another record, and the
    /// operator still pays every part and refunds the rest.
    function testFuzz_HostileCallerCannotReleaseNorBlock(address hostile, uint256 partId, uint96 amount) public {
        vm.assume(hostile != operator && hostile != requester && hostile != address(0) && hostile != address(jobs));
        vm.assume(hostile != provider && hostile != treasury);
        partId = bound(partId, 1, MAX_ID);
        amount = uint96(bound(amount, 1, BUDGET));
        _deposit(JOB, BUDGET);

        vm.startPrank(hostile);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, hostile));
        jobs.release(requester, JOB, partId, hostile, amount);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, hostile));
        jobs.refund(requester, JOB);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.None));
        jobs.reclaim(JOB);
        vm.stopPrank();
        // the requester cannot pay a part to itself or anyone either
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, requester));
        vm.prank(requester);
        jobs.release(requester, JOB, partId, provider, amount);

        // a deposit of the hostile caller's own under the same id changes nothing for the requester's
        fund(hostile, BUDGET);
        vm.startPrank(hostile);
        token.approve(address(jobs), BUDGET);
        jobs.deposit(JOB, BUDGET, TIMEOUT);
        vm.stopPrank();

        vm.prank(operator);
        jobs.release(requester, JOB, partId, provider, amount);
        vm.prank(operator);
        jobs.refund(requester, JOB);
        assertEq(token.balanceOf(provider), amount - _fee(amount));
        assertEq(token.balanceOf(requester), FUNDS - amount);
        assertEq(jobs.outstanding(hostile, JOB), BUDGET);
        assertFalse(jobs.released(hostile, JOB, partId));
    }

    // ------------------------------------------------------------ refunds

    function test_Refund() public {
        _depositAssigned(JOB, BUDGET);
        vm.expectEmit(address(jobs));
        emit JobRefunded(JOB, requester, BUDGET);
        vm.prank(operator);
        jobs.refund(requester, JOB);
        assertEq(token.balanceOf(requester), FUNDS);
        assertEq(token.balanceOf(provider), 0);
        assertEq(token.balanceOf(address(jobs)), 0);
        assertEq(_status(requester, JOB), uint8(JobEscrow.Status.Refunded));
        assertEq(jobs.outstanding(requester, JOB), 0);
    }

    function test_RevertWhen_RefundTwiceOrThenSettle() public {
        _depositAssigned(JOB, BUDGET);
        vm.startPrank(operator);
        jobs.refund(requester, JOB);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Refunded));
        jobs.refund(requester, JOB);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Refunded));
        jobs.settle(requester, JOB, 1);
        vm.stopPrank();
        assertEq(token.balanceOf(requester), FUNDS);
    }

    function test_RevertWhen_RefundByStranger() public {
        _deposit(JOB, BUDGET);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, stranger));
        vm.prank(stranger);
        jobs.refund(requester, JOB);
    }

    // ------------------------------------------------------------ safety valve

    function test_ReclaimAfterDeadline() public {
        _depositAssigned(JOB, BUDGET);
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
        assertEq(_status(requester, JOB), uint8(JobEscrow.Status.Reclaimed));

        // once reclaimed, the operator can no longer settle, and the requester not reclaim again
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Reclaimed));
        vm.prank(operator);
        jobs.settle(requester, JOB, 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.Reclaimed));
        vm.prank(requester);
        jobs.reclaim(JOB);
    }

    function test_RevertWhen_ReclaimByStranger() public {
        _deposit(JOB, BUDGET);
        vm.warp(block.timestamp + TIMEOUT);
        // the stranger's reclaim looks at the stranger's own (empty) record under this id
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.WrongStatus.selector, JOB, JobEscrow.Status.None));
        vm.prank(stranger);
        jobs.reclaim(JOB);
        assertEq(jobs.outstanding(requester, JOB), BUDGET);
        assertEq(token.balanceOf(stranger), 0);
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
        jobs.assign(requester, JOB, provider);
        vm.prank(newOperator);
        jobs.assign(requester, JOB, provider);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, operator));
        vm.prank(operator);
        jobs.settle(requester, JOB, BUDGET);
        vm.prank(newOperator);
        jobs.settle(requester, JOB, BUDGET);
        assertEq(token.balanceOf(newTreasury), BUDGET / 10);
        assertEq(token.balanceOf(provider), BUDGET - BUDGET / 10);
        assertEq(token.balanceOf(treasury), 0);
    }

    function test_ZeroFeeSkipsTreasury() public {
        vm.prank(admin);
        jobs.setFee(0);
        _depositAssigned(JOB, BUDGET);
        vm.prank(operator);
        jobs.settle(requester, JOB, 40e18);
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
        _depositAssigned(JOB, budget);

        vm.prank(operator);
        jobs.settle(requester, JOB, amount);

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

    /// Every id above type(int64).max is refused, with and without permit.
    function testFuzz_RevertWhen_IdAboveInt64Max(uint256 jobId) public {
        jobId = bound(jobId, MAX_ID + 1, type(uint256).max);
        _expectRevertDeposit(abi.encodeWithSelector(JobEscrow.IdOutOfRange.selector, jobId), jobId, BUDGET, TIMEOUT);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(requesterKey, address(jobs), BUDGET, deadline);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.IdOutOfRange.selector, jobId));
        vm.prank(requester);
        jobs.depositWithPermit(jobId, BUDGET, TIMEOUT, deadline, v, r, s);
        assertEq(token.balanceOf(address(jobs)), 0);
        assertEq(token.balanceOf(requester), FUNDS);
    }

    struct Squat {
        uint256 jobId;
        uint96 amount;
        uint96 strangerAmount;
        uint256 timeout;
        uint256 strangerTimeout;
        address intruder;
        uint256 start;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// A stranger cannot occupy my id: whoever deposits first under my job id (directly, or
    /// front-running my permit call by submitting my permit first), my own deposit still goes
    /// through, my record is exactly what I deposited, the operator settles it as usual, and the
    /// stranger can only take the stranger's own money back, after the stranger's own timeout.
    function testFuzz_StrangerCannotOccupyMyId(
        uint256 jobId,
        uint96 amount,
        uint96 strangerAmount,
        uint256 timeout,
        uint256 strangerTimeout,
        address intruder,
        bool viaPermit,
        uint96 price
    ) public {
        assumeNotForgeAddress(intruder);
        assumeStranger(intruder);
        vm.assume(intruder != requester && intruder != provider);
        Squat memory t;
        t.jobId = bound(jobId, 1, MAX_ID);
        t.amount = uint96(bound(amount, 1, FUNDS));
        t.strangerAmount = uint96(bound(strangerAmount, 1, 1_000_000e18));
        t.timeout = bound(timeout, jobs.MIN_TIMEOUT(), jobs.MAX_TIMEOUT());
        t.strangerTimeout = bound(strangerTimeout, jobs.MIN_TIMEOUT(), jobs.MAX_TIMEOUT());
        t.intruder = intruder;
        t.start = block.timestamp;
        price = uint96(bound(price, 0, t.amount));
        fund(intruder, t.strangerAmount);

        // the victim signs a permit (submitted later, or not at all without permit)
        t.deadline = block.timestamp + 1 hours;
        (t.v, t.r, t.s) = signPermit(requesterKey, address(jobs), t.amount, t.deadline);

        // the intruder goes first, under the victim's id
        _intruderDepositsFirst(t, viaPermit);

        // the victim's own deposit goes through
        vm.startPrank(requester);
        if (viaPermit) {
            jobs.depositWithPermit(t.jobId, t.amount, t.timeout, t.deadline, t.v, t.r, t.s);
        } else {
            token.approve(address(jobs), t.amount);
            jobs.deposit(t.jobId, t.amount, t.timeout);
        }
        vm.stopPrank();
        JobEscrow.Job memory mine = jobs.job(requester, t.jobId);
        assertEq(mine.budget, t.amount);
        assertEq(mine.deadline, t.start + t.timeout);
        assertEq(uint8(mine.status), uint8(JobEscrow.Status.Funded));
        assertEq(mine.provider, address(0));
        JobEscrow.Job memory theirs = jobs.job(intruder, t.jobId);
        assertEq(theirs.budget, t.strangerAmount);
        assertEq(theirs.deadline, t.start + t.strangerTimeout);
        assertEq(uint8(theirs.status), uint8(JobEscrow.Status.Funded));
        assertEq(token.balanceOf(address(jobs)), uint256(t.amount) + t.strangerAmount);
        assertEq(token.balanceOf(requester), FUNDS - t.amount);

        // the intruder can neither assign nor refund my record, nor deposit under the id again
        vm.startPrank(intruder);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, intruder));
        jobs.assign(requester, t.jobId, intruder);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.NotOperator.selector, intruder));
        jobs.refund(requester, t.jobId);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.JobExists.selector, t.jobId));
        jobs.deposit(t.jobId, 1, t.strangerTimeout);
        vm.stopPrank();
        assertEq(abi.encode(jobs.job(requester, t.jobId)), abi.encode(mine));

        // the operator settles mine; the intruder's record is untouched
        vm.startPrank(operator);
        jobs.assign(requester, t.jobId, provider);
        jobs.settle(requester, t.jobId, price);
        vm.stopPrank();
        uint256 fee = uint256(price) * FEE_BPS / 10_000;
        assertEq(token.balanceOf(provider), price - fee);
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(requester), FUNDS - price);
        assertEq(abi.encode(jobs.job(intruder, t.jobId)), abi.encode(theirs));
        assertEq(jobs.outstanding(intruder, t.jobId), t.strangerAmount);

        // the intruder gets exactly its own money back, not before its own deadline
        vm.warp(t.start + t.strangerTimeout - 1);
        vm.expectRevert(abi.encodeWithSelector(JobEscrow.TooEarly.selector, t.jobId, t.start + t.strangerTimeout));
        vm.prank(intruder);
        jobs.reclaim(t.jobId);
        vm.warp(t.start + t.strangerTimeout);
        vm.prank(intruder);
        jobs.reclaim(t.jobId);
        assertEq(token.balanceOf(intruder), t.strangerAmount);
        assertEq(token.balanceOf(address(jobs)), 0);
        assertEq(token.balanceOf(requester), FUNDS - price);
        assertEq(_status(requester, t.jobId), uint8(JobEscrow.Status.Settled));
    }

    /// The intruder deposits its own budget under the victim's id; with `viaPermit`, it first
    /// submits the victim's permit to the token (burning it) and then calls depositWithPermit
    /// with the victim's signature (ignored: it is not the intruder's).
    function _intruderDepositsFirst(Squat memory t, bool viaPermit) internal {
        vm.startPrank(t.intruder);
        token.approve(address(jobs), t.strangerAmount);
        if (viaPermit) {
            token.permit(requester, address(jobs), t.amount, t.deadline, t.v, t.r, t.s);
            jobs.depositWithPermit(t.jobId, t.strangerAmount, t.strangerTimeout, t.deadline, t.v, t.r, t.s);
        } else {
            jobs.deposit(t.jobId, t.strangerAmount, t.strangerTimeout);
        }
        vm.stopPrank();
        assertEq(token.balanceOf(t.intruder), 0);
    }
}
