// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {CompetitionEscrow} from "../src/CompetitionEscrow.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract CompetitionEscrowTest is Fixture {
    address internal host;
    uint256 internal hostKey;
    address internal operator; // the plaza operator (Fixture's minter)
    address internal stranger = makeAddr("stranger");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");

    uint256 internal constant ID = 42;
    uint256 internal constant POOL = 1_000e18 + 9; // 50/30/20: 500e18 + 4, 300e18 + 2, 200e18 + 1 and 2 wei of dust
    uint256 internal constant HOST_FUNDS = 1_000_000e18;
    uint64 internal start;
    uint64 internal end;

    event CompetitionFunded(
        uint256 indexed id, address indexed host, uint256 pool, uint64 startTime, uint64 endTime, uint16[] splitBps
    );
    event PoolIncreased(uint256 indexed id, address indexed host, uint256 amount, uint256 pool);
    event CompetitionCancelled(uint256 indexed id, address indexed host, uint256 refunded);
    event CompetitionFinalized(uint256 indexed id, uint256 finalizedAt, uint256 paid, uint256 held);
    event PrizePaid(uint256 indexed id, uint256 indexed place, address indexed winner, uint256 amount);
    event PrizeHeld(uint256 indexed id, uint256 indexed place, uint256 amount);
    event PoolReclaimed(uint256 indexed id, address indexed host, uint256 amount);
    event HeldPrizesReclaimed(uint256 indexed id, address indexed host, uint256 amount, uint256 placesMask);
    event OperatorChanged(address indexed oldOperator, address indexed newOperator);

    function setUp() public {
        vm.warp(1_900_000_000);
        deployAll();
        deployEscrows();
        operator = minter;
        (host, hostKey) = makeAddrAndKey("host");
        fund(host, HOST_FUNDS);
        start = uint64(block.timestamp + 1 days);
        end = start + 14 days;
    }

    // ------------------------------------------------------------ helpers

    function _split3() internal pure returns (uint16[] memory s) {
        s = new uint16[](3);
        s[0] = 5_000;
        s[1] = 3_000;
        s[2] = 2_000;
    }

    function _create(uint256 id, uint256 amount) internal {
        vm.startPrank(host);
        token.approve(address(competitions), amount);
        competitions.fund(id, start, end, _split3(), amount);
        vm.stopPrank();
    }

    function _winners(address a, address b, address c) internal pure returns (address[] memory w) {
        w = new address[](3);
        w[0] = a;
        w[1] = b;
        w[2] = c;
    }

    function _finalize(uint256 id, address[] memory w) internal {
        vm.prank(operator);
        competitions.finalize(id, w);
    }

    /// 50% / 30% / 20% of POOL, the 2 wei of dust to the first place.
    function _prizes() internal pure returns (uint256 p0, uint256 p1, uint256 p2) {
        p1 = POOL * 3_000 / 10_000;
        p2 = POOL * 2_000 / 10_000;
        p0 = POOL - p1 - p2;
    }

    function _expectRevertFund(bytes memory err, uint64 s, uint64 e, uint16[] memory split, uint256 amount) internal {
        vm.startPrank(host);
        token.approve(address(competitions), amount);
        vm.expectRevert(err);
        competitions.fund(ID, s, e, split, amount);
        vm.stopPrank();
    }

    // ------------------------------------------------------------ funding

    function test_Fund() public {
        vm.startPrank(host);
        token.approve(address(competitions), POOL);
        vm.expectEmit(address(competitions));
        emit CompetitionFunded(ID, host, POOL, start, end, _split3());
        competitions.fund(ID, start, end, _split3(), POOL);
        vm.stopPrank();

        CompetitionEscrow.Competition memory c = competitions.competition(ID);
        assertEq(c.host, host);
        assertEq(c.startTime, start);
        assertEq(c.endTime, end);
        assertEq(uint8(c.status), uint8(CompetitionEscrow.Status.Open));
        assertEq(c.places, 3);
        assertEq(c.pool, POOL);
        assertEq(c.finalizedAt, 0);
        assertEq(c.heldMask, 0);
        assertEq(abi.encode(competitions.splitOf(ID)), abi.encode(_split3()));
        assertEq(competitions.outstanding(ID), POOL);
        assertEq(token.balanceOf(address(competitions)), POOL);
        assertEq(token.balanceOf(host), HOST_FUNDS - POOL);
    }

    function test_FundWithPermit() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(hostKey, address(competitions), POOL, deadline);
        vm.prank(host);
        competitions.fundWithPermit(ID, start, end, _split3(), POOL, deadline, v, r, s);
        assertEq(token.balanceOf(address(competitions)), POOL);
        assertEq(token.allowance(host, address(competitions)), 0);
        assertEq(token.nonces(host), 1);
        assertEq(competitions.competition(ID).host, host);
    }

    function test_FundWithPermitFrontRunStillFunds() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(hostKey, address(competitions), POOL, deadline);
        vm.prank(stranger);
        token.permit(host, address(competitions), POOL, deadline, v, r, s);
        vm.prank(host);
        competitions.fundWithPermit(ID, start, end, _split3(), POOL, deadline, v, r, s);
        assertEq(token.balanceOf(address(competitions)), POOL);
    }

    function test_RevertWhen_FundWithPermitSignedByOther() public {
        (, uint256 otherKey) = makeAddrAndKey("other");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(otherKey, address(competitions), POOL, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(competitions), 0, POOL)
        );
        vm.prank(host);
        competitions.fundWithPermit(ID, start, end, _split3(), POOL, deadline, v, r, s);
    }

    function test_StartNowIsAllowedAndLocksAtOnce() public {
        start = uint64(block.timestamp);
        _create(ID, POOL);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.AlreadyStarted.selector, ID, start));
        vm.prank(host);
        competitions.cancel(ID);
    }

    function test_RevertWhen_IdUsed() public {
        _create(ID, POOL);
        _expectRevertFund(
            abi.encodeWithSelector(CompetitionEscrow.CompetitionExists.selector, ID), start, end, _split3(), POOL
        );
        // a cancelled id stays used
        vm.prank(host);
        competitions.cancel(ID);
        _expectRevertFund(
            abi.encodeWithSelector(CompetitionEscrow.CompetitionExists.selector, ID), start, end, _split3(), POOL
        );
    }

    function test_RevertWhen_StartInPast() public {
        uint64 past = uint64(block.timestamp - 1);
        _expectRevertFund(
            abi.encodeWithSelector(CompetitionEscrow.StartInPast.selector, past, block.timestamp),
            past,
            end,
            _split3(),
            POOL
        );
    }

    function test_RevertWhen_EndNotAfterStart() public {
        _expectRevertFund(
            abi.encodeWithSelector(CompetitionEscrow.InvalidEndTime.selector, start, start),
            start,
            start,
            _split3(),
            POOL
        );
    }

    function test_RevertWhen_DurationTooLong() public {
        uint64 tooLate = start + uint64(competitions.MAX_DURATION()) + 1;
        _expectRevertFund(
            abi.encodeWithSelector(CompetitionEscrow.InvalidEndTime.selector, start, tooLate),
            start,
            tooLate,
            _split3(),
            POOL
        );
        // exactly MAX_DURATION is fine
        vm.startPrank(host);
        competitions.fund(ID, start, tooLate - 1, _split3(), POOL);
        vm.stopPrank();
        assertEq(competitions.competition(ID).endTime, tooLate - 1);
    }

    function test_RevertWhen_EndBeyond40Bits() public {
        uint64 s = uint64(type(uint40).max) - 10;
        uint64 e = uint64(type(uint40).max) + 1;
        _expectRevertFund(
            abi.encodeWithSelector(CompetitionEscrow.InvalidEndTime.selector, s, e), s, e, _split3(), POOL
        );
    }

    function test_RevertWhen_NoPlaces() public {
        _expectRevertFund(
            abi.encodeWithSelector(CompetitionEscrow.InvalidPlaceCount.selector, 0, 10),
            start,
            end,
            new uint16[](0),
            POOL
        );
    }

    function test_RevertWhen_TooManyPlaces() public {
        uint16[] memory split = new uint16[](11);
        for (uint256 i = 0; i < 11; i++) {
            split[i] = i == 0 ? 1_000 : 900;
        }
        _expectRevertFund(
            abi.encodeWithSelector(CompetitionEscrow.InvalidPlaceCount.selector, 11, 10), start, end, split, POOL
        );
    }

    function test_TenPlacesAllowed() public {
        uint16[] memory split = new uint16[](10);
        for (uint256 i = 0; i < 10; i++) {
            split[i] = 1_000;
        }
        vm.startPrank(host);
        token.approve(address(competitions), POOL);
        competitions.fund(ID, start, end, split, POOL);
        vm.stopPrank();
        assertEq(competitions.competition(ID).places, 10);
        assertEq(abi.encode(competitions.splitOf(ID)), abi.encode(split));
    }

    function test_RevertWhen_ZeroSplit() public {
        uint16[] memory split = _split3();
        split[1] = 0;
        split[0] = 8_000;
        _expectRevertFund(abi.encodeWithSelector(CompetitionEscrow.ZeroSplit.selector, 1), start, end, split, POOL);
    }

    function test_RevertWhen_SplitSumWrong() public {
        uint16[] memory split = _split3();
        split[2] = 1_999;
        _expectRevertFund(
            abi.encodeWithSelector(CompetitionEscrow.SplitSumInvalid.selector, 9_999), start, end, split, POOL
        );
        split[2] = 2_001;
        _expectRevertFund(
            abi.encodeWithSelector(CompetitionEscrow.SplitSumInvalid.selector, 10_001), start, end, split, POOL
        );
    }

    function test_RevertWhen_ZeroAmount() public {
        _expectRevertFund(abi.encodeWithSelector(CompetitionEscrow.ZeroAmount.selector), start, end, _split3(), 0);
    }

    function test_RevertWhen_PoolTooLarge() public {
        uint256 tooMuch = uint256(type(uint96).max) + 1;
        _expectRevertFund(
            abi.encodeWithSelector(CompetitionEscrow.PoolTooLarge.selector, tooMuch), start, end, _split3(), tooMuch
        );
    }

    function test_RevertWhen_AllowanceTooLow() public {
        vm.startPrank(host);
        token.approve(address(competitions), POOL - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(competitions), POOL - 1, POOL
            )
        );
        competitions.fund(ID, start, end, _split3(), POOL);
        vm.stopPrank();
        assertEq(competitions.competition(ID).host, address(0));
    }

    // ------------------------------------------------------------ before the start

    function test_IncreasePool() public {
        _create(ID, POOL);
        vm.startPrank(host);
        token.approve(address(competitions), 5e18);
        vm.expectEmit(address(competitions));
        emit PoolIncreased(ID, host, 5e18, POOL + 5e18);
        competitions.increasePool(ID, 5e18);
        vm.stopPrank();
        assertEq(competitions.competition(ID).pool, POOL + 5e18);
        assertEq(token.balanceOf(address(competitions)), POOL + 5e18);
    }

    function test_IncreasePoolWithPermit() public {
        _create(ID, POOL);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(hostKey, address(competitions), 5e18, deadline);
        vm.prank(host);
        competitions.increasePoolWithPermit(ID, 5e18, deadline, v, r, s);
        assertEq(competitions.competition(ID).pool, POOL + 5e18);
        assertEq(token.balanceOf(address(competitions)), POOL + 5e18);
    }

    function test_RevertWhen_IncreaseByStranger() public {
        _create(ID, POOL);
        fund(stranger, 5e18);
        vm.startPrank(stranger);
        token.approve(address(competitions), 5e18);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotHost.selector, ID, stranger));
        competitions.increasePool(ID, 5e18);
        vm.stopPrank();
    }

    function test_RevertWhen_IncreaseAfterStart() public {
        _create(ID, POOL);
        vm.warp(start);
        vm.startPrank(host);
        token.approve(address(competitions), 5e18);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.AlreadyStarted.selector, ID, start));
        competitions.increasePool(ID, 5e18);
        vm.stopPrank();
    }

    function test_RevertWhen_IncreaseByZeroOrBeyond96Bits() public {
        _create(ID, POOL);
        vm.startPrank(host);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.ZeroAmount.selector));
        competitions.increasePool(ID, 0);
        uint256 tooMuch = uint256(type(uint96).max) - POOL + 1;
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.PoolTooLarge.selector, POOL + tooMuch));
        competitions.increasePool(ID, tooMuch);
        vm.stopPrank();
    }

    function test_RevertWhen_IncreaseUnknownOrCancelled() public {
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotHost.selector, 7, host));
        vm.prank(host);
        competitions.increasePool(7, 1);
        _create(ID, POOL);
        vm.startPrank(host);
        competitions.cancel(ID);
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.Cancelled)
        );
        competitions.increasePool(ID, 1);
        vm.stopPrank();
    }

    function test_Cancel() public {
        _create(ID, POOL);
        vm.expectEmit(address(competitions));
        emit CompetitionCancelled(ID, host, POOL);
        vm.prank(host);
        competitions.cancel(ID);
        assertEq(token.balanceOf(host), HOST_FUNDS);
        assertEq(token.balanceOf(address(competitions)), 0);
        assertEq(uint8(competitions.competition(ID).status), uint8(CompetitionEscrow.Status.Cancelled));
        assertEq(competitions.outstanding(ID), 0);
    }

    function test_RevertWhen_CancelByStranger() public {
        _create(ID, POOL);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotHost.selector, ID, stranger));
        vm.prank(stranger);
        competitions.cancel(ID);
    }

    function test_RevertWhen_CancelAfterStart() public {
        _create(ID, POOL);
        vm.warp(start);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.AlreadyStarted.selector, ID, start));
        vm.prank(host);
        competitions.cancel(ID);
    }

    function test_RevertWhen_CancelTwice() public {
        _create(ID, POOL);
        vm.startPrank(host);
        competitions.cancel(ID);
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.Cancelled)
        );
        competitions.cancel(ID);
        vm.stopPrank();
    }

    // ------------------------------------------------------------ finalising

    function test_FinalizePaysSplitWithDustToFirst() public {
        _create(ID, POOL);
        vm.warp(end + 1 days);
        (uint256 p0, uint256 p1, uint256 p2) = _prizes();
        assertEq(p0, 500e18 + 6); // floor 500e18 + 4, plus the 2 wei of dust
        assertEq(p1, 300e18 + 2);
        assertEq(p2, 200e18 + 1);
        assertEq(competitions.prizeOf(ID, 0), p0);
        assertEq(competitions.prizeOf(ID, 2), p2);
        assertEq(competitions.prizeOf(ID, 3), 0);

        vm.expectEmit(address(competitions));
        emit CompetitionFinalized(ID, block.timestamp, POOL, 0);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 0, alice, p0);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 1, bob, p1);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 2, carol, p2);
        _finalize(ID, _winners(alice, bob, carol));

        assertEq(token.balanceOf(alice), p0);
        assertEq(token.balanceOf(bob), p1);
        assertEq(token.balanceOf(carol), p2);
        assertEq(token.balanceOf(address(competitions)), 0);
        CompetitionEscrow.Competition memory c = competitions.competition(ID);
        assertEq(uint8(c.status), uint8(CompetitionEscrow.Status.Finalized));
        assertEq(c.finalizedAt, block.timestamp);
        assertEq(c.heldMask, 0);
        assertEq(competitions.outstanding(ID), 0);
    }

    function test_FinalizeRightAtStart() public {
        _create(ID, POOL);
        vm.warp(start);
        _finalize(ID, _winners(alice, bob, carol));
        assertEq(token.balanceOf(address(competitions)), 0);
    }

    function test_FinalizeHoldsUnlinkedWinnerThenAssigns() public {
        _create(ID, POOL);
        vm.warp(start + 1 days);
        (uint256 p0, uint256 p1, uint256 p2) = _prizes();
        vm.expectEmit(address(competitions));
        emit CompetitionFinalized(ID, block.timestamp, p0 + p2, p1);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 0, alice, p0);
        vm.expectEmit(address(competitions));
        emit PrizeHeld(ID, 1, p1);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 2, carol, p2);
        _finalize(ID, _winners(alice, address(0), carol));

        assertEq(token.balanceOf(address(competitions)), p1);
        assertEq(competitions.outstanding(ID), p1);
        assertEq(competitions.competition(ID).heldMask, 2);

        // bob links a wallet later
        vm.warp(block.timestamp + 30 days);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 1, bob, p1);
        vm.prank(operator);
        competitions.assignWinner(ID, 1, bob);
        assertEq(token.balanceOf(bob), p1);
        assertEq(token.balanceOf(address(competitions)), 0);
        assertEq(competitions.outstanding(ID), 0);
        assertEq(competitions.competition(ID).heldMask, 0);
    }

    function test_HeldFirstPlaceKeepsTheDust() public {
        _create(ID, POOL);
        vm.warp(start);
        (uint256 p0,,) = _prizes();
        _finalize(ID, _winners(address(0), bob, carol));
        assertEq(competitions.outstanding(ID), p0);
        vm.prank(operator);
        competitions.assignWinner(ID, 0, alice);
        assertEq(token.balanceOf(alice), 500e18 + 6);
        assertEq(token.balanceOf(address(competitions)), 0);
    }

    function test_UnearnedPlaceGoesBackToHost() public {
        _create(ID, POOL);
        vm.warp(start);
        (,, uint256 p2) = _prizes();
        _finalize(ID, _winners(alice, bob, address(0)));
        vm.prank(operator);
        competitions.assignWinner(ID, 2, host);
        assertEq(token.balanceOf(host), HOST_FUNDS - POOL + p2);
        assertEq(token.balanceOf(address(competitions)), 0);
    }

    function test_SameWalletMayWinTwoPlaces() public {
        _create(ID, POOL);
        vm.warp(start);
        _finalize(ID, _winners(alice, alice, carol));
        (uint256 p0, uint256 p1,) = _prizes();
        assertEq(token.balanceOf(alice), p0 + p1);
    }

    function test_RevertWhen_FinalizeByStranger() public {
        _create(ID, POOL);
        vm.warp(start);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotOperator.selector, host));
        vm.prank(host);
        competitions.finalize(ID, _winners(alice, bob, carol));
    }

    function test_RevertWhen_FinalizeBeforeStart() public {
        _create(ID, POOL);
        vm.warp(start - 1);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotStarted.selector, ID, start));
        _finalize(ID, _winners(alice, bob, carol));
    }

    function test_RevertWhen_FinalizeTwice() public {
        _create(ID, POOL);
        vm.warp(start);
        _finalize(ID, _winners(alice, address(0), carol));
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.Finalized)
        );
        _finalize(ID, _winners(alice, bob, carol));
    }

    function test_RevertWhen_FinalizeUnknownOrCancelled() public {
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, 7, CompetitionEscrow.Status.None)
        );
        _finalize(7, _winners(alice, bob, carol));
        _create(ID, POOL);
        vm.prank(host);
        competitions.cancel(ID);
        vm.warp(start);
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.Cancelled)
        );
        _finalize(ID, _winners(alice, bob, carol));
    }

    function test_RevertWhen_WinnerCountMismatch() public {
        _create(ID, POOL);
        vm.warp(start);
        address[] memory two = new address[](2);
        two[0] = alice;
        two[1] = bob;
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.WinnerCountMismatch.selector, ID, 2, 3));
        _finalize(ID, two);
    }

    function test_RevertWhen_WinnerIsEscrow() public {
        _create(ID, POOL);
        vm.warp(start);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.InvalidAddress.selector, address(competitions)));
        _finalize(ID, _winners(alice, address(competitions), carol));
    }

    function test_RevertWhen_AssignPaidOrUnknownPlace() public {
        _create(ID, POOL);
        vm.warp(start);
        _finalize(ID, _winners(alice, address(0), carol));
        vm.startPrank(operator);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.PlaceNotHeld.selector, ID, 0));
        competitions.assignWinner(ID, 0, bob);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.PlaceNotHeld.selector, ID, 3));
        competitions.assignWinner(ID, 3, bob);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.PlaceNotHeld.selector, ID, 300));
        competitions.assignWinner(ID, 300, bob);
        competitions.assignWinner(ID, 1, bob);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.PlaceNotHeld.selector, ID, 1));
        competitions.assignWinner(ID, 1, bob); // paid once only
        vm.stopPrank();
        (, uint256 p1,) = _prizes();
        assertEq(token.balanceOf(bob), p1);
    }

    function test_RevertWhen_AssignToZeroOrEscrow() public {
        _create(ID, POOL);
        vm.warp(start);
        _finalize(ID, _winners(alice, address(0), carol));
        vm.startPrank(operator);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.InvalidAddress.selector, address(0)));
        competitions.assignWinner(ID, 1, address(0));
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.InvalidAddress.selector, address(competitions)));
        competitions.assignWinner(ID, 1, address(competitions));
        vm.stopPrank();
    }

    function test_RevertWhen_AssignBeforeFinalize() public {
        _create(ID, POOL);
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.Open)
        );
        vm.prank(operator);
        competitions.assignWinner(ID, 0, alice);
    }

    function test_RevertWhen_AssignByStranger() public {
        _create(ID, POOL);
        vm.warp(start);
        _finalize(ID, _winners(alice, address(0), carol));
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotOperator.selector, stranger));
        vm.prank(stranger);
        competitions.assignWinner(ID, 1, stranger);
    }

    // ------------------------------------------------------------ safety valves

    function test_ReclaimPoolWhenNotFinalizedInTime() public {
        _create(ID, POOL);
        uint256 availableAt = end + competitions.FINALIZE_GRACE();
        vm.warp(availableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.TooEarly.selector, ID, availableAt));
        vm.prank(host);
        competitions.reclaimPool(ID);

        vm.warp(availableAt);
        vm.expectEmit(address(competitions));
        emit PoolReclaimed(ID, host, POOL);
        vm.prank(host);
        competitions.reclaimPool(ID);
        assertEq(token.balanceOf(host), HOST_FUNDS);
        assertEq(token.balanceOf(address(competitions)), 0);
        assertEq(uint8(competitions.competition(ID).status), uint8(CompetitionEscrow.Status.Reclaimed));

        // the operator can no longer finalise, nor the host reclaim twice
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.Reclaimed)
        );
        _finalize(ID, _winners(alice, bob, carol));
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.Reclaimed)
        );
        vm.prank(host);
        competitions.reclaimPool(ID);
    }

    function test_OperatorMayStillFinalizeLate() public {
        _create(ID, POOL);
        vm.warp(end + competitions.FINALIZE_GRACE() + 1 days);
        _finalize(ID, _winners(alice, bob, carol));
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.Finalized)
        );
        vm.prank(host);
        competitions.reclaimPool(ID);
    }

    function test_RevertWhen_ReclaimPoolByStranger() public {
        _create(ID, POOL);
        vm.warp(end + competitions.FINALIZE_GRACE());
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotHost.selector, ID, stranger));
        vm.prank(stranger);
        competitions.reclaimPool(ID);
    }

    function test_ReclaimHeldAfterHoldPeriod() public {
        _create(ID, POOL);
        vm.warp(start);
        (uint256 p0,, uint256 p2) = _prizes();
        _finalize(ID, _winners(address(0), bob, address(0)));
        uint256 availableAt = block.timestamp + competitions.HOLD_PERIOD();

        vm.warp(availableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.TooEarly.selector, ID, availableAt));
        vm.prank(host);
        competitions.reclaimHeld(ID);

        vm.warp(availableAt);
        vm.expectEmit(address(competitions));
        emit HeldPrizesReclaimed(ID, host, p0 + p2, 5);
        vm.prank(host);
        competitions.reclaimHeld(ID);
        assertEq(token.balanceOf(host), HOST_FUNDS - POOL + p0 + p2);
        assertEq(token.balanceOf(address(competitions)), 0);
        assertEq(competitions.outstanding(ID), 0);

        // nothing left to reclaim or assign
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NothingHeld.selector, ID));
        vm.prank(host);
        competitions.reclaimHeld(ID);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.PlaceNotHeld.selector, ID, 0));
        vm.prank(operator);
        competitions.assignWinner(ID, 0, alice);
    }

    function test_RevertWhen_ReclaimHeldWrongCaller() public {
        _create(ID, POOL);
        vm.warp(start);
        _finalize(ID, _winners(address(0), bob, carol));
        vm.warp(block.timestamp + competitions.HOLD_PERIOD());
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotHost.selector, ID, operator));
        vm.prank(operator);
        competitions.reclaimHeld(ID);
    }

    function test_RevertWhen_ReclaimHeldNotFinalized() public {
        _create(ID, POOL);
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.Open)
        );
        vm.prank(host);
        competitions.reclaimHeld(ID);
    }

    // ------------------------------------------------------------ admin

    function test_SetOperator() public {
        address newOperator = makeAddr("newOperator");
        vm.expectEmit(address(competitions));
        emit OperatorChanged(operator, newOperator);
        vm.prank(admin);
        competitions.setOperator(newOperator);
        assertEq(competitions.operator(), newOperator);

        _create(ID, POOL);
        vm.warp(start);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotOperator.selector, operator));
        _finalize(ID, _winners(alice, bob, carol));
        vm.prank(newOperator);
        competitions.finalize(ID, _winners(alice, bob, carol));
        assertEq(token.balanceOf(address(competitions)), 0);
    }

    function test_RevertWhen_SetOperatorByStranger() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, operator));
        vm.prank(operator);
        competitions.setOperator(stranger);
    }

    function test_RevertWhen_SetOperatorInvalid() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.InvalidAddress.selector, address(0)));
        competitions.setOperator(address(0));
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.InvalidAddress.selector, address(competitions)));
        competitions.setOperator(address(competitions));
        vm.stopPrank();
    }

    function test_RevertWhen_ConstructorZero() public {
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.InvalidAddress.selector, address(0)));
        new CompetitionEscrow(IERC20(address(0)), operator, admin);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.InvalidAddress.selector, address(0)));
        new CompetitionEscrow(token, address(0), admin);
    }

    // ------------------------------------------------------------ fuzz

    /// Any split of 1..10 places and any pool: the prizes are floor(pool * bps / 10000) for every
    /// place but the first, the first gets the rest (less than one wei per place more than its
    /// floor), and paid + held is the whole pool; assigning the held places empties the escrow.
    function testFuzz_SplitPaysWholePool(uint96 pool, uint256 placesSeed, uint256 splitSeed, uint16 heldMask) public {
        pool = uint96(bound(pool, 1, 1_000_000e18));
        uint256 places = bound(placesSeed, 1, 10);
        uint16[] memory split = new uint16[](places);
        uint256 left = 10_000;
        for (uint256 i = 0; i < places; i++) {
            uint256 remainingPlaces = places - i - 1;
            uint256 bps =
                i == places - 1 ? left : bound(uint256(keccak256(abi.encode(splitSeed, i))), 1, left - remainingPlaces);
            split[i] = uint16(bps);
            left -= bps;
        }
        vm.startPrank(host);
        token.approve(address(competitions), pool);
        competitions.fund(ID, start, end, split, pool);
        vm.stopPrank();

        address[] memory winners = new address[](places);
        uint256 expectedHeld;
        for (uint256 i = 0; i < places; i++) {
            if (heldMask & (1 << i) == 0) winners[i] = makeAddr(string.concat("winner", vm.toString(i)));
        }
        vm.warp(start);
        _finalize(ID, winners);

        uint256 total;
        for (uint256 i = 0; i < places; i++) {
            uint256 prize = competitions.prizeOf(ID, i);
            uint256 floor = uint256(pool) * split[i] / 10_000;
            if (i == 0) {
                assertGe(prize, floor);
                assertLt(prize - floor, places);
            } else {
                assertEq(prize, floor);
            }
            if (winners[i] == address(0)) expectedHeld += prize;
            else assertEq(token.balanceOf(winners[i]), prize);
            total += prize;
        }
        assertEq(total, pool);
        assertEq(competitions.outstanding(ID), expectedHeld);
        assertEq(token.balanceOf(address(competitions)), expectedHeld);

        vm.startPrank(operator);
        for (uint256 i = 0; i < places; i++) {
            if (winners[i] == address(0)) competitions.assignWinner(ID, i, alice);
        }
        vm.stopPrank();
        assertEq(token.balanceOf(alice), expectedHeld);
        assertEq(token.balanceOf(address(competitions)), 0);
    }

    /// Any pool and top-ups before the start: cancelling returns exactly everything.
    function testFuzz_CancelReturnsEverything(uint96 pool, uint96 topUp) public {
        pool = uint96(bound(pool, 1, 1_000e18));
        topUp = uint96(bound(topUp, 1, 1_000e18));
        _create(ID, pool);
        vm.startPrank(host);
        token.approve(address(competitions), topUp);
        competitions.increasePool(ID, topUp);
        competitions.cancel(ID);
        vm.stopPrank();
        assertEq(token.balanceOf(host), HOST_FUNDS);
        assertEq(token.balanceOf(address(competitions)), 0);
    }
}
