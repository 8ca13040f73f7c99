// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Fixture} from "../utils/Fixture.sol";
import {AICToken} from "../../src/AICToken.sol";
import {BountyEscrow} from "../../src/BountyEscrow.sol";

/// @dev Random sequences of bounties opened by a few requesters (ids shared between them, so
///      strangers' records sit beside each other), accepted by their requester or by someone else,
///      accepted twice, refunded by anyone before and after the deadline, and time passing. The
///      handler keeps its own books, independently of the escrow: what is open, what each
///      requester, creator and the treasury should hold, and every payment that should not have
///      happened.
contract BountyHandler is Test {
    AICToken internal immutable token;
    BountyEscrow internal immutable escrow;
    address public immutable treasury;

    address[] public requesters;
    address[] public creators;
    uint256 public time;

    struct Ghost {
        address requester;
        uint256 id;
        uint256 amount;
        uint256 deadline;
        uint8 status; // BountyEscrow.Status
    }

    Ghost[] internal _bounties;
    mapping(address => mapping(uint256 => bool)) internal _used;

    uint256 public ghostOpenTotal;
    uint256 public ghostFees;
    /// Payments the contract made that the rules forbid (a second payout, an early refund, a
    /// refund to someone else, acceptance by someone other than the requester).
    uint256 public ghostForbidden;
    mapping(address => uint256) public ghostEarned;
    mapping(address => uint256) public ghostSpent;

    uint256 internal constant FEE_BPS = 250;

    constructor(AICToken token_, BountyEscrow escrow_, address treasury_) {
        token = token_;
        escrow = escrow_;
        treasury = treasury_;
        time = block.timestamp;
        for (uint256 i = 0; i < 3; i++) {
            requesters.push(makeAddr(string.concat("requester", vm.toString(i))));
            creators.push(makeAddr(string.concat("creator", vm.toString(i))));
        }
    }

    modifier atTime() {
        vm.warp(time);
        _;
    }

    function requesterCount() external view returns (uint256) {
        return requesters.length;
    }

    function bountyCount() external view returns (uint256) {
        return _bounties.length;
    }

    function bountyAt(uint256 i) external view returns (Ghost memory) {
        return _bounties[i];
    }

    function open(uint256 who, uint256 id, uint256 amount, uint256 duration) external atTime {
        address r = requesters[who % requesters.length];
        id = bound(id, 1, 5);
        amount = bound(amount, 1, 1_000e18);
        duration = bound(duration, 1 hours, 30 days);
        vm.startPrank(r);
        token.approve(address(escrow), amount);
        try escrow.open(id, amount, time + duration) {
            if (_used[r][id]) ghostForbidden++;
            _used[r][id] = true;
            _bounties.push(Ghost(r, id, amount, time + duration, uint8(BountyEscrow.Status.Open)));
            ghostOpenTotal += amount;
            ghostSpent[r] += amount;
        } catch {}
        vm.stopPrank();
    }

    function accept(uint256 index, uint256 caller, uint256 creator) external atTime {
        if (_bounties.length == 0) return;
        Ghost storage g = _bounties[index % _bounties.length];
        // Half of the time the requester accepts, else another requester tries to accept theirs.
        address from = caller % 2 == 0 ? g.requester : requesters[caller % requesters.length];
        address c = creators[creator % creators.length];
        bool allowed = from == g.requester && g.status == uint8(BountyEscrow.Status.Open) && time < g.deadline;
        vm.prank(from);
        try escrow.accept(g.id, c, 0) {
            if (from != g.requester) {
                // Another requester accepted their own record under the same id: find it.
                _closeOwn(from, g.id, c);
                return;
            }
            if (!allowed) ghostForbidden++;
            g.status = uint8(BountyEscrow.Status.Accepted);
            uint256 fee = g.amount * FEE_BPS / 10_000;
            ghostOpenTotal -= g.amount;
            ghostFees += fee;
            ghostEarned[c] += g.amount - fee;
        } catch {
            if (allowed) ghostForbidden++;
        }
    }

    function refund(uint256 index, uint256 caller) external atTime {
        if (_bounties.length == 0) return;
        Ghost storage g = _bounties[index % _bounties.length];
        bool allowed = g.status == uint8(BountyEscrow.Status.Open) && time >= g.deadline;
        uint256 before = token.balanceOf(g.requester);
        vm.prank(creators[caller % creators.length]);
        try escrow.refund(g.requester, g.id) {
            if (!allowed || token.balanceOf(g.requester) != before + g.amount) ghostForbidden++;
            g.status = uint8(BountyEscrow.Status.Refunded);
            ghostOpenTotal -= g.amount;
            ghostSpent[g.requester] -= g.amount;
        } catch {
            if (allowed) ghostForbidden++;
        }
    }

    function warp(uint256 seconds_) external {
        time += bound(seconds_, 1, 10 days);
    }

    function _closeOwn(address requester, uint256 id, address c) internal {
        for (uint256 i = 0; i < _bounties.length; i++) {
            Ghost storage g = _bounties[i];
            if (g.requester == requester && g.id == id) {
                if (g.status != uint8(BountyEscrow.Status.Open) || time >= g.deadline) ghostForbidden++;
                g.status = uint8(BountyEscrow.Status.Accepted);
                uint256 fee = g.amount * FEE_BPS / 10_000;
                ghostOpenTotal -= g.amount;
                ghostFees += fee;
                ghostEarned[c] += g.amount - fee;
                return;
            }
        }
        ghostForbidden++; // accepted a record the books never opened
    }
}

contract BountyInvariantTest is Fixture {
    BountyHandler internal handler;
    uint256 internal constant FUNDS = 1_000_000e18;

    function setUp() public {
        vm.warp(1_900_000_000);
        deployAll();
        deployBountyEscrow();
        handler = new BountyHandler(token, bounties, treasury);
        for (uint256 i = 0; i < handler.requesterCount(); i++) {
            fund(handler.requesters(i), FUNDS);
        }
        targetContract(address(handler));
    }

    /// The escrow holds exactly the sum of the open bounties.
    function invariant_BalanceIsTheOpenBounties() public view {
        assertEq(token.balanceOf(address(bounties)), handler.ghostOpenTotal());
    }

    /// Each record matches the books: a bounty is paid out (accepted or refunded) at most once, and
    /// a refund happens only after the deadline, only to the requester.
    function invariant_RecordsMatchTheBooks() public view {
        assertEq(handler.ghostForbidden(), 0);
        for (uint256 i = 0; i < handler.bountyCount(); i++) {
            BountyHandler.Ghost memory g = handler.bountyAt(i);
            BountyEscrow.Bounty memory b = bounties.bounty(g.requester, g.id);
            assertEq(uint8(b.status), g.status);
            assertEq(b.amount, g.amount);
        }
    }

    /// Creators, requesters and the treasury hold exactly what the books say.
    function invariant_EveryoneHoldsWhatTheyShould() public view {
        assertEq(token.balanceOf(treasury), handler.ghostFees());
        for (uint256 i = 0; i < handler.requesterCount(); i++) {
            assertEq(token.balanceOf(handler.creators(i)), handler.ghostEarned(handler.creators(i)));
            address r = handler.requesters(i);
            assertEq(token.balanceOf(r), FUNDS - handler.ghostSpent(r));
        }
    }
}
