// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Fixture} from "../utils/Fixture.sol";
import {AICToken} from "../../src/AICToken.sol";
import {CompetitionEscrow} from "../../src/CompetitionEscrow.sol";
import {JobEscrow} from "../../src/JobEscrow.sol";

/// @dev Random sequences on both escrows among a few hosts/requesters (who fund with or without
///      permit), winners and providers: competitions funded, topped up, cancelled, finalised with
///      some places held, held places assigned, pools and held shares reclaimed; jobs deposited,
///      settled, refunded and reclaimed; fee changes and time passing. The handler keeps its own
///      books (what each competition and job should still hold, what each account should have
///      received) computed independently of the contracts, and tries to pay closed things again.
contract EscrowHandler is Test {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    AICToken internal immutable token;
    CompetitionEscrow internal immutable competitions;
    JobEscrow internal immutable jobs;
    address internal immutable operator;
    address internal immutable admin;
    address public immutable treasury;

    address[] public payers; // hosts and requesters
    uint256[] internal keys;
    address[] public payees; // winners and providers

    /// Block time, carried from call to call.
    uint256 public time;

    struct GhostCompetition {
        address host;
        uint256 start;
        uint256 end;
        uint256 pool;
        uint16[] split;
        uint256 held; // bit i: place i held
        uint256 paid; // bit i: place i paid
        bool open;
        bool finalized;
        uint256 finalizedAt;
    }

    struct GhostJob {
        address requester;
        uint256 budget;
        uint256 deadline;
        bool open;
    }

    uint256[] public competitionIds;
    mapping(uint256 => GhostCompetition) internal _comp;
    uint256[] public jobIds;
    mapping(uint256 => GhostJob) internal _job;

    uint256 public ghostCompetitionOwed;
    uint256 public ghostJobOwed;
    uint256 public ghostFees;
    uint256 public ghostDoublePays;
    /// Calls that should have paid but reverted (recorded, since the invariant runner ignores
    /// reverts in handlers).
    uint256 public ghostRefusals;
    mapping(address => uint256) public ghostSpent; // by payers, net of refunds
    mapping(address => uint256) public ghostRefunded;
    mapping(address => uint256) public ghostEarned; // by payees (and payers paid as winners)

    constructor(
        AICToken token_,
        CompetitionEscrow competitions_,
        JobEscrow jobs_,
        address operator_,
        address admin_,
        address treasury_
    ) {
        token = token_;
        competitions = competitions_;
        jobs = jobs_;
        operator = operator_;
        admin = admin_;
        treasury = treasury_;
        time = block.timestamp;
        for (uint256 i = 0; i < 3; i++) {
            (address a, uint256 k) = makeAddrAndKey(string.concat("payer", vm.toString(i)));
            payers.push(a);
            keys.push(k);
            payees.push(makeAddr(string.concat("payee", vm.toString(i))));
        }
    }

    modifier atTime() {
        vm.warp(time);
        _;
    }

    function payerCount() external view returns (uint256) {
        return payers.length;
    }

    function competitionCount() external view returns (uint256) {
        return competitionIds.length;
    }

    function jobCount() external view returns (uint256) {
        return jobIds.length;
    }

    // ------------------------------------------------------------ time and admin

    function passTime(uint256 secs) external {
        time += bound(secs, 1, 40 days);
    }

    function setFee(uint256 feeBps) external atTime {
        uint16 fee = uint16(bound(feeBps, 0, jobs.MAX_FEE_BPS()));
        vm.prank(admin);
        jobs.setFee(fee);
    }

    // ------------------------------------------------------------ competitions

    function fundCompetition(uint256 payerSeed, uint256 splitSeed, uint256 amount, uint256 timing, bool withPermit)
        external
        atTime
    {
        uint256 p = bound(payerSeed, 0, payers.length - 1);
        uint16[] memory split = _split(1 + splitSeed % 10, splitSeed);
        amount = bound(amount, 1, 10_000e18);
        uint64 start = uint64(time + timing % 10 days); // starts now or within 10 days
        uint64 end = uint64(start + 1 + (timing >> 128) % 60 days); // lasts up to 60 days
        uint256 id = 1_000 + competitionIds.length;
        _fund(p, id, start, end, split, amount, withPermit);
        address host = payers[p];
        competitionIds.push(id);
        GhostCompetition storage g = _comp[id];
        g.host = host;
        g.start = start;
        g.end = end;
        g.pool = amount;
        g.split = split;
        g.open = true;
        ghostCompetitionOwed += amount;
        ghostSpent[host] += amount;
    }

    function increasePool(uint256 idSeed, uint256 amount, bool withPermit) external atTime {
        (uint256 id, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (!g.open || time >= g.start) return;
        amount = bound(amount, 1, 1_000e18);
        uint256 p = _payerIndex(g.host);
        if (withPermit) {
            (uint8 v, bytes32 r, bytes32 s) = _permit(p, address(competitions), amount);
            vm.prank(g.host);
            competitions.increasePoolWithPermit(id, amount, time + 1 hours, v, r, s);
        } else {
            vm.startPrank(g.host);
            token.approve(address(competitions), amount);
            competitions.increasePool(id, amount);
            vm.stopPrank();
        }
        g.pool += amount;
        ghostCompetitionOwed += amount;
        ghostSpent[g.host] += amount;
    }

    function cancel(uint256 idSeed) external atTime {
        (uint256 id, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (!g.open || time >= g.start) return;
        vm.prank(g.host);
        competitions.cancel(id);
        g.open = false;
        ghostCompetitionOwed -= g.pool;
        ghostRefunded[g.host] += g.pool;
    }

    function finalize(uint256 idSeed, uint256 heldSeed, uint256 winnerSeed) external {
        (uint256 id, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (!g.open) return;
        if (time < g.start) time = g.start;
        vm.warp(time);
        uint256 places = g.split.length;
        address[] memory winners = new address[](places);
        uint256[] memory prizes = _prizes(g);
        for (uint256 i = 0; i < places; i++) {
            if ((heldSeed >> i) & 3 == 0) {
                g.held |= 1 << i; // a quarter of the places, on average, have no wallet yet
                continue;
            }
            winners[i] = payees[uint256(keccak256(abi.encode(winnerSeed, i))) % payees.length];
        }
        vm.prank(operator);
        competitions.finalize(id, winners);
        g.open = false;
        g.finalized = true;
        g.finalizedAt = time;
        for (uint256 i = 0; i < places; i++) {
            if (winners[i] != address(0)) {
                g.paid |= 1 << i;
                ghostEarned[winners[i]] += prizes[i];
                ghostCompetitionOwed -= prizes[i];
            }
        }
    }

    function assignWinner(uint256 idSeed, uint256 placeSeed, uint256 walletSeed) external atTime {
        (uint256 id, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (!g.finalized) return;
        uint256 place = bound(placeSeed, 0, g.split.length - 1);
        address wallet = payees[bound(walletSeed, 0, payees.length - 1)];
        bool held = g.held & (1 << place) != 0;
        vm.prank(operator);
        try competitions.assignWinner(id, place, wallet) {
            if (!held) {
                ghostDoublePays++; // paid already (or reclaimed), yet paid again
                return;
            }
            uint256 prize = _prizes(g)[place];
            g.held &= ~(1 << place);
            g.paid |= 1 << place;
            ghostEarned[wallet] += prize;
            ghostCompetitionOwed -= prize;
        } catch {
            if (held) ghostRefusals++; // a held place could not be assigned
        }
    }

    function reclaimPool(uint256 idSeed) external {
        (uint256 id, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (!g.open) return;
        uint256 at = g.end + competitions.FINALIZE_GRACE();
        if (time < at) time = at;
        vm.warp(time);
        vm.prank(g.host);
        competitions.reclaimPool(id);
        g.open = false;
        ghostCompetitionOwed -= g.pool;
        ghostRefunded[g.host] += g.pool;
    }

    function reclaimHeld(uint256 idSeed) external {
        (uint256 id, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (!g.finalized || g.held == 0) return;
        uint256 at = g.finalizedAt + competitions.HOLD_PERIOD();
        if (time < at) time = at;
        vm.warp(time);
        uint256[] memory prizes = _prizes(g);
        uint256 amount;
        for (uint256 i = 0; i < prizes.length; i++) {
            if (g.held & (1 << i) != 0) amount += prizes[i];
        }
        vm.prank(g.host);
        competitions.reclaimHeld(id);
        g.held = 0;
        ghostCompetitionOwed -= amount;
        ghostRefunded[g.host] += amount;
    }

    /// Tries to pay a closed competition again: every path must revert.
    function payClosedCompetitionAgain(uint256 idSeed, uint256 walletSeed) external atTime {
        (uint256 id, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (g.open) return;
        address wallet = payees[bound(walletSeed, 0, payees.length - 1)];
        address[] memory winners = new address[](g.split.length);
        for (uint256 i = 0; i < winners.length; i++) {
            winners[i] = wallet;
        }
        vm.prank(operator);
        try competitions.finalize(id, winners) {
            ghostDoublePays++;
        } catch {}
        vm.prank(g.host);
        try competitions.cancel(id) {
            ghostDoublePays++;
        } catch {}
        vm.prank(g.host);
        try competitions.reclaimPool(id) {
            ghostDoublePays++;
        } catch {}
        if (g.held == 0) {
            vm.prank(g.host);
            try competitions.reclaimHeld(id) {
                ghostDoublePays++;
            } catch {}
        }
    }

    // ------------------------------------------------------------ jobs

    function depositJob(uint256 payerSeed, uint256 amount, uint256 timeout, bool withPermit) external atTime {
        uint256 p = bound(payerSeed, 0, payers.length - 1);
        address requester = payers[p];
        amount = bound(amount, 1, 10_000e18);
        timeout = bound(timeout, jobs.MIN_TIMEOUT(), jobs.MAX_TIMEOUT());
        uint256 id = 5_000 + jobIds.length;
        if (withPermit) {
            (uint8 v, bytes32 r, bytes32 s) = _permit(p, address(jobs), amount);
            vm.prank(requester);
            jobs.depositWithPermit(id, amount, timeout, time + 1 hours, v, r, s);
        } else {
            vm.startPrank(requester);
            token.approve(address(jobs), amount);
            jobs.deposit(id, amount, timeout);
            vm.stopPrank();
        }
        jobIds.push(id);
        _job[id] = GhostJob(requester, amount, time + timeout, true);
        ghostJobOwed += amount;
        ghostSpent[requester] += amount;
    }

    function settleJob(uint256 idSeed, uint256 amount, uint256 providerSeed) external atTime {
        (uint256 id, GhostJob storage g) = _pickJob(idSeed);
        address provider = payees[bound(providerSeed, 0, payees.length - 1)];
        amount = bound(amount, 0, g.budget);
        uint256 fee = amount * jobs.feeBps() / 10_000;
        vm.prank(operator);
        try jobs.settle(id, provider, amount) {
            if (!g.open) {
                ghostDoublePays++;
                return;
            }
            g.open = false;
            ghostJobOwed -= g.budget;
            ghostEarned[provider] += amount - fee;
            ghostFees += fee;
            ghostRefunded[g.requester] += g.budget - amount;
        } catch {
            if (g.open) ghostRefusals++; // an open job could not be settled
        }
    }

    function refundJob(uint256 idSeed) external atTime {
        (uint256 id, GhostJob storage g) = _pickJob(idSeed);
        vm.prank(operator);
        try jobs.refund(id) {
            if (!g.open) {
                ghostDoublePays++;
                return;
            }
            g.open = false;
            ghostJobOwed -= g.budget;
            ghostRefunded[g.requester] += g.budget;
        } catch {
            if (g.open) ghostRefusals++; // an open job could not be refunded
        }
    }

    function reclaimJob(uint256 idSeed) external {
        (uint256 id, GhostJob storage g) = _pickJob(idSeed);
        if (g.open && time < g.deadline) time = g.deadline;
        vm.warp(time);
        vm.prank(g.requester);
        try jobs.reclaim(id) {
            if (!g.open) {
                ghostDoublePays++;
                return;
            }
            g.open = false;
            ghostJobOwed -= g.budget;
            ghostRefunded[g.requester] += g.budget;
        } catch {
            if (g.open) ghostRefusals++; // an open job past its deadline could not be reclaimed
        }
    }

    // ------------------------------------------------------------ helpers

    function _fund(
        uint256 p,
        uint256 id,
        uint64 start,
        uint64 end,
        uint16[] memory split,
        uint256 amount,
        bool withPermit
    ) private {
        address host = payers[p];
        if (withPermit) {
            (uint8 v, bytes32 r, bytes32 s) = _permit(p, address(competitions), amount);
            vm.prank(host);
            competitions.fundWithPermit(id, start, end, split, amount, time + 1 hours, v, r, s);
        } else {
            vm.startPrank(host);
            token.approve(address(competitions), amount);
            competitions.fund(id, start, end, split, amount);
            vm.stopPrank();
        }
    }

    /// The expected prizes, computed here: floor(pool * bps / 10000), the rest to place 0.
    function _prizes(GhostCompetition storage g) private view returns (uint256[] memory prizes) {
        uint256 n = g.split.length;
        prizes = new uint256[](n);
        uint256 sum;
        for (uint256 i = 1; i < n; i++) {
            prizes[i] = g.pool * g.split[i] / 10_000;
            sum += prizes[i];
        }
        prizes[0] = g.pool - sum;
    }

    function _split(uint256 places, uint256 seed) private pure returns (uint16[] memory split) {
        split = new uint16[](places);
        uint256 left = 10_000;
        for (uint256 i = 0; i < places; i++) {
            uint256 bps =
                i == places - 1 ? left : 1 + uint256(keccak256(abi.encode(seed, i))) % (left - (places - i - 1));
            // forge-lint: disable-next-line(unsafe-typecast)
            split[i] = uint16(bps); // at most 10,000
            left -= bps;
        }
    }

    function _permit(uint256 p, address spender, uint256 amount) private view returns (uint8, bytes32, bytes32) {
        address owner = payers[p];
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, amount, token.nonces(owner), time + 1 hours));
        return vm.sign(keys[p], keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
    }

    function _payerIndex(address a) private view returns (uint256) {
        for (uint256 i = 0; i < payers.length; i++) {
            if (payers[i] == a) return i;
        }
        revert("not a payer");
    }

    function _pickCompetition(uint256 seed) private returns (uint256 id, GhostCompetition storage g) {
        if (competitionIds.length == 0) {
            this.fundCompetition(seed, seed, seed, seed, false);
        }
        id = competitionIds[seed % competitionIds.length];
        g = _comp[id];
    }

    function _pickJob(uint256 seed) private returns (uint256 id, GhostJob storage g) {
        if (jobIds.length == 0) {
            this.depositJob(seed, seed, seed, false);
        }
        id = jobIds[seed % jobIds.length];
        g = _job[id];
    }
}

contract EscrowInvariantTest is Fixture {
    EscrowHandler internal handler;
    uint256 internal constant FUNDS = 10_000_000e18;

    function setUp() public {
        vm.warp(1_900_000_000);
        deployAll();
        deployEscrows();
        handler = new EscrowHandler(token, competitions, jobs, minter, admin, treasury);
        for (uint256 i = 0; i < handler.payerCount(); i++) {
            fund(handler.payers(i), FUNDS);
        }
        targetContract(address(handler));
    }

    /// The supply is fixed, and AIC only moves between the payers, the payees, the treasury and
    /// the two escrows: their balances always add up to what the payers were given.
    function invariant_TotalConserved() public view {
        assertEq(token.totalSupply(), token.TOTAL_SUPPLY());
        uint256 sum =
            token.balanceOf(address(competitions)) + token.balanceOf(address(jobs)) + token.balanceOf(treasury);
        for (uint256 i = 0; i < handler.payerCount(); i++) {
            sum += token.balanceOf(handler.payers(i)) + token.balanceOf(handler.payees(i));
        }
        assertEq(sum, FUNDS * handler.payerCount());
    }

    /// The competition escrow holds exactly what it still owes: the pools of open competitions
    /// and the held shares of finalised ones (by its own books and by the handler's).
    function invariant_CompetitionEscrowHoldsExactlyItsObligations() public view {
        uint256 owed;
        for (uint256 i = 0; i < handler.competitionCount(); i++) {
            owed += competitions.outstanding(handler.competitionIds(i));
        }
        assertEq(token.balanceOf(address(competitions)), owed);
        assertEq(owed, handler.ghostCompetitionOwed());
    }

    /// The job escrow holds exactly the budgets of the jobs still open.
    function invariant_JobEscrowHoldsExactlyItsObligations() public view {
        uint256 owed;
        for (uint256 i = 0; i < handler.jobCount(); i++) {
            owed += jobs.outstanding(handler.jobIds(i));
        }
        assertEq(token.balanceOf(address(jobs)), owed);
        assertEq(owed, handler.ghostJobOwed());
    }

    /// Nothing is paid twice: no second payment of a closed place, competition or job ever went
    /// through (and every due payment did), and every account holds exactly what the handler's books say it earned, was
    /// refunded, or kept.
    function invariant_NothingPaidTwice() public view {
        assertEq(handler.ghostRefusals(), 0);
        assertEq(handler.ghostDoublePays(), 0);
        assertEq(token.balanceOf(treasury), handler.ghostFees());
        for (uint256 i = 0; i < handler.payerCount(); i++) {
            address payer = handler.payers(i);
            address payee = handler.payees(i);
            assertEq(token.balanceOf(payee), handler.ghostEarned(payee));
            assertEq(
                token.balanceOf(payer),
                FUNDS - handler.ghostSpent(payer) + handler.ghostRefunded(payer) + handler.ghostEarned(payer)
            );
        }
    }
}
