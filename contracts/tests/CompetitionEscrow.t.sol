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
    address internal operator; // the escrows' operator (Fixture's escrowOperator)
    address internal stranger = makeAddr("stranger");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");

    uint256 internal constant ID = 42;
    uint256 internal constant POOL = 1_000e18 + 9; // 50/30/20: 500e18 + 4, 300e18 + 2, 200e18 + 1 and 2 wei of dust
    uint256 internal constant HOST_FUNDS = 1_000_000e18;
    uint256 internal constant MAX_ID = uint256(uint64(type(int64).max));
    uint64 internal start;
    uint64 internal end;

    event CompetitionFunded(
        uint256 indexed id, address indexed host, uint256 pool, uint64 startTime, uint64 endTime, uint16[] splitBps
    );
    event PoolIncreased(uint256 indexed id, address indexed host, uint256 amount, uint256 pool);
    event CompetitionCancelled(uint256 indexed id, address indexed host, uint256 refunded);
    event CompetitionFinalized(
        uint256 indexed id, address indexed host, uint256 finalizedAt, uint256 paid, uint256 held
    );
    event PrizePaid(uint256 indexed id, uint256 indexed place, address indexed winner, address host, uint256 amount);
    event PrizeHeld(uint256 indexed id, uint256 indexed place, address indexed host, uint256 amount);
    event PoolReclaimed(uint256 indexed id, address indexed host, uint256 amount);
    event HeldPrizesReclaimed(uint256 indexed id, address indexed host, uint256 amount, uint256 placesMask);
    event OperatorChanged(address indexed oldOperator, address indexed newOperator);

    function setUp() public {
        vm.warp(1_900_000_000);
        deployAll();
        deployEscrows();
        operator = escrowOperator;
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
        competitions.finalize(host, id, w);
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

        CompetitionEscrow.Competition memory c = competitions.competition(host, ID);
        assertEq(c.startTime, start);
        assertEq(c.endTime, end);
        assertEq(uint8(c.status), uint8(CompetitionEscrow.Status.Open));
        assertEq(c.places, 3);
        assertEq(c.pool, POOL);
        assertEq(c.finalizedAt, 0);
        assertEq(c.heldMask, 0);
        assertEq(abi.encode(competitions.splitOf(host, ID)), abi.encode(_split3()));
        assertEq(competitions.outstanding(host, ID), POOL);
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
        assertEq(uint8(competitions.competition(host, ID).status), uint8(CompetitionEscrow.Status.Open));
        assertEq(competitions.competition(host, ID).pool, POOL);
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

    function test_RevertWhen_IdOutOfRange() public {
        uint256[3] memory bad = [0, MAX_ID + 1, type(uint256).max];
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(hostKey, address(competitions), POOL, deadline);
        vm.startPrank(host);
        token.approve(address(competitions), POOL);
        for (uint256 i = 0; i < bad.length; i++) {
            vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.IdOutOfRange.selector, bad[i]));
            competitions.fund(bad[i], start, end, _split3(), POOL);
            vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.IdOutOfRange.selector, bad[i]));
            competitions.fundWithPermit(bad[i], start, end, _split3(), POOL, deadline, v, r, s);
        }
        vm.stopPrank();
        assertEq(token.balanceOf(address(competitions)), 0);

        // both bounds are allowed: 1 and type(int64).max (Long.MAX_VALUE)
        assertEq(competitions.MAX_ID(), uint256(int256(type(int64).max)));
        _create(1, POOL);
        _create(MAX_ID, POOL);
        assertEq(competitions.outstanding(host, 1), POOL);
        assertEq(competitions.outstanding(host, MAX_ID), POOL);
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
        assertEq(competitions.competition(host, ID).endTime, tooLate - 1);
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
        assertEq(competitions.competition(host, ID).places, 10);
        assertEq(abi.encode(competitions.splitOf(host, ID)), abi.encode(split));
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
        assertEq(uint8(competitions.competition(host, ID).status), uint8(CompetitionEscrow.Status.None));
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
        assertEq(competitions.competition(host, ID).pool, POOL + 5e18);
        assertEq(token.balanceOf(address(competitions)), POOL + 5e18);
    }

    function test_IncreasePoolWithPermit() public {
        _create(ID, POOL);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(hostKey, address(competitions), 5e18, deadline);
        vm.prank(host);
        competitions.increasePoolWithPermit(ID, 5e18, deadline, v, r, s);
        assertEq(competitions.competition(host, ID).pool, POOL + 5e18);
        assertEq(token.balanceOf(address(competitions)), POOL + 5e18);
    }

    function test_RevertWhen_IncreaseByStranger() public {
        _create(ID, POOL);
        fund(stranger, 5e18);
        vm.startPrank(stranger);
        token.approve(address(competitions), 5e18);
        // the stranger's call acts on the stranger's own (empty) record under this id
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.None)
        );
        competitions.increasePool(ID, 5e18);
        vm.stopPrank();
        assertEq(competitions.competition(host, ID).pool, POOL);
        assertEq(token.balanceOf(stranger), 5e18);
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
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, 7, CompetitionEscrow.Status.None)
        );
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
        assertEq(uint8(competitions.competition(host, ID).status), uint8(CompetitionEscrow.Status.Cancelled));
        assertEq(competitions.outstanding(host, ID), 0);
    }

    function test_RevertWhen_CancelByStranger() public {
        _create(ID, POOL);
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.None)
        );
        vm.prank(stranger);
        competitions.cancel(ID);
        assertEq(competitions.outstanding(host, ID), POOL);
        assertEq(token.balanceOf(stranger), 0);
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
        assertEq(competitions.prizeOf(host, ID, 0), p0);
        assertEq(competitions.prizeOf(host, ID, 2), p2);
        assertEq(competitions.prizeOf(host, ID, 3), 0);

        vm.expectEmit(address(competitions));
        emit CompetitionFinalized(ID, host, block.timestamp, POOL, 0);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 0, alice, host, p0);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 1, bob, host, p1);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 2, carol, host, p2);
        _finalize(ID, _winners(alice, bob, carol));

        assertEq(token.balanceOf(alice), p0);
        assertEq(token.balanceOf(bob), p1);
        assertEq(token.balanceOf(carol), p2);
        assertEq(token.balanceOf(address(competitions)), 0);
        CompetitionEscrow.Competition memory c = competitions.competition(host, ID);
        assertEq(uint8(c.status), uint8(CompetitionEscrow.Status.Finalized));
        assertEq(c.finalizedAt, block.timestamp);
        assertEq(c.heldMask, 0);
        assertEq(competitions.outstanding(host, ID), 0);
    }

    function test_FinalizeRightAtEnd() public {
        _create(ID, POOL);
        vm.warp(end);
        _finalize(ID, _winners(alice, bob, carol));
        assertEq(token.balanceOf(address(competitions)), 0);
        assertEq(competitions.competition(host, ID).finalizedAt, end);
    }

    function test_FinalizeHoldsUnlinkedWinnerThenAssigns() public {
        _create(ID, POOL);
        vm.warp(end + 1 days);
        (uint256 p0, uint256 p1, uint256 p2) = _prizes();
        vm.expectEmit(address(competitions));
        emit CompetitionFinalized(ID, host, block.timestamp, p0 + p2, p1);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 0, alice, host, p0);
        vm.expectEmit(address(competitions));
        emit PrizeHeld(ID, 1, host, p1);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 2, carol, host, p2);
        _finalize(ID, _winners(alice, address(0), carol));

        assertEq(token.balanceOf(address(competitions)), p1);
        assertEq(competitions.outstanding(host, ID), p1);
        assertEq(competitions.competition(host, ID).heldMask, 2);

        // bob links a wallet later
        vm.warp(block.timestamp + 30 days);
        vm.expectEmit(address(competitions));
        emit PrizePaid(ID, 1, bob, host, p1);
        vm.prank(operator);
        competitions.assignWinner(host, ID, 1, bob);
        assertEq(token.balanceOf(bob), p1);
        assertEq(token.balanceOf(address(competitions)), 0);
        assertEq(competitions.outstanding(host, ID), 0);
        assertEq(competitions.competition(host, ID).heldMask, 0);
    }

    function test_HeldFirstPlaceKeepsTheDust() public {
        _create(ID, POOL);
        vm.warp(end);
        (uint256 p0,,) = _prizes();
        _finalize(ID, _winners(address(0), bob, carol));
        assertEq(competitions.outstanding(host, ID), p0);
        vm.prank(operator);
        competitions.assignWinner(host, ID, 0, alice);
        assertEq(token.balanceOf(alice), 500e18 + 6);
        assertEq(token.balanceOf(address(competitions)), 0);
    }

    function test_UnearnedPlaceGoesBackToHost() public {
        _create(ID, POOL);
        vm.warp(end);
        (,, uint256 p2) = _prizes();
        _finalize(ID, _winners(alice, bob, address(0)));
        vm.prank(operator);
        competitions.assignWinner(host, ID, 2, host);
        assertEq(token.balanceOf(host), HOST_FUNDS - POOL + p2);
        assertEq(token.balanceOf(address(competitions)), 0);
    }

    function test_SameWalletMayWinTwoPlaces() public {
        _create(ID, POOL);
        vm.warp(end);
        _finalize(ID, _winners(alice, alice, carol));
        (uint256 p0, uint256 p1,) = _prizes();
        assertEq(token.balanceOf(alice), p0 + p1);
    }

    function test_RevertWhen_FinalizeByStranger() public {
        _create(ID, POOL);
        vm.warp(end);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotOperator.selector, host));
        vm.prank(host);
        competitions.finalize(host, ID, _winners(alice, bob, carol));
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotOperator.selector, minter));
        vm.prank(minter);
        competitions.finalize(host, ID, _winners(alice, bob, carol));
    }

    function test_RevertWhen_FinalizeBeforeEnd() public {
        _create(ID, POOL);
        vm.warp(start);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotEnded.selector, ID, end));
        _finalize(ID, _winners(alice, bob, carol));
        vm.warp(end - 1);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotEnded.selector, ID, end));
        _finalize(ID, _winners(alice, bob, carol));
        assertEq(competitions.outstanding(host, ID), POOL);
        assertEq(token.balanceOf(address(competitions)), POOL);
    }

    function test_RevertWhen_FinalizeTwice() public {
        _create(ID, POOL);
        vm.warp(end);
        _finalize(ID, _winners(alice, address(0), carol));
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.Finalized)
        );
        _finalize(ID, _winners(alice, bob, carol));
    }

    function test_RevertWhen_FinalizeUnknownOrCancelled() public {
        uint256 other = ID + 1;
        _create(ID, POOL);
        _create(other, POOL);
        vm.prank(host);
        competitions.cancel(other);
        vm.warp(end);
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, 7, CompetitionEscrow.Status.None)
        );
        _finalize(7, _winners(alice, bob, carol));
        // the id of a competition, under another host: nothing there
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.None)
        );
        vm.prank(operator);
        competitions.finalize(stranger, ID, _winners(alice, bob, carol));
        assertEq(competitions.outstanding(host, ID), POOL);
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, other, CompetitionEscrow.Status.Cancelled)
        );
        _finalize(other, _winners(alice, bob, carol));
    }

    function test_RevertWhen_WinnerCountMismatch() public {
        _create(ID, POOL);
        vm.warp(end);
        address[] memory two = new address[](2);
        two[0] = alice;
        two[1] = bob;
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.WinnerCountMismatch.selector, ID, 2, 3));
        _finalize(ID, two);
    }

    function test_RevertWhen_WinnerIsEscrow() public {
        _create(ID, POOL);
        vm.warp(end);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.InvalidAddress.selector, address(competitions)));
        _finalize(ID, _winners(alice, address(competitions), carol));
    }

    function test_RevertWhen_AssignPaidOrUnknownPlace() public {
        _create(ID, POOL);
        vm.warp(end);
        _finalize(ID, _winners(alice, address(0), carol));
        vm.startPrank(operator);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.PlaceNotHeld.selector, ID, 0));
        competitions.assignWinner(host, ID, 0, bob);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.PlaceNotHeld.selector, ID, 3));
        competitions.assignWinner(host, ID, 3, bob);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.PlaceNotHeld.selector, ID, 300));
        competitions.assignWinner(host, ID, 300, bob);
        competitions.assignWinner(host, ID, 1, bob);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.PlaceNotHeld.selector, ID, 1));
        competitions.assignWinner(host, ID, 1, bob); // paid once only
        vm.stopPrank();
        (, uint256 p1,) = _prizes();
        assertEq(token.balanceOf(bob), p1);
    }

    function test_RevertWhen_AssignToZeroOrEscrow() public {
        _create(ID, POOL);
        vm.warp(end);
        _finalize(ID, _winners(alice, address(0), carol));
        vm.startPrank(operator);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.InvalidAddress.selector, address(0)));
        competitions.assignWinner(host, ID, 1, address(0));
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.InvalidAddress.selector, address(competitions)));
        competitions.assignWinner(host, ID, 1, address(competitions));
        vm.stopPrank();
    }

    function test_RevertWhen_AssignBeforeFinalize() public {
        _create(ID, POOL);
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.Open)
        );
        vm.prank(operator);
        competitions.assignWinner(host, ID, 0, alice);
        // nor under another host
        vm.warp(end);
        _finalize(ID, _winners(address(0), bob, carol));
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.None)
        );
        vm.prank(operator);
        competitions.assignWinner(stranger, ID, 0, alice);
        assertEq(competitions.competition(host, ID).heldMask, 1);
    }

    function test_RevertWhen_AssignByStranger() public {
        _create(ID, POOL);
        vm.warp(end);
        _finalize(ID, _winners(alice, address(0), carol));
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotOperator.selector, stranger));
        vm.prank(stranger);
        competitions.assignWinner(host, ID, 1, stranger);
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
        assertEq(uint8(competitions.competition(host, ID).status), uint8(CompetitionEscrow.Status.Reclaimed));

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
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.None)
        );
        vm.prank(stranger);
        competitions.reclaimPool(ID);
        assertEq(competitions.outstanding(host, ID), POOL);
        assertEq(token.balanceOf(stranger), 0);
    }

    function test_ReclaimHeldAfterHoldPeriod() public {
        _create(ID, POOL);
        vm.warp(end);
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
        assertEq(competitions.outstanding(host, ID), 0);

        // nothing left to reclaim or assign
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NothingHeld.selector, ID));
        vm.prank(host);
        competitions.reclaimHeld(ID);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.PlaceNotHeld.selector, ID, 0));
        vm.prank(operator);
        competitions.assignWinner(host, ID, 0, alice);
    }

    function test_RevertWhen_ReclaimHeldWrongCaller() public {
        _create(ID, POOL);
        vm.warp(end);
        _finalize(ID, _winners(address(0), bob, carol));
        vm.warp(block.timestamp + competitions.HOLD_PERIOD());
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.None)
        );
        vm.prank(operator);
        competitions.reclaimHeld(ID);
        vm.expectRevert(
            abi.encodeWithSelector(CompetitionEscrow.WrongStatus.selector, ID, CompetitionEscrow.Status.None)
        );
        vm.prank(bob);
        competitions.reclaimHeld(ID);
        assertEq(competitions.outstanding(host, ID), competitions.prizeOf(host, ID, 0));
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
        vm.warp(end);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotOperator.selector, operator));
        _finalize(ID, _winners(alice, bob, carol));
        vm.prank(newOperator);
        competitions.finalize(host, ID, _winners(alice, bob, carol));
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
        vm.warp(end);
        _finalize(ID, winners);

        uint256 total;
        for (uint256 i = 0; i < places; i++) {
            uint256 prize = competitions.prizeOf(host, ID, i);
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
        assertEq(competitions.outstanding(host, ID), expectedHeld);
        assertEq(token.balanceOf(address(competitions)), expectedHeld);

        vm.startPrank(operator);
        for (uint256 i = 0; i < places; i++) {
            if (winners[i] == address(0)) competitions.assignWinner(host, ID, i, alice);
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

    /// Every id above type(int64).max is refused, with and without permit.
    function testFuzz_RevertWhen_IdAboveInt64Max(uint256 id) public {
        id = bound(id, MAX_ID + 1, type(uint256).max);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(hostKey, address(competitions), POOL, deadline);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.IdOutOfRange.selector, id));
        vm.prank(host);
        competitions.fundWithPermit(id, start, end, _split3(), POOL, deadline, v, r, s);
        vm.startPrank(host);
        token.approve(address(competitions), POOL);
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.IdOutOfRange.selector, id));
        competitions.fund(id, start, end, _split3(), POOL);
        vm.stopPrank();
        assertEq(token.balanceOf(address(competitions)), 0);
        assertEq(token.balanceOf(host), HOST_FUNDS);
    }

    struct Squat {
        uint256 id;
        uint96 pool;
        uint96 strangerPool;
        uint64 sStart;
        uint64 sEnd;
        address intruder;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// A stranger cannot occupy my id: whoever funds first under my competition id (directly, or
    /// front-running my permit call by submitting my permit first), my own fund still goes
    /// through, my record is exactly what I funded, the operator finalises it as usual once it
    /// has ended, and the stranger can only take the stranger's own pool back (cancel before the
    /// stranger's start, or reclaimPool after the stranger's end + FINALIZE_GRACE).
    function testFuzz_StrangerCannotOccupyMyId(
        uint256 id,
        uint96 pool,
        uint96 strangerPool,
        uint256 strangerTiming,
        address intruder,
        bool viaPermit,
        bool strangerCancels
    ) public {
        assumeNotForgeAddress(intruder);
        assumeStranger(intruder);
        vm.assume(intruder != host && intruder != alice && intruder != bob && intruder != carol);
        Squat memory t;
        t.id = bound(id, 1, MAX_ID);
        t.pool = uint96(bound(pool, 1, HOST_FUNDS));
        t.strangerPool = uint96(bound(strangerPool, 1, 1_000_000e18));
        t.sStart = uint64(block.timestamp + bound(strangerTiming, 1, 30 days));
        t.sEnd = uint64(t.sStart + bound(strangerTiming >> 128, 1, 60 days));
        t.intruder = intruder;
        fund(intruder, t.strangerPool);

        // the victim signs a permit (submitted later, or not at all without permit)
        t.deadline = block.timestamp + 1 hours;
        (t.v, t.r, t.s) = signPermit(hostKey, address(competitions), t.pool, t.deadline);

        // the intruder goes first, under the victim's id
        _intruderFundsFirst(t, viaPermit);

        // the victim's own fund goes through
        if (viaPermit) {
            vm.prank(host);
            competitions.fundWithPermit(t.id, start, end, _split3(), t.pool, t.deadline, t.v, t.r, t.s);
        } else {
            _create(t.id, t.pool);
        }
        CompetitionEscrow.Competition memory mine = competitions.competition(host, t.id);
        assertEq(mine.startTime, start);
        assertEq(mine.endTime, end);
        assertEq(uint8(mine.status), uint8(CompetitionEscrow.Status.Open));
        assertEq(mine.places, 3);
        assertEq(mine.pool, t.pool);
        assertEq(mine.finalizedAt, 0);
        assertEq(mine.heldMask, 0);
        assertEq(abi.encode(competitions.splitOf(host, t.id)), abi.encode(_split3()));
        assertEq(competitions.competition(intruder, t.id).pool, t.strangerPool);
        assertEq(competitions.competition(intruder, t.id).endTime, t.sEnd);
        assertEq(token.balanceOf(address(competitions)), uint256(t.pool) + t.strangerPool);
        assertEq(token.balanceOf(host), HOST_FUNDS - t.pool);

        // the intruder cannot finalise, and its own calls only reach its own record
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.NotOperator.selector, intruder));
        vm.prank(intruder);
        competitions.finalize(host, t.id, _winners(intruder, intruder, intruder));
        vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.CompetitionExists.selector, t.id));
        vm.prank(intruder);
        competitions.fund(t.id, start, end, _split3(), 1);
        if (strangerCancels) {
            vm.prank(intruder);
            competitions.cancel(t.id);
            assertEq(token.balanceOf(intruder), t.strangerPool);
        }
        assertEq(abi.encode(competitions.competition(host, t.id)), abi.encode(mine));

        // the operator finalises mine once it has ended
        vm.warp(end);
        _finalizeAndCheckPrizes(t.id, t.pool);

        if (!strangerCancels) {
            // the intruder's record is untouched, and comes back to the intruder only after its grace
            assertEq(competitions.outstanding(intruder, t.id), t.strangerPool);
            uint256 availableAt = uint256(t.sEnd) + competitions.FINALIZE_GRACE();
            if (block.timestamp < availableAt) {
                vm.expectRevert(abi.encodeWithSelector(CompetitionEscrow.TooEarly.selector, t.id, availableAt));
                vm.prank(intruder);
                competitions.reclaimPool(t.id);
                vm.warp(availableAt);
            }
            vm.prank(intruder);
            competitions.reclaimPool(t.id);
        }
        assertEq(token.balanceOf(intruder), t.strangerPool);
        assertEq(token.balanceOf(address(competitions)), 0);
        assertEq(token.balanceOf(host), HOST_FUNDS - t.pool);
        assertEq(uint8(competitions.competition(host, t.id).status), uint8(CompetitionEscrow.Status.Finalized));
    }

    /// The intruder funds its own competition (one place) under the victim's id; with
    /// `viaPermit`, it first submits the victim's permit to the token (burning it) and then calls
    /// fundWithPermit with the victim's signature (ignored: it is not the intruder's).
    function _intruderFundsFirst(Squat memory t, bool viaPermit) internal {
        uint16[] memory one = new uint16[](1);
        one[0] = 10_000;
        vm.startPrank(t.intruder);
        token.approve(address(competitions), t.strangerPool);
        if (viaPermit) {
            token.permit(host, address(competitions), t.pool, t.deadline, t.v, t.r, t.s);
            competitions.fundWithPermit(t.id, t.sStart, t.sEnd, one, t.strangerPool, t.deadline, t.v, t.r, t.s);
        } else {
            competitions.fund(t.id, t.sStart, t.sEnd, one, t.strangerPool);
        }
        vm.stopPrank();
        assertEq(token.balanceOf(t.intruder), 0);
    }

    function _finalizeAndCheckPrizes(uint256 id, uint256 pool) internal {
        uint256 p0 = competitions.prizeOf(host, id, 0);
        uint256 p1 = competitions.prizeOf(host, id, 1);
        uint256 p2 = competitions.prizeOf(host, id, 2);
        assertEq(p0 + p1 + p2, pool);
        _finalize(id, _winners(alice, bob, carol));
        assertEq(token.balanceOf(alice), p0);
        assertEq(token.balanceOf(bob), p1);
        assertEq(token.balanceOf(carol), p2);
        assertEq(competitions.outstanding(host, id), 0);
    }
}
