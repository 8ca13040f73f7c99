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
///      assigned and re-assigned, settled, refunded and reclaimed; fee changes and time passing.
///      Strangers (the other payers) deposit under ids other payers already use, and under the
///      id the next payer is about to use (a front-run), and call the host/requester functions
///      under ids they have no record under. The handler keeps its own books (every record, what
///      each competition and job should still hold, what each account should have received)
///      computed independently of the contracts, and tries to pay closed things again.
contract EscrowHandler is Test {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    AICToken internal immutable token;
    CompetitionEscrow internal immutable competitions;
    JobEscrow internal immutable jobs;
    address internal immutable operator;
    address internal immutable admin;
    address public immutable treasury;

    address[] public payers; // hosts and requesters (and strangers to each other's records)
    uint256[] internal keys;
    address[] public payees; // winners and providers

    /// Block time, carried from call to call.
    uint256 public time;

    // Statuses, as the escrows number them.
    uint8 internal constant C_OPEN = uint8(CompetitionEscrow.Status.Open);
    uint8 internal constant C_FINALIZED = uint8(CompetitionEscrow.Status.Finalized);
    uint8 internal constant C_CANCELLED = uint8(CompetitionEscrow.Status.Cancelled);
    uint8 internal constant C_RECLAIMED = uint8(CompetitionEscrow.Status.Reclaimed);
    uint8 internal constant J_FUNDED = uint8(JobEscrow.Status.Funded);
    uint8 internal constant J_SETTLED = uint8(JobEscrow.Status.Settled);
    uint8 internal constant J_REFUNDED = uint8(JobEscrow.Status.Refunded);
    uint8 internal constant J_RECLAIMED = uint8(JobEscrow.Status.Reclaimed);

    struct GhostCompetition {
        address host;
        uint256 id;
        uint256 start;
        uint256 end;
        uint256 pool;
        uint16[] split;
        uint256 held; // bit i: place i held
        uint256 paid; // bit i: place i paid
        uint8 status;
        uint256 finalizedAt;
    }

    struct GhostJob {
        address requester;
        uint256 id;
        uint256 budget;
        uint256 deadline;
        uint8 status;
        address provider;
    }

    GhostCompetition[] internal _comps;
    mapping(address => mapping(uint256 => bool)) public hasCompetition;
    mapping(uint256 id => uint256[]) internal _compsById;
    uint256 public nextCompetitionId = 1_000;

    GhostJob[] internal _jobs;
    mapping(address => mapping(uint256 => bool)) public hasJob;
    mapping(uint256 id => uint256[]) internal _jobsById;
    mapping(address => mapping(uint256 => mapping(uint256 => bool))) internal _partReleased;
    uint256 public nextJobId = 5_000;

    uint256 public ghostCompetitionOwed;
    uint256 public ghostJobOwed;
    uint256 public ghostFees;
    uint256 public ghostDoublePays;
    /// Calls that should have paid but reverted (recorded, since the invariant runner ignores
    /// reverts in handlers).
    uint256 public ghostRefusals;
    /// Calls by a stranger that went through, or changed another depositor's record.
    uint256 public ghostForeignChanges;
    /// How often a stranger deposited under an id another payer used or was about to use.
    uint256 public ghostSquats;
    /// Deposits and funds by a payer under an id it had not used that reverted (e.g. because a
    /// stranger used the id first).
    uint256 public ghostBlockedDeposits;
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
        return _comps.length;
    }

    function jobCount() external view returns (uint256) {
        return _jobs.length;
    }

    /// The handler's record of competition `i`: (host, id, expected on-chain record).
    function competitionAt(uint256 i)
        external
        view
        returns (address host, uint256 id, CompetitionEscrow.Competition memory expected)
    {
        GhostCompetition storage g = _comps[i];
        uint256 packed;
        for (uint256 p = 0; p < g.split.length; p++) {
            packed |= uint256(g.split[p]) << (16 * p);
        }
        expected = CompetitionEscrow.Competition({
            startTime: uint40(g.start),
            endTime: uint40(g.end),
            status: CompetitionEscrow.Status(g.status),
            places: uint8(g.split.length),
            pool: uint96(g.pool),
            splits: uint160(packed),
            finalizedAt: uint40(g.finalizedAt),
            heldMask: g.status == C_FINALIZED ? uint16(g.held) : 0
        });
        return (g.host, g.id, expected);
    }

    /// The handler's record of job `i`: (requester, id, expected on-chain record).
    function jobAt(uint256 i) external view returns (address requester, uint256 id, JobEscrow.Job memory expected) {
        GhostJob storage g = _jobs[i];
        expected = JobEscrow.Job({
            budget: uint96(g.budget),
            deadline: uint40(g.deadline),
            status: JobEscrow.Status(g.status),
            provider: g.provider
        });
        return (g.requester, g.id, expected);
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

    /// A payer funds a competition under the plaza's next id (which a stranger may have used
    /// first: that must not stop the payer).
    function fundCompetition(uint256 payerSeed, uint256 splitSeed, uint256 amount, uint256 timing, bool withPermit)
        external
        atTime
    {
        uint256 p = bound(payerSeed, 0, payers.length - 1);
        // the first payer without a record under the next id (all three squatted: a fresh id)
        uint256 id = nextCompetitionId;
        uint256 tries;
        while (hasCompetition[payers[p]][id]) {
            p = (p + 1) % payers.length;
            if (++tries == payers.length) {
                id = ++nextCompetitionId;
                tries = 0;
            }
        }
        nextCompetitionId = id + 1;
        _fundAndBook(p, id, splitSeed, amount, timing, withPermit);
    }

    /// A stranger funds under an id another payer uses, or under the next id before its payer.
    function strangerFundsCompetition(
        uint256 payerSeed,
        uint256 idSeed,
        uint256 splitSeed,
        uint256 amount,
        uint256 timing,
        bool withPermit,
        bool frontRun
    ) external atTime {
        uint256 p = bound(payerSeed, 0, payers.length - 1);
        uint256 id = frontRun || _comps.length == 0 ? nextCompetitionId : _comps[idSeed % _comps.length].id;
        if (hasCompetition[payers[p]][id]) return;
        bytes32[] memory before = _competitionsUnder(id);
        _fundAndBook(p, id, splitSeed, amount, timing, withPermit);
        _checkCompetitionsUnchanged(id, before);
        ghostSquats++;
    }

    function increasePool(uint256 idSeed, uint256 amount, bool withPermit) external atTime {
        (uint256 i, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (g.status != C_OPEN || time >= g.start) return;
        amount = bound(amount, 1, 1_000e18);
        uint256 p = _payerIndex(g.host);
        bytes32[] memory before = _competitionsUnder(g.id);
        if (withPermit) {
            (uint8 v, bytes32 r, bytes32 s) = _permit(p, address(competitions), amount);
            vm.prank(g.host);
            competitions.increasePoolWithPermit(g.id, amount, time + 1 hours, v, r, s);
        } else {
            vm.startPrank(g.host);
            token.approve(address(competitions), amount);
            competitions.increasePool(g.id, amount);
            vm.stopPrank();
        }
        g.pool += amount;
        ghostCompetitionOwed += amount;
        ghostSpent[g.host] += amount;
        _checkCompetitionsUnchanged(g.id, before, i);
    }

    function cancel(uint256 idSeed) external atTime {
        (uint256 i, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (g.status != C_OPEN || time >= g.start) return;
        bytes32[] memory before = _competitionsUnder(g.id);
        vm.prank(g.host);
        competitions.cancel(g.id);
        g.status = C_CANCELLED;
        ghostCompetitionOwed -= g.pool;
        ghostRefunded[g.host] += g.pool;
        _checkCompetitionsUnchanged(g.id, before, i);
    }

    function finalize(uint256 idSeed, uint256 heldSeed, uint256 winnerSeed) external {
        (, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (g.status != C_OPEN) return;
        if (time < g.end) time = g.end;
        vm.warp(time);
        uint256 places = g.split.length;
        address[] memory winners = new address[](places);
        uint256[] memory prizes = _prizes(g);
        uint256 held;
        for (uint256 i = 0; i < places; i++) {
            if ((heldSeed >> i) & 3 == 0) {
                held |= 1 << i; // a quarter of the places, on average, have no wallet yet
                continue;
            }
            winners[i] = payees[uint256(keccak256(abi.encode(winnerSeed, i))) % payees.length];
        }
        vm.prank(operator);
        competitions.finalize(g.host, g.id, winners);
        g.held = held;
        g.status = C_FINALIZED;
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
        (, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (g.status != C_FINALIZED) return;
        uint256 place = bound(placeSeed, 0, g.split.length - 1);
        address wallet = payees[bound(walletSeed, 0, payees.length - 1)];
        bool held = g.held & (1 << place) != 0;
        vm.prank(operator);
        try competitions.assignWinner(g.host, g.id, place, wallet) {
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
        (uint256 i, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (g.status != C_OPEN) return;
        uint256 at = g.end + competitions.FINALIZE_GRACE();
        if (time < at) time = at;
        vm.warp(time);
        bytes32[] memory before = _competitionsUnder(g.id);
        vm.prank(g.host);
        competitions.reclaimPool(g.id);
        g.status = C_RECLAIMED;
        ghostCompetitionOwed -= g.pool;
        ghostRefunded[g.host] += g.pool;
        _checkCompetitionsUnchanged(g.id, before, i);
    }

    function reclaimHeld(uint256 idSeed) external {
        (uint256 i, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (g.status != C_FINALIZED || g.held == 0) return;
        uint256 at = g.finalizedAt + competitions.HOLD_PERIOD();
        if (time < at) time = at;
        vm.warp(time);
        uint256[] memory prizes = _prizes(g);
        uint256 amount;
        for (uint256 p = 0; p < prizes.length; p++) {
            if (g.held & (1 << p) != 0) amount += prizes[p];
        }
        bytes32[] memory before = _competitionsUnder(g.id);
        vm.prank(g.host);
        competitions.reclaimHeld(g.id);
        g.held = 0;
        ghostCompetitionOwed -= amount;
        ghostRefunded[g.host] += amount;
        _checkCompetitionsUnchanged(g.id, before, i);
    }

    /// Tries to pay a closed competition again: every path must revert.
    function payClosedCompetitionAgain(uint256 idSeed, uint256 walletSeed) external atTime {
        (, GhostCompetition storage g) = _pickCompetition(idSeed);
        if (g.status == C_OPEN) return;
        address wallet = payees[bound(walletSeed, 0, payees.length - 1)];
        address[] memory winners = new address[](g.split.length);
        for (uint256 i = 0; i < winners.length; i++) {
            winners[i] = wallet;
        }
        vm.prank(operator);
        try competitions.finalize(g.host, g.id, winners) {
            ghostDoublePays++;
        } catch {}
        vm.prank(g.host);
        try competitions.cancel(g.id) {
            ghostDoublePays++;
        } catch {}
        vm.prank(g.host);
        try competitions.reclaimPool(g.id) {
            ghostDoublePays++;
        } catch {}
        if (g.held == 0) {
            vm.prank(g.host);
            try competitions.reclaimHeld(g.id) {
                ghostDoublePays++;
            } catch {}
        }
    }

    /// A payer with no record under another payer's competition id calls every host function
    /// under that id, and the operator names the stranger as host: all must revert and change
    /// nothing.
    function strangerPokesCompetition(uint256 idSeed, uint256 payerSeed, uint256 amount) external atTime {
        (, GhostCompetition storage g) = _pickCompetition(idSeed);
        address stranger = payers[bound(payerSeed, 0, payers.length - 1)];
        if (hasCompetition[stranger][g.id]) return;
        uint256 id = g.id;
        amount = bound(amount, 1, 1_000e18);
        bytes32[] memory before = _competitionsUnder(id);
        vm.startPrank(stranger);
        token.approve(address(competitions), amount);
        try competitions.increasePool(id, amount) {
            ghostForeignChanges++;
        } catch {}
        try competitions.cancel(id) {
            ghostForeignChanges++;
        } catch {}
        try competitions.reclaimPool(id) {
            ghostForeignChanges++;
        } catch {}
        try competitions.reclaimHeld(id) {
            ghostForeignChanges++;
        } catch {}
        token.approve(address(competitions), 0);
        vm.stopPrank();
        vm.startPrank(operator);
        try competitions.finalize(stranger, id, new address[](g.split.length)) {
            ghostForeignChanges++;
        } catch {}
        try competitions.assignWinner(stranger, id, 0, stranger) {
            ghostForeignChanges++;
        } catch {}
        vm.stopPrank();
        _checkCompetitionsUnchanged(id, before);
    }

    // ------------------------------------------------------------ jobs

    /// A payer deposits under the plaza's next job id (which a stranger may have used first).
    function depositJob(uint256 payerSeed, uint256 amount, uint256 timeout, bool withPermit) external atTime {
        uint256 p = bound(payerSeed, 0, payers.length - 1);
        uint256 id = nextJobId;
        uint256 tries;
        while (hasJob[payers[p]][id]) {
            p = (p + 1) % payers.length;
            if (++tries == payers.length) {
                id = ++nextJobId;
                tries = 0;
            }
        }
        nextJobId = id + 1;
        _depositAndBook(p, id, amount, timeout, withPermit);
    }

    /// A stranger deposits under an id another payer uses, or under the next id before its payer.
    function strangerDepositsJob(
        uint256 payerSeed,
        uint256 idSeed,
        uint256 amount,
        uint256 timeout,
        bool withPermit,
        bool frontRun
    ) external atTime {
        uint256 p = bound(payerSeed, 0, payers.length - 1);
        uint256 id = frontRun || _jobs.length == 0 ? nextJobId : _jobs[idSeed % _jobs.length].id;
        if (hasJob[payers[p]][id]) return;
        bytes32[] memory before = _jobsUnder(id);
        _depositAndBook(p, id, amount, timeout, withPermit);
        _checkJobsUnchanged(id, before);
        ghostSquats++;
    }

    /// The operator leases a job to a provider (again, for a job already assigned): accepted
    /// exactly while the job is funded.
    function assignJob(uint256 idSeed, uint256 providerSeed) external atTime {
        (, GhostJob storage g) = _pickJob(idSeed);
        address provider = payees[bound(providerSeed, 0, payees.length - 1)];
        bytes32[] memory before = _jobsUnder(g.id);
        vm.prank(operator);
        try jobs.assign(g.requester, g.id, provider) {
            if (g.status != J_FUNDED) {
                ghostDoublePays++; // a closed job re-assigned
                return;
            }
            g.provider = provider;
        } catch {
            if (g.status == J_FUNDED) ghostRefusals++; // a funded job could not be assigned
        }
        _checkJobsUnchanged(g.id, before, _jobIndex(g.requester, g.id));
    }

    function settleJob(uint256 idSeed, uint256 amount, uint256 providerSeed, bool assignFirst) external atTime {
        (, GhostJob storage g) = _pickJob(idSeed);
        if (assignFirst && g.status == J_FUNDED) {
            address provider = payees[bound(providerSeed, 0, payees.length - 1)];
            vm.prank(operator);
            jobs.assign(g.requester, g.id, provider);
            g.provider = provider;
        }
        amount = bound(amount, 0, g.budget);
        uint256 fee = amount * jobs.feeBps() / 10_000;
        vm.prank(operator);
        try jobs.settle(g.requester, g.id, amount) {
            if (g.status != J_FUNDED || g.provider == address(0)) {
                ghostDoublePays++; // closed, or nobody assigned to pay
                return;
            }
            g.status = J_SETTLED;
            ghostJobOwed -= g.budget;
            ghostEarned[g.provider] += amount - fee;
            ghostFees += fee;
            ghostRefunded[g.requester] += g.budget - amount;
        } catch {
            if (g.status == J_FUNDED && g.provider != address(0)) ghostRefusals++; // could not be settled
        }
    }

    /// The operator pays one of a few parts of a job's budget (a sweep's trial), new or paid already.
    function releaseJobPart(uint256 idSeed, uint256 partSeed, uint256 amount, uint256 providerSeed) external atTime {
        (uint256 i, GhostJob storage g) = _pickJob(idSeed);
        uint256 part = bound(partSeed, 1, 3);
        address provider = payees[bound(providerSeed, 0, payees.length - 1)];
        amount = bound(amount, 0, g.budget);
        uint256 fee = amount * jobs.feeBps() / 10_000;
        bytes32[] memory before = _jobsUnder(g.id);
        vm.prank(operator);
        try jobs.release(g.requester, g.id, part, provider, amount) {
            if (g.status != J_FUNDED || _partReleased[g.requester][g.id][part]) {
                ghostDoublePays++; // closed, or this part paid already
                return;
            }
            _partReleased[g.requester][g.id][part] = true;
            g.budget -= amount;
            ghostJobOwed -= amount;
            ghostEarned[provider] += amount - fee;
            ghostFees += fee;
        } catch {
            if (g.status == J_FUNDED && !_partReleased[g.requester][g.id][part]) ghostRefusals++;
        }
        _checkJobsUnchanged(g.id, before, i);
    }

    function refundJob(uint256 idSeed) external atTime {
        (, GhostJob storage g) = _pickJob(idSeed);
        vm.prank(operator);
        try jobs.refund(g.requester, g.id) {
            if (g.status != J_FUNDED) {
                ghostDoublePays++;
                return;
            }
            g.status = J_REFUNDED;
            ghostJobOwed -= g.budget;
            ghostRefunded[g.requester] += g.budget;
        } catch {
            if (g.status == J_FUNDED) ghostRefusals++; // an open job could not be refunded
        }
    }

    function reclaimJob(uint256 idSeed) external {
        (uint256 i, GhostJob storage g) = _pickJob(idSeed);
        if (g.status == J_FUNDED && time < g.deadline) time = g.deadline;
        vm.warp(time);
        bytes32[] memory before = _jobsUnder(g.id);
        vm.prank(g.requester);
        try jobs.reclaim(g.id) {
            if (g.status != J_FUNDED) {
                ghostDoublePays++;
                return;
            }
            g.status = J_RECLAIMED;
            ghostJobOwed -= g.budget;
            ghostRefunded[g.requester] += g.budget;
        } catch {
            if (g.status == J_FUNDED) ghostRefusals++; // an open job past its deadline could not be reclaimed
        }
        _checkJobsUnchanged(g.id, before, i);
    }

    /// A payer with no record under another payer's job id reclaims under it (after its
    /// deadline), and the operator names the stranger as requester: all must revert and change
    /// nothing.
    function strangerPokesJob(uint256 idSeed, uint256 payerSeed) external {
        (, GhostJob storage g) = _pickJob(idSeed);
        address stranger = payers[bound(payerSeed, 0, payers.length - 1)];
        if (hasJob[stranger][g.id]) return;
        uint256 id = g.id;
        if (time < g.deadline) time = g.deadline;
        vm.warp(time);
        bytes32[] memory before = _jobsUnder(id);
        vm.prank(stranger);
        try jobs.reclaim(id) {
            ghostForeignChanges++;
        } catch {}
        vm.startPrank(operator);
        try jobs.assign(stranger, id, payees[0]) {
            ghostForeignChanges++;
        } catch {}
        try jobs.settle(stranger, id, 0) {
            ghostForeignChanges++;
        } catch {}
        try jobs.refund(stranger, id) {
            ghostForeignChanges++;
        } catch {}
        try jobs.release(stranger, id, 1, payees[0], 0) {
            ghostForeignChanges++;
        } catch {}
        vm.stopPrank();
        _checkJobsUnchanged(id, before);
    }

    // ------------------------------------------------------------ helpers

    struct Funding {
        uint256 p;
        uint256 id;
        uint64 start;
        uint64 end;
        uint16[] split;
        uint256 amount;
        bool withPermit;
    }

    function _fundAndBook(uint256 p, uint256 id, uint256 splitSeed, uint256 amount, uint256 timing, bool withPermit)
        private
    {
        Funding memory f;
        f.p = p;
        f.id = id;
        f.split = _split(1 + splitSeed % 10, splitSeed);
        f.amount = bound(amount, 1, 10_000e18);
        f.start = uint64(time + timing % 10 days); // starts now or within 10 days
        f.end = uint64(f.start + 1 + (timing >> 128) % 60 days); // lasts up to 60 days
        f.withPermit = withPermit;
        if (!_tryFund(f)) {
            ghostBlockedDeposits++;
            return;
        }
        address host = payers[p];
        _compsById[id].push(_comps.length);
        hasCompetition[host][id] = true;
        GhostCompetition storage g = _comps.push();
        g.host = host;
        g.id = id;
        g.start = f.start;
        g.end = f.end;
        g.pool = f.amount;
        g.split = f.split;
        g.status = C_OPEN;
        ghostCompetitionOwed += f.amount;
        ghostSpent[host] += f.amount;
    }

    function _tryFund(Funding memory f) private returns (bool ok) {
        address host = payers[f.p];
        if (f.withPermit) {
            (uint8 v, bytes32 r, bytes32 s) = _permit(f.p, address(competitions), f.amount);
            vm.prank(host);
            try competitions.fundWithPermit(f.id, f.start, f.end, f.split, f.amount, time + 1 hours, v, r, s) {
                ok = true;
            } catch {}
        } else {
            vm.startPrank(host);
            token.approve(address(competitions), f.amount);
            try competitions.fund(f.id, f.start, f.end, f.split, f.amount) {
                ok = true;
            } catch {
                token.approve(address(competitions), 0);
            }
            vm.stopPrank();
        }
    }

    function _depositAndBook(uint256 p, uint256 id, uint256 amount, uint256 timeout, bool withPermit) private {
        address requester = payers[p];
        amount = bound(amount, 1, 10_000e18);
        timeout = bound(timeout, jobs.MIN_TIMEOUT(), jobs.MAX_TIMEOUT());
        bool ok;
        if (withPermit) {
            (uint8 v, bytes32 r, bytes32 s) = _permit(p, address(jobs), amount);
            vm.prank(requester);
            try jobs.depositWithPermit(id, amount, timeout, time + 1 hours, v, r, s) {
                ok = true;
            } catch {}
        } else {
            vm.startPrank(requester);
            token.approve(address(jobs), amount);
            try jobs.deposit(id, amount, timeout) {
                ok = true;
            } catch {
                token.approve(address(jobs), 0);
            }
            vm.stopPrank();
        }
        if (!ok) {
            ghostBlockedDeposits++;
            return;
        }
        _jobsById[id].push(_jobs.length);
        hasJob[requester][id] = true;
        _jobs.push(GhostJob(requester, id, amount, time + timeout, J_FUNDED, address(0)));
        ghostJobOwed += amount;
        ghostSpent[requester] += amount;
    }

    /// The on-chain records (and what is owed) of every payer with a record under `id`.
    function _competitionsUnder(uint256 id) private view returns (bytes32[] memory h) {
        uint256[] storage idx = _compsById[id];
        h = new bytes32[](idx.length);
        for (uint256 k = 0; k < idx.length; k++) {
            address host = _comps[idx[k]].host;
            h[k] = keccak256(abi.encode(competitions.competition(host, id), competitions.outstanding(host, id)));
        }
    }

    function _checkCompetitionsUnchanged(uint256 id, bytes32[] memory before) private {
        _checkCompetitionsUnchanged(id, before, type(uint256).max);
    }

    /// Counts a change to any record under `id` but the acting one (`except`, an index in _comps).
    function _checkCompetitionsUnchanged(uint256 id, bytes32[] memory before, uint256 except) private {
        bytes32[] memory afterwards = _competitionsUnder(id);
        uint256[] storage idx = _compsById[id];
        for (uint256 k = 0; k < before.length; k++) {
            if (idx[k] != except && afterwards[k] != before[k]) ghostForeignChanges++;
        }
    }

    function _jobsUnder(uint256 id) private view returns (bytes32[] memory h) {
        uint256[] storage idx = _jobsById[id];
        h = new bytes32[](idx.length);
        for (uint256 k = 0; k < idx.length; k++) {
            address requester = _jobs[idx[k]].requester;
            h[k] = keccak256(abi.encode(jobs.job(requester, id), jobs.outstanding(requester, id)));
        }
    }

    function _checkJobsUnchanged(uint256 id, bytes32[] memory before) private {
        _checkJobsUnchanged(id, before, type(uint256).max);
    }

    function _checkJobsUnchanged(uint256 id, bytes32[] memory before, uint256 except) private {
        bytes32[] memory afterwards = _jobsUnder(id);
        uint256[] storage idx = _jobsById[id];
        for (uint256 k = 0; k < before.length; k++) {
            if (idx[k] != except && afterwards[k] != before[k]) ghostForeignChanges++;
        }
    }

    function _jobIndex(address requester, uint256 id) private view returns (uint256) {
        uint256[] storage idx = _jobsById[id];
        for (uint256 k = 0; k < idx.length; k++) {
            if (_jobs[idx[k]].requester == requester) return idx[k];
        }
        revert("no such job");
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

    function _pickCompetition(uint256 seed) private returns (uint256 i, GhostCompetition storage g) {
        if (_comps.length == 0) {
            this.fundCompetition(seed, seed, seed, seed, false);
        }
        i = seed % _comps.length;
        g = _comps[i];
    }

    function _pickJob(uint256 seed) private returns (uint256 i, GhostJob storage g) {
        if (_jobs.length == 0) {
            this.depositJob(seed, seed, seed, false);
        }
        i = seed % _jobs.length;
        g = _jobs[i];
    }
}

contract EscrowInvariantTest is Fixture {
    EscrowHandler internal handler;
    uint256 internal constant FUNDS = 10_000_000e18;

    function setUp() public {
        vm.warp(1_900_000_000);
        deployAll();
        deployEscrows();
        handler = new EscrowHandler(token, competitions, jobs, escrowOperator, admin, treasury);
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
            (address host, uint256 id,) = handler.competitionAt(i);
            owed += competitions.outstanding(host, id);
        }
        assertEq(token.balanceOf(address(competitions)), owed);
        assertEq(owed, handler.ghostCompetitionOwed());
    }

    /// The job escrow holds exactly the budgets of the jobs still open.
    function invariant_JobEscrowHoldsExactlyItsObligations() public view {
        uint256 owed;
        for (uint256 i = 0; i < handler.jobCount(); i++) {
            (address requester, uint256 id,) = handler.jobAt(i);
            owed += jobs.outstanding(requester, id);
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

    /// No stranger's action changes another depositor's record: strangers' deposits under ids
    /// other payers use (or were about to use), and their calls under ids they hold no record
    /// under, never went through against or changed another record; no payer's deposit under an
    /// id of its own was refused (a stranger's deposit first included); and every record on chain
    /// is exactly what the handler's books say its own depositor and the operator made of it.
    function invariant_NoStrangerChangesAnotherRecord() public view {
        assertEq(handler.ghostForeignChanges(), 0);
        assertEq(handler.ghostBlockedDeposits(), 0);
        for (uint256 i = 0; i < handler.competitionCount(); i++) {
            (address host, uint256 id, CompetitionEscrow.Competition memory expected) = handler.competitionAt(i);
            assertEq(abi.encode(competitions.competition(host, id)), abi.encode(expected));
        }
        for (uint256 i = 0; i < handler.jobCount(); i++) {
            (address requester, uint256 id, JobEscrow.Job memory expected) = handler.jobAt(i);
            assertEq(abi.encode(jobs.job(requester, id)), abi.encode(expected));
        }
    }
}
