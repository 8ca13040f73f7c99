// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {BountyEscrow} from "../src/BountyEscrow.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract BountyEscrowTest is Fixture {
    address internal requester;
    uint256 internal requesterKey;
    address internal creator = makeAddr("creator");
    address internal rival = makeAddr("rival");
    address internal stranger = makeAddr("stranger");

    uint256 internal constant BOUNTY = 7;
    uint256 internal constant AMOUNT = 100e18;
    uint256 internal constant FUNDS = 1_000_000e18;
    uint256 internal constant ASSET = 42;
    uint256 internal constant MAX_ID = uint256(uint64(type(int64).max));

    event BountyOpened(uint256 indexed bountyId, address indexed requester, uint256 amount, uint256 deadline);
    event AssetSubmitted(uint256 indexed bountyId, address indexed requester, address indexed creator, uint256 assetId);
    event BountyAccepted(
        uint256 indexed bountyId,
        address indexed requester,
        address indexed creator,
        uint256 assetId,
        uint256 amount,
        uint256 fee
    );
    event BountyRefunded(uint256 indexed bountyId, address indexed requester, uint256 amount);

    function setUp() public {
        vm.warp(1_900_000_000);
        deployAll();
        deployBountyEscrow();
        (requester, requesterKey) = makeAddrAndKey("requester");
        fund(requester, FUNDS);
        fund(stranger, FUNDS);
    }

    function _deadline() internal view returns (uint256) {
        return block.timestamp + 7 days;
    }

    function _open(address who, uint256 id, uint256 amount, uint256 deadline) internal {
        vm.startPrank(who);
        token.approve(address(bounties), amount);
        bounties.open(id, amount, deadline);
        vm.stopPrank();
    }

    /// Mints `ASSET` to the creator, who submits it to the requester's bounty and approves the escrow.
    function _submitAsset() internal {
        mintAsset(creator, ASSET);
        vm.startPrank(creator);
        bounties.submitAsset(requester, BOUNTY, ASSET);
        registry.approve(address(bounties), ASSET);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ open

    function test_open_escrowsTheBounty() public {
        uint256 deadline = _deadline();
        vm.startPrank(requester);
        token.approve(address(bounties), AMOUNT);
        vm.expectEmit(address(bounties));
        emit BountyOpened(BOUNTY, requester, AMOUNT, deadline);
        bounties.open(BOUNTY, AMOUNT, deadline);
        vm.stopPrank();
        BountyEscrow.Bounty memory b = bounties.bounty(requester, BOUNTY);
        assertEq(b.amount, AMOUNT);
        assertEq(b.deadline, deadline);
        assertEq(uint8(b.status), uint8(BountyEscrow.Status.Open));
        assertEq(token.balanceOf(address(bounties)), AMOUNT);
        assertEq(token.balanceOf(requester), FUNDS - AMOUNT);
    }

    function test_openWithPermit_takesExactlyThePermittedAmount() public {
        uint256 permitDeadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(requesterKey, address(bounties), AMOUNT, permitDeadline);
        vm.prank(requester);
        bounties.openWithPermit(BOUNTY, AMOUNT, _deadline(), permitDeadline, v, r, s);
        assertEq(token.balanceOf(address(bounties)), AMOUNT);
        assertEq(token.allowance(requester, address(bounties)), 0);
    }

    function test_openWithPermit_frontRunPermitStillOpens() public {
        uint256 permitDeadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(requesterKey, address(bounties), AMOUNT, permitDeadline);
        token.permit(requester, address(bounties), AMOUNT, permitDeadline, v, r, s);
        vm.prank(requester);
        bounties.openWithPermit(BOUNTY, AMOUNT, _deadline(), permitDeadline, v, r, s);
        assertEq(token.balanceOf(address(bounties)), AMOUNT);
    }

    function test_open_refusesBadInput() public {
        vm.startPrank(requester);
        token.approve(address(bounties), type(uint256).max);
        uint256 deadline = _deadline();
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.IdOutOfRange.selector, 0));
        bounties.open(0, AMOUNT, deadline);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.IdOutOfRange.selector, MAX_ID + 1));
        bounties.open(MAX_ID + 1, AMOUNT, deadline);
        vm.expectRevert(BountyEscrow.ZeroAmount.selector);
        bounties.open(BOUNTY, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.AmountTooLarge.selector, uint256(type(uint96).max) + 1));
        bounties.open(BOUNTY, uint256(type(uint96).max) + 1, deadline);
        uint256 earliest = block.timestamp + 1 hours;
        uint256 latest = block.timestamp + 365 days;
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.InvalidDeadline.selector, block.timestamp, earliest, latest));
        bounties.open(BOUNTY, AMOUNT, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.InvalidDeadline.selector, latest + 1, earliest, latest));
        bounties.open(BOUNTY, AMOUNT, latest + 1);
        bounties.open(BOUNTY, AMOUNT, deadline);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.BountyExists.selector, BOUNTY));
        bounties.open(BOUNTY, AMOUNT, deadline);
        vm.stopPrank();
        assertEq(token.balanceOf(address(bounties)), AMOUNT);
    }

    function test_open_strangerUnderTheSameIdHasARecordOfItsOwn() public {
        _open(stranger, BOUNTY, 1e18, _deadline());
        _open(requester, BOUNTY, AMOUNT, _deadline());
        assertEq(bounties.bounty(stranger, BOUNTY).amount, 1e18);
        assertEq(bounties.bounty(requester, BOUNTY).amount, AMOUNT);
    }

    // ------------------------------------------------------------------ accept (data request)

    function test_accept_paysTheCreatorMinusTheFeeOnce() public {
        _open(requester, BOUNTY, AMOUNT, _deadline());
        uint256 fee = AMOUNT * FEE_BPS / 10_000;
        vm.expectEmit(address(bounties));
        emit BountyAccepted(BOUNTY, requester, creator, 0, AMOUNT, fee);
        vm.prank(requester);
        bounties.accept(BOUNTY, creator, 0);
        assertEq(token.balanceOf(creator), AMOUNT - fee);
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(address(bounties)), 0);
        assertEq(uint8(bounties.bounty(requester, BOUNTY).status), uint8(BountyEscrow.Status.Accepted));

        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(BountyEscrow.WrongStatus.selector, BOUNTY, BountyEscrow.Status.Accepted)
        );
        bounties.accept(BOUNTY, rival, 0);
        vm.warp(block.timestamp + 8 days);
        vm.expectRevert(
            abi.encodeWithSelector(BountyEscrow.WrongStatus.selector, BOUNTY, BountyEscrow.Status.Accepted)
        );
        bounties.refund(requester, BOUNTY);
    }

    function test_accept_onlyTheRequesterDecides() public {
        _open(requester, BOUNTY, AMOUNT, _deadline());
        // The stranger has no open bounty under this id: it cannot accept the requester's.
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.WrongStatus.selector, BOUNTY, BountyEscrow.Status.None));
        bounties.accept(BOUNTY, stranger, 0);
        assertEq(token.balanceOf(address(bounties)), AMOUNT);
    }

    function test_accept_refusesInvalidCreatorsAndLateAcceptance() public {
        uint256 deadline = _deadline();
        _open(requester, BOUNTY, AMOUNT, deadline);
        vm.startPrank(requester);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.InvalidAddress.selector, address(0)));
        bounties.accept(BOUNTY, address(0), 0);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.InvalidAddress.selector, requester));
        bounties.accept(BOUNTY, requester, 0);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.InvalidAddress.selector, address(bounties)));
        bounties.accept(BOUNTY, address(bounties), 0);
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.DeadlinePassed.selector, BOUNTY, deadline));
        bounties.accept(BOUNTY, creator, 0);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ accept (commission)

    function test_acceptAsset_deliversTheTokenAndPaysInOneTransaction() public {
        _open(requester, BOUNTY, AMOUNT, _deadline());
        _submitAsset();
        assertEq(bounties.submitter(requester, BOUNTY, ASSET), creator);
        vm.prank(requester);
        bounties.accept(BOUNTY, creator, ASSET);
        assertEq(registry.ownerOf(ASSET), requester);
        assertEq(token.balanceOf(creator), AMOUNT - AMOUNT * FEE_BPS / 10_000);
    }

    function test_acceptAsset_refusesATokenNotSubmittedToThisBounty() public {
        // The creator submitted and approved the token for the requester's bounty; the stranger's
        // cheaper bounty cannot take it.
        _open(requester, BOUNTY, AMOUNT, _deadline());
        _open(stranger, BOUNTY + 1, 1e18, _deadline());
        _submitAsset();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.NotSubmitted.selector, BOUNTY + 1, ASSET, creator));
        bounties.accept(BOUNTY + 1, creator, ASSET);
        assertEq(registry.ownerOf(ASSET), creator);
    }

    function test_acceptAsset_revertsWholeWhenTheCreatorNoLongerOwnsIt() public {
        _open(requester, BOUNTY, AMOUNT, _deadline());
        _submitAsset();
        vm.prank(creator);
        registry.transferFrom(creator, rival, ASSET);
        vm.prank(requester);
        vm.expectRevert(); // the registry refuses: the creator is no longer the owner
        bounties.accept(BOUNTY, creator, ASSET);
        assertEq(token.balanceOf(address(bounties)), AMOUNT);
        assertEq(uint8(bounties.bounty(requester, BOUNTY).status), uint8(BountyEscrow.Status.Open));
    }

    function test_acceptAsset_revertsWithoutApproval() public {
        _open(requester, BOUNTY, AMOUNT, _deadline());
        mintAsset(creator, ASSET);
        vm.prank(creator);
        bounties.submitAsset(requester, BOUNTY, ASSET);
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(IERC721Errors.ERC721InsufficientApproval.selector, address(bounties), ASSET)
        );
        bounties.accept(BOUNTY, creator, ASSET);
    }

    function test_submitAsset_onlyByTheOwnerToAnOpenBounty() public {
        mintAsset(creator, ASSET);
        vm.prank(creator);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.WrongStatus.selector, BOUNTY, BountyEscrow.Status.None));
        bounties.submitAsset(requester, BOUNTY, ASSET);
        _open(requester, BOUNTY, AMOUNT, _deadline());
        vm.prank(rival);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.NotAssetOwner.selector, ASSET, rival));
        bounties.submitAsset(requester, BOUNTY, ASSET);
        vm.prank(creator);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.IdOutOfRange.selector, 0));
        bounties.submitAsset(requester, BOUNTY, 0);
        vm.expectEmit(address(bounties));
        emit AssetSubmitted(BOUNTY, requester, creator, ASSET);
        vm.prank(creator);
        bounties.submitAsset(requester, BOUNTY, ASSET);
    }

    // ------------------------------------------------------------------ refund

    function test_refund_byAnyoneAfterTheDeadline_paysOnlyTheRequester() public {
        uint256 deadline = _deadline();
        _open(requester, BOUNTY, AMOUNT, deadline);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.TooEarly.selector, BOUNTY, deadline));
        bounties.refund(requester, BOUNTY);
        vm.warp(deadline);
        uint256 strangerBefore = token.balanceOf(stranger);
        vm.expectEmit(address(bounties));
        emit BountyRefunded(BOUNTY, requester, AMOUNT);
        vm.prank(stranger);
        bounties.refund(requester, BOUNTY);
        assertEq(token.balanceOf(requester), FUNDS);
        assertEq(token.balanceOf(stranger), strangerBefore);
        assertEq(token.balanceOf(address(bounties)), 0);
        vm.expectRevert(
            abi.encodeWithSelector(BountyEscrow.WrongStatus.selector, BOUNTY, BountyEscrow.Status.Refunded)
        );
        bounties.refund(requester, BOUNTY);
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(BountyEscrow.WrongStatus.selector, BOUNTY, BountyEscrow.Status.Refunded)
        );
        bounties.accept(BOUNTY, creator, 0);
    }

    // ------------------------------------------------------------------ admin

    function test_admin_feeAndTreasury() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        bounties.setFee(0);
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.FeeTooHigh.selector, 1_001, 1_000));
        bounties.setFee(1_001);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.InvalidAddress.selector, address(0)));
        bounties.setTreasury(address(0));
        bounties.setFee(1_000);
        bounties.setTreasury(rival);
        vm.stopPrank();
        _open(requester, BOUNTY, AMOUNT, _deadline());
        vm.prank(requester);
        bounties.accept(BOUNTY, creator, 0);
        assertEq(token.balanceOf(rival), AMOUNT / 10);
        assertEq(bounties.feeBps(), 1_000);
        assertEq(bounties.treasury(), rival);
    }

    function test_constructor_refusesZeroAddresses() public {
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.InvalidAddress.selector, address(0)));
        new BountyEscrow(IERC20(address(0)), registry, treasury, FEE_BPS, admin);
        vm.expectRevert(abi.encodeWithSelector(BountyEscrow.InvalidAddress.selector, address(0)));
        new BountyEscrow(token, IERC721(address(0)), treasury, FEE_BPS, admin);
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_acceptSplitsExactly(uint96 amount, uint16 feeBps, uint256 duration) public {
        amount = uint96(bound(amount, 1, FUNDS));
        feeBps = uint16(bound(feeBps, 0, 1_000));
        duration = bound(duration, 1 hours, 365 days);
        vm.prank(admin);
        bounties.setFee(feeBps);
        _open(requester, BOUNTY, amount, block.timestamp + duration);
        vm.warp(block.timestamp + duration - 1);
        vm.prank(requester);
        bounties.accept(BOUNTY, creator, 0);
        uint256 fee = uint256(amount) * feeBps / 10_000;
        assertEq(token.balanceOf(creator), amount - fee);
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(requester), FUNDS - amount);
        assertEq(token.balanceOf(address(bounties)), 0);
    }

    function testFuzz_deadlineWindow(uint256 deadline) public {
        deadline = bound(deadline, 0, block.timestamp + 400 days);
        vm.startPrank(requester);
        token.approve(address(bounties), AMOUNT);
        bool valid = deadline >= block.timestamp + 1 hours && deadline <= block.timestamp + 365 days;
        if (!valid) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    BountyEscrow.InvalidDeadline.selector, deadline, block.timestamp + 1 hours, block.timestamp + 365 days
                )
            );
        }
        bounties.open(BOUNTY, AMOUNT, deadline);
        vm.stopPrank();
        assertEq(token.balanceOf(address(bounties)), valid ? AMOUNT : 0);
    }

    function testFuzz_refundOnlyFromTheDeadline(uint256 wait, address caller) public {
        uint256 deadline = _deadline();
        _open(requester, BOUNTY, AMOUNT, deadline);
        wait = bound(wait, 0, 30 days);
        vm.warp(block.timestamp + wait);
        vm.assume(caller != address(bounties) && caller != requester);
        uint256 callerBefore = token.balanceOf(caller);
        vm.prank(caller);
        if (block.timestamp < deadline) {
            vm.expectRevert(abi.encodeWithSelector(BountyEscrow.TooEarly.selector, BOUNTY, deadline));
        }
        bounties.refund(requester, BOUNTY);
        bool refunded = block.timestamp >= deadline;
        assertEq(token.balanceOf(requester), refunded ? FUNDS : FUNDS - AMOUNT);
        assertEq(token.balanceOf(caller), callerBefore);
    }
}
