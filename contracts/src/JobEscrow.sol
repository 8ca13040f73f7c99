// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title AI PLAZA training job escrow
/// @notice Holds the AIC budget of a plaza training job until the job is verified. The requester
///         deposits the budget ({deposit} after `approve`, or {depositWithPermit}) under the
///         plaza's job id. Records are keyed by (requester, job id): the depositor is always the
///         caller, so anyone depositing under an id another requester uses (or will use) only
///         creates a record of their own and can neither block nor touch the other one. When the
///         plaza leases the job to a provider, its operator records that provider ({assign}; again
///         on a new lease). Once, the operator either settles the job ({settle}): the assigned
///         provider gets the agreed amount minus the platform fee, the treasury the fee, and the
///         requester the rest of the budget back; or refunds it ({refund}: the job failed, or did
///         not pass verification, and the requester is not charged). A budget may also pay several
///         providers, one part each ({release}: the trials of a sweep share one deposit); each part
///         is taken off the budget, so the closing {settle} or {refund} deals with the rest.
/// @dev    Safety valve: if the operator has done neither by the job's deadline (deposit time
///         plus a timeout chosen at deposit, between {MIN_TIMEOUT} and {MAX_TIMEOUT}), the
///         requester may take the whole budget back ({reclaim}). Until the requester does, the
///         operator may still settle or refund. A job takes two slots: (budget, deadline, status),
///         written at deposit, and (provider), written by {assign}; the requester is the key. The
///         treasury and fee share one slot.
contract JobEscrow is Ownable2Step, ReentrancyGuardTransient {
    /// @notice Highest platform fee, in basis points of the provider's payment (10%).
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Shortest timeout a job can be deposited with.
    uint256 public constant MIN_TIMEOUT = 1 hours;
    /// @notice Longest timeout a job can be deposited with.
    uint256 public constant MAX_TIMEOUT = 90 days;
    /// @notice Highest job id: the plaza's ids are positive Java longs.
    uint256 public constant MAX_ID = uint256(uint64(type(int64).max));
    uint256 private constant BPS = 10_000;

    /// @notice Life cycle of a job's budget.
    /// @dev None: unknown id. Funded: deposited, not closed. Settled: paid to the provider (and the
    ///      rest refunded). Refunded: returned to the requester by the operator. Reclaimed: taken
    ///      back by the requester after the deadline.
    enum Status {
        None,
        Funded,
        Settled,
        Refunded,
        Reclaimed
    }

    /// @notice A job's budget (returned by {job}); the requester is the record's key.
    struct Job {
        // slot 0, written at deposit
        uint96 budget;
        uint40 deadline;
        Status status;
        // slot 1, written by {assign}
        address provider;
    }

    /// @dev One slot: where fees go and the fee.
    struct Config {
        address treasury;
        uint16 feeBps;
    }

    /// @notice The payment token (AIC).
    IERC20 public immutable token;
    /// @notice The plaza's account that assigns, settles and refunds jobs.
    address public operator;

    Config private _config;
    mapping(address requester => mapping(uint256 jobId => Job)) private _jobs;
    mapping(address requester => mapping(uint256 jobId => mapping(uint256 partId => bool))) private _released;

    /// @notice Raised when a caller other than the operator calls an operator function.
    error NotOperator(address caller);
    /// @notice Raised when a job id is 0 or above `type(int64).max` (the plaza's ids are positive Java longs).
    error IdOutOfRange(uint256 jobId);
    /// @notice Raised when the caller deposits under a job id it already used (ids are never reused).
    error JobExists(uint256 jobId);
    /// @notice Raised when settling a job no provider was assigned to.
    error NotAssigned(uint256 jobId);
    /// @notice Raised when the job is not in the status the call needs.
    error WrongStatus(uint256 jobId, Status status);
    /// @notice Raised when depositing nothing.
    error ZeroAmount();
    /// @notice Raised when a budget does not fit in 96 bits.
    error AmountTooLarge(uint256 amount);
    /// @notice Raised when the timeout is outside [{MIN_TIMEOUT}, {MAX_TIMEOUT}].
    error InvalidTimeout(uint256 timeout, uint256 min, uint256 max);
    /// @notice Raised when settling for more than the budget.
    error AmountExceedsBudget(uint256 jobId, uint256 amount, uint256 budget);
    /// @notice Raised when an address (provider, treasury, operator, token) is zero or this escrow,
    ///         or a provider is the job's requester.
    error InvalidAddress(address account);
    /// @notice Raised when setting a fee above {MAX_FEE_BPS}.
    error FeeTooHigh(uint256 feeBps, uint256 max);
    /// @notice Raised when the requester reclaims before the job's deadline.
    error TooEarly(uint256 jobId, uint256 deadline);
    /// @notice Raised when part `partId` of a job's budget was released already (each is paid once).
    error PartReleased(uint256 jobId, uint256 partId);
    /// @notice Raised when the token reports a failed transfer.
    error PaymentFailed();

    /// @notice A requester deposited a job's budget.
    /// @param jobId the plaza's job id
    /// @param requester who deposited, and gets refunds
    /// @param budget the deposit, in AIC wei
    /// @param deadline from this time the requester may reclaim the budget if the job is still open
    event JobFunded(uint256 indexed jobId, address indexed requester, uint256 budget, uint256 deadline);
    /// @notice The operator recorded which provider the plaza leased the job to (again on a new lease).
    /// @param jobId the job
    /// @param requester the job's requester (with `jobId`, the record's key)
    /// @param provider who is paid if the job is settled
    event JobAssigned(uint256 indexed jobId, address indexed requester, address indexed provider);
    /// @notice The operator settled a job.
    /// @param jobId the job
    /// @param requester the job's requester, who got `refunded` back
    /// @param provider the assigned provider, who ran it and received `amount - fee`
    /// @param amount the agreed price, fee included
    /// @param fee the part of `amount` that went to the treasury
    /// @param refunded the rest of the budget, returned to the requester
    event JobSettled(
        uint256 indexed jobId,
        address indexed requester,
        address indexed provider,
        uint256 amount,
        uint256 fee,
        uint256 refunded
    );
    /// @notice The operator paid part `partId` of a job's budget to a provider; the job stays funded.
    /// @param jobId the job whose budget paid
    /// @param requester the job's requester
    /// @param partId what was paid for (the plaza's id of the sweep trial)
    /// @param provider who ran it and received `amount - fee`
    /// @param amount the price of the part, fee included
    /// @param fee the part of `amount` that went to the treasury
    /// @param remaining the budget left in the escrow for the job
    event JobReleased(
        uint256 indexed jobId,
        address indexed requester,
        uint256 indexed partId,
        address provider,
        uint256 amount,
        uint256 fee,
        uint256 remaining
    );
    /// @notice The operator returned a job's whole (remaining) budget to the requester.
    event JobRefunded(uint256 indexed jobId, address indexed requester, uint256 amount);
    /// @notice Safety valve: the requester took the budget back after the deadline.
    event JobReclaimed(uint256 indexed jobId, address indexed requester, uint256 amount);
    /// @notice The platform fee changed.
    event FeeChanged(uint256 oldFeeBps, uint256 newFeeBps);
    /// @notice The treasury changed.
    event TreasuryChanged(address indexed oldTreasury, address indexed newTreasury);
    /// @notice The operator changed.
    event OperatorChanged(address indexed oldOperator, address indexed newOperator);

    /// @param token_ the payment token (AIC), which must support EIP-2612 permit
    /// @param operator_ the plaza's operator account
    /// @param treasury_ receiver of the platform fee
    /// @param feeBps_ platform fee in basis points of the provider's payment, at most {MAX_FEE_BPS}
    /// @param admin owner of the escrow (sets operator, fee and treasury; two-step transfer)
    constructor(IERC20 token_, address operator_, address treasury_, uint16 feeBps_, address admin) Ownable(admin) {
        if (address(token_) == address(0)) revert InvalidAddress(address(0));
        token = token_;
        _setOperator(operator_);
        _setTreasury(treasury_);
        _setFee(feeBps_);
    }

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ requester

    /// @notice Deposits the budget of job `jobId`, the caller being its requester. The caller must
    ///         have approved this escrow for `amount`.
    /// @param jobId the plaza's job id, 1 to `type(int64).max`; the caller may use it once
    /// @param amount the budget, in AIC wei
    /// @param timeout seconds from now until the requester may reclaim an unsettled budget,
    ///        between {MIN_TIMEOUT} and {MAX_TIMEOUT}
    function deposit(uint256 jobId, uint256 amount, uint256 timeout) external nonReentrant {
        _deposit(jobId, amount, timeout);
    }

    /// @notice {deposit} with an EIP-2612 permit instead of a prior approve: the permit must be
    ///         signed by the caller for spender = this escrow and value = `amount`. A permit
    ///         already used (e.g. front-run) is ignored as long as the allowance suffices.
    /// @param jobId the plaza's job id, 1 to `type(int64).max`; the caller may use it once
    /// @param amount the budget, in AIC wei
    /// @param timeout seconds from now until the requester may reclaim an unsettled budget
    /// @param deadline the permit's deadline
    /// @param v signature v
    /// @param r signature r
    /// @param s signature s
    function depositWithPermit(
        uint256 jobId,
        uint256 amount,
        uint256 timeout,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _deposit(jobId, amount, timeout);
    }

    /// @notice Safety valve: from the job's deadline on, the requester of a job the operator has
    ///         neither settled nor refunded takes the whole budget back. Acts on the caller's own
    ///         record under `jobId`.
    /// @param jobId the job
    function reclaim(uint256 jobId) external nonReentrant {
        Job storage j = _jobs[msg.sender][jobId];
        if (j.status != Status.Funded) revert WrongStatus(jobId, j.status);
        // forge-lint: disable-next-line(block-timestamp) -- days-long windows; seconds of drift do not matter
        if (block.timestamp < j.deadline) revert TooEarly(jobId, j.deadline);
        j.status = Status.Reclaimed;
        uint256 budget = j.budget;
        emit JobReclaimed(jobId, msg.sender, budget);
        _pay(msg.sender, budget);
    }

    // ------------------------------------------------------------------ operator

    /// @notice Records the provider the plaza leased a funded job to (operator only); {settle}
    ///         pays only this provider. May be called again while the job is funded, when the job
    ///         goes to another provider (e.g. after a lease expired).
    /// @param requester the job's requester
    /// @param jobId the job
    /// @param provider the provider's wallet; not zero, not this escrow, not the requester
    function assign(address requester, uint256 jobId, address provider) external onlyOperator {
        if (provider == address(0) || provider == address(this) || provider == requester) {
            revert InvalidAddress(provider);
        }
        Job storage j = _jobs[requester][jobId];
        if (j.status != Status.Funded) revert WrongStatus(jobId, j.status);
        j.provider = provider;
        emit JobAssigned(jobId, requester, provider);
    }

    /// @notice Settles a funded job, once (operator only): `amount - fee` to the assigned
    ///         provider, `fee = amount * feeBps / 10000` to the treasury, and `budget - amount`
    ///         back to the requester.
    /// @param requester the job's requester
    /// @param jobId the job
    /// @param amount the price of the work, fee included; at most the budget
    function settle(address requester, uint256 jobId, uint256 amount) external onlyOperator nonReentrant {
        Job storage j = _jobs[requester][jobId];
        if (j.status != Status.Funded) revert WrongStatus(jobId, j.status);
        address provider = j.provider;
        if (provider == address(0)) revert NotAssigned(jobId);
        uint256 budget = j.budget;
        if (amount > budget) revert AmountExceedsBudget(jobId, amount, budget);
        j.status = Status.Settled;

        Config memory c = _config;
        uint256 fee = amount * c.feeBps / BPS;
        uint256 refunded = budget - amount;
        emit JobSettled(jobId, requester, provider, amount, fee, refunded);
        _pay(provider, amount - fee);
        _pay(c.treasury, fee);
        _pay(requester, refunded);
    }

    /// @notice Pays part `partId` of a funded job's budget, once per part (operator only):
    ///         `amount - fee` to `provider`, `fee = amount * feeBps / 10000` to the treasury; the
    ///         amount leaves the budget and the job stays funded, for more parts and then one
    ///         {settle} or {refund} of the rest.
    /// @param requester the job's requester
    /// @param jobId the job
    /// @param partId the plaza's id of what is paid for (a sweep's trial), 1 to `type(int64).max`
    /// @param provider the provider's wallet; not zero, not this escrow, not the requester
    /// @param amount the price of the part, fee included; at most the remaining budget
    function release(address requester, uint256 jobId, uint256 partId, address provider, uint256 amount)
        external
        onlyOperator
        nonReentrant
    {
        if (provider == address(0) || provider == address(this) || provider == requester) {
            revert InvalidAddress(provider);
        }
        if (partId == 0 || partId > MAX_ID) revert IdOutOfRange(partId);
        Job storage j = _jobs[requester][jobId];
        if (j.status != Status.Funded) revert WrongStatus(jobId, j.status);
        if (_released[requester][jobId][partId]) revert PartReleased(jobId, partId);
        uint256 budget = j.budget;
        if (amount > budget) revert AmountExceedsBudget(jobId, amount, budget);
        _released[requester][jobId][partId] = true;
        uint256 remaining = budget - amount;
        // The cast is safe: remaining <= budget, a uint96.
        // forge-lint: disable-next-line(unsafe-typecast)
        j.budget = uint96(remaining);

        Config memory c = _config;
        uint256 fee = amount * c.feeBps / BPS;
        emit JobReleased(jobId, requester, partId, provider, amount, fee, remaining);
        _pay(provider, amount - fee);
        _pay(c.treasury, fee);
    }

    /// @notice Returns a funded job's whole budget (what {release} left of it) to its requester,
    ///         once (operator only): the job failed or did not pass verification, or a sweep's
    ///         trials are paid.
    /// @param requester the job's requester
    /// @param jobId the job
    function refund(address requester, uint256 jobId) external onlyOperator nonReentrant {
        Job storage j = _jobs[requester][jobId];
        if (j.status != Status.Funded) revert WrongStatus(jobId, j.status);
        j.status = Status.Refunded;
        uint256 budget = j.budget;
        emit JobRefunded(jobId, requester, budget);
        _pay(requester, budget);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Sets the operator (owner only).
    /// @param newOperator the plaza's new operator account; not zero
    function setOperator(address newOperator) external onlyOwner {
        _setOperator(newOperator);
    }

    /// @notice Sets the platform fee (owner only). Applies to jobs settled from now on.
    /// @param newFeeBps fee in basis points of the provider's payment, at most {MAX_FEE_BPS}
    function setFee(uint16 newFeeBps) external onlyOwner {
        _setFee(newFeeBps);
    }

    /// @notice Sets where platform fees go (owner only).
    /// @param newTreasury the new treasury; not zero, not this escrow
    function setTreasury(address newTreasury) external onlyOwner {
        _setTreasury(newTreasury);
    }

    // ------------------------------------------------------------------ views

    /// @notice A job's record (all zero for an unknown one).
    /// @param requester the job's requester
    /// @param jobId the job
    /// @return the record: budget, deadline, status and the assigned provider (zero if none)
    function job(address requester, uint256 jobId) external view returns (Job memory) {
        return _jobs[requester][jobId];
    }

    /// @notice Whether part `partId` of a job's budget was paid ({release}).
    /// @param requester the job's requester
    /// @param jobId the job
    /// @param partId the part
    /// @return true once released
    function released(address requester, uint256 jobId, uint256 partId) external view returns (bool) {
        return _released[requester][jobId][partId];
    }

    /// @notice What this escrow still owes for a job: its budget while funded, else 0.
    /// @param requester the job's requester
    /// @param jobId the job
    /// @return the amount in AIC wei
    function outstanding(address requester, uint256 jobId) external view returns (uint256) {
        Job storage j = _jobs[requester][jobId];
        return j.status == Status.Funded ? j.budget : 0;
    }

    /// @notice The platform fee in basis points.
    /// @return the fee
    function feeBps() external view returns (uint256) {
        return _config.feeBps;
    }

    /// @notice Where platform fees go.
    /// @return the treasury
    function treasury() external view returns (address) {
        return _config.treasury;
    }

    // ------------------------------------------------------------------ internals

    function _deposit(uint256 jobId, uint256 amount, uint256 timeout) private {
        if (jobId == 0 || jobId > MAX_ID) revert IdOutOfRange(jobId);
        Job storage j = _jobs[msg.sender][jobId];
        if (j.status != Status.None) revert JobExists(jobId);
        if (amount == 0) revert ZeroAmount();
        if (amount > type(uint96).max) revert AmountTooLarge(amount);
        if (timeout < MIN_TIMEOUT || timeout > MAX_TIMEOUT) revert InvalidTimeout(timeout, MIN_TIMEOUT, MAX_TIMEOUT);
        uint256 deadline = block.timestamp + timeout;
        // The casts are safe: amount <= type(uint96).max (checked above), deadline < 2^40.
        // forge-lint: disable-next-line(unsafe-typecast)
        j.budget = uint96(amount);
        // forge-lint: disable-next-line(unsafe-typecast)
        j.deadline = uint40(deadline);
        j.status = Status.Funded;
        emit JobFunded(jobId, msg.sender, amount, deadline);
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

    function _setTreasury(address newTreasury) private {
        if (newTreasury == address(0) || newTreasury == address(this)) revert InvalidAddress(newTreasury);
        emit TreasuryChanged(_config.treasury, newTreasury);
        _config.treasury = newTreasury;
    }

    function _setFee(uint16 newFeeBps) private {
        if (newFeeBps > MAX_FEE_BPS) revert FeeTooHigh(newFeeBps, MAX_FEE_BPS);
        emit FeeChanged(_config.feeBps, newFeeBps);
        _config.feeBps = newFeeBps;
    }
}
