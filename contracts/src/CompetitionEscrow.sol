// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title AI PLAZA competition prize escrow
/// @notice Holds the AIC prize pool of a plaza competition. The host creates the competition and
///         deposits the pool in one call ({fund} after `approve`, or {fundWithPermit}), stating
///         the start and planned end and how the pool is split between the ranked places (basis
///         points summing to 10,000). Before the start the host may add to the pool or cancel
///         and get it all back; from the start on the host can take nothing out. From the end on,
///         the plaza's operator finalises the ranking once ({finalize}): each winner's wallet is
///         paid `pool * split / 10000`, the rounding dust going to the first place so that the
///         whole pool is paid out. A place whose winner has no linked wallet yet (zero address)
///         is held and paid later with {assignWinner}.
///         Records are keyed by (host, competition id): the host is always the caller, so anyone
///         funding under an id another host uses (or will use) only creates a record of their own
///         and can neither block nor touch the other one. Operator functions name the host.
/// @dev    Safety valves, so that no AIC stays here forever if the operator stops acting:
///         - a competition not finalised by `endTime + FINALIZE_GRACE` can be closed by its host,
///           who gets the whole pool back ({reclaimPool}); the operator may still finalise until
///           the host does so;
///         - shares still held `HOLD_PERIOD` after finalisation can be taken back by the host
///           ({reclaimHeld}); until then only the operator can pay them, to the winner's wallet
///           (or to the host, for a place nobody earned).
///         Storage: a competition takes two slots: (start, end, status, places, pool) and
///         (packed splits, finalisation time, held places); the host is the key.
contract CompetitionEscrow is Ownable2Step, ReentrancyGuardTransient {
    /// @notice Most ranked places a competition can pay.
    uint256 public constant MAX_PLACES = 10;
    /// @notice Longest competition: `endTime - startTime` at most this.
    uint256 public constant MAX_DURATION = 365 days;
    /// @notice Time after `endTime` the operator has to finalise before the host may reclaim the pool.
    uint256 public constant FINALIZE_GRACE = 30 days;
    /// @notice Time after finalisation a held share waits for its winner before the host may reclaim it.
    uint256 public constant HOLD_PERIOD = 365 days;
    /// @notice Highest competition id: the plaza's ids are positive Java longs.
    uint256 public constant MAX_ID = uint256(uint64(type(int64).max));
    uint256 private constant BPS = 10_000;

    /// @notice Life cycle of a competition.
    /// @dev None: unknown id. Open: funded, not finalised. Finalized: ranking paid (some shares may
    ///      be held). Cancelled: the host took the pool back before the start. Reclaimed: the host
    ///      took the pool back because the operator did not finalise in time.
    enum Status {
        None,
        Open,
        Finalized,
        Cancelled,
        Reclaimed
    }

    /// @notice A competition's prize pool (returned by {competition}); the host is the record's key.
    struct Competition {
        // slot 0
        uint40 startTime;
        uint40 endTime;
        Status status;
        uint8 places;
        uint96 pool;
        // slot 1 (the last two written at finalisation)
        uint160 splits; // place i's basis points at bits [16 i, 16 i + 16)
        uint40 finalizedAt;
        uint16 heldMask; // bit i set: place i's share is held
    }

    /// @notice The payment token (AIC).
    IERC20 public immutable token;
    /// @notice The plaza's account that finalises rankings and assigns held shares.
    address public operator;

    mapping(address host => mapping(uint256 id => Competition)) private _competitions;

    /// @notice Raised when a caller other than the operator calls an operator function.
    error NotOperator(address caller);
    /// @notice Raised when a competition id is 0 or above `type(int64).max` (the plaza's ids are positive Java longs).
    error IdOutOfRange(uint256 id);
    /// @notice Raised when the caller funds under a competition id it already used (ids are never reused).
    error CompetitionExists(uint256 id);
    /// @notice Raised when the competition is not in the status the call needs.
    error WrongStatus(uint256 id, Status status);
    /// @notice Raised when the start time is in the past.
    error StartInPast(uint256 startTime, uint256 nowTime);
    /// @notice Raised when the end time is not after the start, or more than {MAX_DURATION} after it.
    error InvalidEndTime(uint256 startTime, uint256 endTime);
    /// @notice Raised when the split has no place or more than {MAX_PLACES}.
    error InvalidPlaceCount(uint256 places, uint256 max);
    /// @notice Raised when a place's split is 0 basis points.
    error ZeroSplit(uint256 place);
    /// @notice Raised when the split does not sum to 10,000 basis points.
    error SplitSumInvalid(uint256 sum);
    /// @notice Raised when depositing nothing.
    error ZeroAmount();
    /// @notice Raised when the pool would exceed 2^96 - 1 AIC wei.
    error PoolTooLarge(uint256 pool);
    /// @notice Raised when the host acts on the pool at or after the start.
    error AlreadyStarted(uint256 id, uint256 startTime);
    /// @notice Raised when the operator finalises before the end.
    error NotEnded(uint256 id, uint256 endTime);
    /// @notice Raised when the number of winners differs from the number of places.
    error WinnerCountMismatch(uint256 id, uint256 winners, uint256 places);
    /// @notice Raised when a winner or the operator is this contract, or the operator is zero.
    error InvalidAddress(address account);
    /// @notice Raised when assigning a place that is not held (paid already, or no such place).
    error PlaceNotHeld(uint256 id, uint256 place);
    /// @notice Raised when the host reclaims held shares but none is held.
    error NothingHeld(uint256 id);
    /// @notice Raised when the host reclaims before the safety valve opens.
    error TooEarly(uint256 id, uint256 availableAt);
    /// @notice Raised when the token reports a failed transfer.
    error PaymentFailed();

    /// @notice A competition was created and its pool deposited by the host.
    /// @param id the plaza's competition id
    /// @param host who deposited the pool
    /// @param pool the deposit, in AIC wei
    /// @param startTime from this time the pool cannot be withdrawn
    /// @param endTime from this time the ranking can be finalised; the pool can be reclaimed from
    ///        `endTime + FINALIZE_GRACE` if not finalised
    /// @param splitBps each place's share of the pool in basis points (place 0 first)
    event CompetitionFunded(
        uint256 indexed id, address indexed host, uint256 pool, uint64 startTime, uint64 endTime, uint16[] splitBps
    );
    /// @notice The host added to the pool before the start.
    event PoolIncreased(uint256 indexed id, address indexed host, uint256 amount, uint256 pool);
    /// @notice The host cancelled before the start and got the pool back.
    event CompetitionCancelled(uint256 indexed id, address indexed host, uint256 refunded);
    /// @notice The operator finalised the ranking.
    /// @param id the competition
    /// @param host the competition's host (with `id`, the record's key)
    /// @param finalizedAt the block time of finalisation
    /// @param paid the total paid to winners now
    /// @param held the total held for places without a wallet
    event CompetitionFinalized(
        uint256 indexed id, address indexed host, uint256 finalizedAt, uint256 paid, uint256 held
    );
    /// @notice A place's prize was paid (at finalisation, or later by {assignWinner}).
    /// @param id the competition
    /// @param place the place (0 = first)
    /// @param winner who was paid
    /// @param host the competition's host (with `id`, the record's key)
    /// @param amount the prize, in AIC wei
    event PrizePaid(uint256 indexed id, uint256 indexed place, address indexed winner, address host, uint256 amount);
    /// @notice A place's prize is held: its winner had no linked wallet at finalisation.
    /// @param id the competition
    /// @param place the place (0 = first)
    /// @param host the competition's host (with `id`, the record's key)
    /// @param amount the prize, in AIC wei
    event PrizeHeld(uint256 indexed id, uint256 indexed place, address indexed host, uint256 amount);
    /// @notice Safety valve: the host took the pool back because it was not finalised in time.
    event PoolReclaimed(uint256 indexed id, address indexed host, uint256 amount);
    /// @notice Safety valve: the host took back the shares still held {HOLD_PERIOD} after finalisation.
    /// @param placesMask the places whose shares were reclaimed (bit i: place i)
    event HeldPrizesReclaimed(uint256 indexed id, address indexed host, uint256 amount, uint256 placesMask);
    /// @notice The operator changed.
    event OperatorChanged(address indexed oldOperator, address indexed newOperator);

    /// @param token_ the payment token (AIC), which must support EIP-2612 permit
    /// @param operator_ the plaza's operator account
    /// @param admin owner of the escrow (sets the operator; two-step transfer)
    constructor(IERC20 token_, address operator_, address admin) Ownable(admin) {
        if (address(token_) == address(0)) revert InvalidAddress(address(0));
        token = token_;
        _setOperator(operator_);
    }

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ host

    /// @notice Creates competition `id` with the caller as host and deposits its prize pool. The
    ///         caller must have approved this escrow for `amount`.
    /// @param id the plaza's competition id, 1 to `type(int64).max`; the caller may use it once
    /// @param startTime when the competition starts (not in the past); from then on the pool is locked
    /// @param endTime planned end, after `startTime` and at most {MAX_DURATION} after it; from
    ///        then on the operator may finalise
    /// @param splitBps each ranked place's share in basis points, first place first; 1 to
    ///        {MAX_PLACES} non-zero entries summing to 10,000
    /// @param amount the pool, in AIC wei
    function fund(uint256 id, uint64 startTime, uint64 endTime, uint16[] calldata splitBps, uint256 amount)
        external
        nonReentrant
    {
        _create(id, startTime, endTime, splitBps, amount);
    }

    /// @notice {fund} with an EIP-2612 permit instead of a prior approve: the permit must be signed
    ///         by the caller for spender = this escrow and value = `amount`. A permit already
    ///         used (e.g. front-run) is ignored as long as the allowance suffices.
    /// @param id the plaza's competition id, 1 to `type(int64).max`; the caller may use it once
    /// @param startTime when the competition starts (not in the past)
    /// @param endTime planned end, after `startTime` and at most {MAX_DURATION} after it
    /// @param splitBps each ranked place's share in basis points, first place first
    /// @param amount the pool, in AIC wei
    /// @param deadline the permit's deadline
    /// @param v signature v
    /// @param r signature r
    /// @param s signature s
    function fundWithPermit(
        uint256 id,
        uint64 startTime,
        uint64 endTime,
        uint16[] calldata splitBps,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        _permit(amount, deadline, v, r, s);
        _create(id, startTime, endTime, splitBps, amount);
    }

    /// @notice Adds `amount` to the pool of the caller's open competition `id` before its start
    ///         (approve this escrow first).
    /// @param id the competition
    /// @param amount AIC wei to add
    function increasePool(uint256 id, uint256 amount) external nonReentrant {
        _increase(id, amount);
    }

    /// @notice {increasePool} with an EIP-2612 permit for `amount` instead of a prior approve.
    /// @param id the competition
    /// @param amount AIC wei to add
    /// @param deadline the permit's deadline
    /// @param v signature v
    /// @param r signature r
    /// @param s signature s
    function increasePoolWithPermit(uint256 id, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        _permit(amount, deadline, v, r, s);
        _increase(id, amount);
    }

    /// @notice Cancels the caller's open competition `id` before its start and returns the whole
    ///         pool to the caller. The id stays used.
    /// @param id the competition
    function cancel(uint256 id) external nonReentrant {
        Competition storage c = _competitions[msg.sender][id];
        _requireOpenBeforeStart(id, c);
        uint256 pool = c.pool;
        c.status = Status.Cancelled;
        emit CompetitionCancelled(id, msg.sender, pool);
        _pay(msg.sender, pool);
    }

    /// @notice Safety valve: when the operator has not finalised by `endTime + FINALIZE_GRACE`,
    ///         the host closes the competition and gets the whole pool back. Acts on the caller's
    ///         own record under `id`.
    /// @param id the competition
    function reclaimPool(uint256 id) external nonReentrant {
        Competition storage c = _competitions[msg.sender][id];
        if (c.status != Status.Open) revert WrongStatus(id, c.status);
        uint256 availableAt = uint256(c.endTime) + FINALIZE_GRACE;
        // forge-lint: disable-next-line(block-timestamp) -- days-long windows; seconds of drift do not matter
        if (block.timestamp < availableAt) revert TooEarly(id, availableAt);
        uint256 pool = c.pool;
        c.status = Status.Reclaimed;
        emit PoolReclaimed(id, msg.sender, pool);
        _pay(msg.sender, pool);
    }

    /// @notice Safety valve: {HOLD_PERIOD} after finalisation, the host takes back every share
    ///         still held. Acts on the caller's own record under `id`.
    /// @param id the competition
    function reclaimHeld(uint256 id) external nonReentrant {
        Competition storage c = _competitions[msg.sender][id];
        if (c.status != Status.Finalized) revert WrongStatus(id, c.status);
        uint256 mask = c.heldMask;
        if (mask == 0) revert NothingHeld(id);
        uint256 availableAt = uint256(c.finalizedAt) + HOLD_PERIOD;
        // forge-lint: disable-next-line(block-timestamp) -- days-long windows; seconds of drift do not matter
        if (block.timestamp < availableAt) revert TooEarly(id, availableAt);
        uint256 amount = _heldAmount(c.pool, c.splits, c.places, mask);
        c.heldMask = 0;
        emit HeldPrizesReclaimed(id, msg.sender, amount, mask);
        _pay(msg.sender, amount);
    }

    // ------------------------------------------------------------------ operator

    /// @notice Finalises the ranking of an ended competition, once (operator only), and pays each
    ///         place's share to its winner: `pool * split / 10000`, plus the rounding dust for the
    ///         first place. A zero address means the winner has no linked wallet yet: that share
    ///         is held for the place (see {assignWinner}).
    /// @param host the competition's host
    /// @param id the competition
    /// @param winners one wallet per place, first place first (zero: held)
    function finalize(address host, uint256 id, address[] calldata winners) external onlyOperator nonReentrant {
        Competition storage c = _competitions[host][id];
        if (c.status != Status.Open) revert WrongStatus(id, c.status);
        // forge-lint: disable-next-line(block-timestamp) -- days-long windows; seconds of drift do not matter
        if (block.timestamp < c.endTime) revert NotEnded(id, c.endTime);
        uint256 places = c.places;
        if (winners.length != places) revert WinnerCountMismatch(id, winners.length, places);
        uint256 pool = c.pool;
        uint256[] memory prizes = _shares(pool, c.splits, places);
        uint256 heldMask;
        uint256 held;
        for (uint256 place = 0; place < places; place++) {
            address w = winners[place];
            if (w == address(this)) revert InvalidAddress(w);
            if (w == address(0)) {
                heldMask |= 2 ** place;
                held += prizes[place];
            }
        }
        c.status = Status.Finalized;
        c.finalizedAt = uint40(block.timestamp);
        // forge-lint: disable-next-line(unsafe-typecast)
        c.heldMask = uint16(heldMask); // at most MAX_PLACES bits
        emit CompetitionFinalized(id, host, block.timestamp, pool - held, held);

        for (uint256 place = 0; place < places; place++) {
            address w = winners[place];
            if (w == address(0)) {
                emit PrizeHeld(id, place, host, prizes[place]);
            } else {
                emit PrizePaid(id, place, w, host, prizes[place]);
                _pay(w, prizes[place]);
            }
        }
    }

    /// @notice Pays a held share to its winner's wallet once it is linked (operator only). For a
    ///         place nobody earned, the operator may pay it back to the host.
    /// @param host the competition's host
    /// @param id the competition
    /// @param place the place (0 = first)
    /// @param wallet where the share goes
    function assignWinner(address host, uint256 id, uint256 place, address wallet) external onlyOperator nonReentrant {
        if (wallet == address(0) || wallet == address(this)) revert InvalidAddress(wallet);
        Competition storage c = _competitions[host][id];
        if (c.status != Status.Finalized) revert WrongStatus(id, c.status);
        uint256 mask = c.heldMask;
        if (place >= MAX_PLACES || (mask >> place) & 1 == 0) revert PlaceNotHeld(id, place);
        // forge-lint: disable-next-line(unsafe-typecast)
        c.heldMask = uint16(mask & ~(2 ** place)); // place < MAX_PLACES
        uint256 amount = _shares(c.pool, c.splits, c.places)[place];
        emit PrizePaid(id, place, wallet, host, amount);
        _pay(wallet, amount);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Sets the operator (owner only).
    /// @param newOperator the plaza's new operator account; not zero
    function setOperator(address newOperator) external onlyOwner {
        _setOperator(newOperator);
    }

    // ------------------------------------------------------------------ views

    /// @notice A competition's record (all zero for an unknown one).
    /// @param host the competition's host
    /// @param id the competition
    /// @return the record; `splits` packs place i's basis points at bits [16 i, 16 i + 16)
    function competition(address host, uint256 id) external view returns (Competition memory) {
        return _competitions[host][id];
    }

    /// @notice Each place's share of the pool in basis points.
    /// @param host the competition's host
    /// @param id the competition
    /// @return splitBps one entry per place, first place first (empty for an unknown competition)
    function splitOf(address host, uint256 id) external view returns (uint16[] memory splitBps) {
        Competition storage c = _competitions[host][id];
        splitBps = new uint16[](c.places);
        for (uint256 place = 0; place < splitBps.length; place++) {
            splitBps[place] = uint16(c.splits >> (16 * place));
        }
    }

    /// @notice The prize of a place: `pool * split / 10000`, plus the rounding dust for place 0.
    /// @param host the competition's host
    /// @param id the competition
    /// @param place the place (0 = first)
    /// @return the amount in AIC wei (0 for an unknown place)
    function prizeOf(address host, uint256 id, uint256 place) external view returns (uint256) {
        Competition storage c = _competitions[host][id];
        if (place >= c.places) return 0;
        return _shares(c.pool, c.splits, c.places)[place];
    }

    /// @notice What this escrow still owes for a competition: the pool while open, the held
    ///         shares once finalised, 0 otherwise.
    /// @param host the competition's host
    /// @param id the competition
    /// @return the amount in AIC wei
    function outstanding(address host, uint256 id) external view returns (uint256) {
        Competition storage c = _competitions[host][id];
        if (c.status == Status.Open) return c.pool;
        if (c.status != Status.Finalized) return 0;
        return _heldAmount(c.pool, c.splits, c.places, c.heldMask);
    }

    // ------------------------------------------------------------------ internals

    function _create(uint256 id, uint64 startTime, uint64 endTime, uint16[] calldata splitBps, uint256 amount) private {
        if (id == 0 || id > MAX_ID) revert IdOutOfRange(id);
        Competition storage c = _competitions[msg.sender][id];
        if (c.status != Status.None) revert CompetitionExists(id);
        // forge-lint: disable-next-line(block-timestamp) -- days-long windows; seconds of drift do not matter
        if (startTime < block.timestamp) revert StartInPast(startTime, block.timestamp);
        if (endTime <= startTime || endTime - startTime > MAX_DURATION || endTime > type(uint40).max) {
            revert InvalidEndTime(startTime, endTime);
        }
        if (amount == 0) revert ZeroAmount();
        if (amount > type(uint96).max) revert PoolTooLarge(amount);
        uint256 places = splitBps.length;
        if (places == 0 || places > MAX_PLACES) revert InvalidPlaceCount(places, MAX_PLACES);
        uint256 packed;
        uint256 sum;
        for (uint256 place = 0; place < places; place++) {
            uint256 bps = splitBps[place];
            if (bps == 0) revert ZeroSplit(place);
            sum += bps;
            packed |= bps << (16 * place);
        }
        if (sum != BPS) revert SplitSumInvalid(sum);

        // The casts below are safe: startTime < endTime <= type(uint40).max, places <= MAX_PLACES,
        // amount <= type(uint96).max and packed < 2 ** (16 * MAX_PLACES), all checked above.
        _competitions[msg.sender][id] = Competition({
            // forge-lint: disable-next-line(unsafe-typecast)
            startTime: uint40(startTime),
            // forge-lint: disable-next-line(unsafe-typecast)
            endTime: uint40(endTime),
            status: Status.Open,
            // forge-lint: disable-next-line(unsafe-typecast)
            places: uint8(places),
            // forge-lint: disable-next-line(unsafe-typecast)
            pool: uint96(amount),
            // forge-lint: disable-next-line(unsafe-typecast)
            splits: uint160(packed),
            finalizedAt: 0,
            heldMask: 0
        });
        emit CompetitionFunded(id, msg.sender, amount, startTime, endTime, splitBps);
        _collect(amount);
    }

    function _increase(uint256 id, uint256 amount) private {
        Competition storage c = _competitions[msg.sender][id];
        _requireOpenBeforeStart(id, c);
        if (amount == 0) revert ZeroAmount();
        uint256 pool = c.pool + amount;
        if (pool > type(uint96).max) revert PoolTooLarge(pool);
        // forge-lint: disable-next-line(unsafe-typecast)
        c.pool = uint96(pool); // checked above
        emit PoolIncreased(id, msg.sender, amount, pool);
        _collect(amount);
    }

    function _requireOpenBeforeStart(uint256 id, Competition storage c) private view {
        if (c.status != Status.Open) revert WrongStatus(id, c.status);
        // forge-lint: disable-next-line(block-timestamp) -- days-long windows; seconds of drift do not matter
        if (block.timestamp >= c.startTime) revert AlreadyStarted(id, c.startTime);
    }

    /// @dev Every place's prize: `pool * split / 10000`, and place 0 also gets the rounding dust,
    ///      so the prizes sum to `pool` exactly.
    function _shares(uint256 pool, uint256 splits, uint256 places) private pure returns (uint256[] memory prizes) {
        prizes = new uint256[](places);
        uint256 rest;
        for (uint256 place = 1; place < places; place++) {
            prizes[place] = pool * ((splits >> (16 * place)) & 0xffff) / BPS;
            rest += prizes[place];
        }
        prizes[0] = pool - rest;
    }

    /// @dev The sum of the prizes of the places set in `mask`.
    function _heldAmount(uint256 pool, uint256 splits, uint256 places, uint256 mask)
        private
        pure
        returns (uint256 amount)
    {
        uint256[] memory prizes = _shares(pool, splits, places);
        for (uint256 place = 0; place < places; place++) {
            if ((mask >> place) & 1 != 0) amount += prizes[place];
        }
    }

    function _permit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) private {
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
    }

    function _collect(uint256 amount) private {
        if (!token.transferFrom(msg.sender, address(this), amount)) revert PaymentFailed();
    }

    function _pay(address to, uint256 amount) private {
        if (amount != 0 && !token.transfer(to, amount)) revert PaymentFailed();
    }

    function _setOperator(address newOperator) private {
        if (newOperator == address(0) || newOperator == address(this)) revert InvalidAddress(newOperator);
        emit OperatorChanged(operator, newOperator);
        operator = newOperator;
    }
}
