// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";

/// @title AI PLAZA usage credit
/// @notice Prepaid AIC credit for metered use of the plaza (model API calls). A member deposits
///         AIC ({deposit} after `approve`, or {depositWithPermit}); the plaza counts each call
///         against the member's confirmed credit off-chain and settles the usage here in batches
///         ({settle}): one transaction debits the members and pays each payee (a model's owner;
///         later also serving providers) its share minus the platform fee, and the treasury the
///         fee. A batch id is settled at most once, so a retried or re-mined settlement pays
///         nothing twice.
/// @dev    Withdrawal: the member asks for an amount ({requestWithdrawal}); the operator pays it
///         out as soon as the member's usage is settled ({releaseWithdrawal}), and if it does not,
///         the member takes it from {withdrawalDelay} after the request on ({withdraw}). Either
///         way the payout is the request capped at the balance, so the plaza can settle usage
///         before it and the member never waits on the operator for longer than the delay. A
///         settlement entry whose payer no longer has the amount (they withdrew through the safety
///         valve before the plaza settled) takes what is left and reports the shortfall, so one
///         member never blocks a batch. Each member's account is one storage slot.
contract UsageCredit is Ownable2Step, ReentrancyGuardTransient {
    using BitMaps for BitMaps.BitMap;

    /// @notice Highest platform fee, in basis points of a settled amount (10%).
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Shortest withdrawal delay the escrow can be deployed with.
    uint256 public constant MIN_WITHDRAWAL_DELAY = 1 hours;
    /// @notice Longest withdrawal delay the escrow can be deployed with.
    uint256 public constant MAX_WITHDRAWAL_DELAY = 30 days;
    /// @notice Highest batch id: the plaza's ids are positive Java longs.
    uint256 public constant MAX_BATCH_ID = uint256(uint64(type(int64).max));
    uint256 private constant BPS = 10_000;

    /// @notice A member's credit (returned by {account}); one slot.
    struct Account {
        uint96 balance;
        uint96 pendingWithdrawal;
        uint40 withdrawableAt;
    }

    /// @notice One line of a settlement: `payer` is debited `amount`, `payee` gets it minus the fee.
    struct Entry {
        address payer;
        address payee;
        uint96 amount;
    }

    /// @dev One slot: where fees go and the fee.
    struct Config {
        address treasury;
        uint16 feeBps;
    }

    /// @notice The payment token (AIC).
    IERC20 public immutable token;
    /// @notice Seconds from a withdrawal request until the member may withdraw without the operator.
    uint256 public immutable withdrawalDelay;
    /// @notice The plaza's account that settles usage and releases withdrawals.
    address public operator;

    Config private _config;
    mapping(address member => Account) private _accounts;
    BitMaps.BitMap private _settled;

    /// @notice Raised when a caller other than the operator calls an operator function.
    error NotOperator(address caller);
    /// @notice Raised when a batch id is 0 or above `type(int64).max`.
    error IdOutOfRange(uint256 batchId);
    /// @notice Raised when settling a batch id that was settled before.
    error BatchAlreadySettled(uint256 batchId);
    /// @notice Raised when settling an empty batch.
    error EmptyBatch();
    /// @notice Raised when depositing or requesting nothing.
    error ZeroAmount();
    /// @notice Raised when a balance would not fit in 96 bits.
    error AmountTooLarge(uint256 amount);
    /// @notice Raised when a withdrawal request exceeds the member's balance.
    error InsufficientCredit(address member, uint256 balance, uint256 amount);
    /// @notice Raised when the member has no withdrawal request open.
    error NoWithdrawalRequested(address member);
    /// @notice Raised when the member withdraws before the request's delay has passed.
    error TooEarly(address member, uint256 withdrawableAt);
    /// @notice Raised when the delay is outside [{MIN_WITHDRAWAL_DELAY}, {MAX_WITHDRAWAL_DELAY}].
    error InvalidDelay(uint256 delay, uint256 min, uint256 max);
    /// @notice Raised when an address (payee, treasury, operator, token) is zero or this escrow.
    error InvalidAddress(address account);
    /// @notice Raised when setting a fee above {MAX_FEE_BPS}.
    error FeeTooHigh(uint256 feeBps, uint256 max);
    /// @notice Raised when the token reports a failed transfer.
    error PaymentFailed();

    /// @notice A member added credit.
    /// @param member who deposited, and whose credit it is
    /// @param amount the deposit, in AIC wei
    /// @param balance the member's balance after it
    event CreditDeposited(address indexed member, uint256 amount, uint256 balance);
    /// @notice A member asked for `amount` back (replacing an earlier request).
    /// @param withdrawableAt from this time the member may withdraw without the operator
    event WithdrawalRequested(address indexed member, uint256 amount, uint256 withdrawableAt);
    /// @notice A withdrawal was paid: by the operator (`released`) or by the member after the delay.
    event CreditWithdrawn(address indexed member, uint256 amount, bool released);
    /// @notice The operator settled a batch of usage.
    /// @param batchId the plaza's batch id
    /// @param entries how many entries the batch had
    /// @param charged what was debited from the payers, fee included
    /// @param fee the part of `charged` that went to the treasury
    /// @param shortfall what entries asked for beyond their payers' balances (not debited, not paid)
    event UsageSettled(uint256 indexed batchId, uint256 entries, uint256 charged, uint256 fee, uint256 shortfall);
    /// @notice The platform fee changed.
    event FeeChanged(uint256 oldFeeBps, uint256 newFeeBps);
    /// @notice The treasury changed.
    event TreasuryChanged(address indexed oldTreasury, address indexed newTreasury);
    /// @notice The operator changed.
    event OperatorChanged(address indexed oldOperator, address indexed newOperator);

    /// @param token_ the payment token (AIC), which must support EIP-2612 permit
    /// @param operator_ the plaza's operator account
    /// @param treasury_ receiver of the platform fee
    /// @param feeBps_ platform fee in basis points of settled amounts, at most {MAX_FEE_BPS}
    /// @param withdrawalDelay_ seconds a withdrawal request waits before the member may withdraw alone
    /// @param admin owner of the escrow (sets operator, fee and treasury; two-step transfer)
    constructor(
        IERC20 token_,
        address operator_,
        address treasury_,
        uint16 feeBps_,
        uint256 withdrawalDelay_,
        address admin
    ) Ownable(admin) {
        if (address(token_) == address(0)) revert InvalidAddress(address(0));
        if (withdrawalDelay_ < MIN_WITHDRAWAL_DELAY || withdrawalDelay_ > MAX_WITHDRAWAL_DELAY) {
            revert InvalidDelay(withdrawalDelay_, MIN_WITHDRAWAL_DELAY, MAX_WITHDRAWAL_DELAY);
        }
        token = token_;
        withdrawalDelay = withdrawalDelay_;
        _setOperator(operator_);
        _setTreasury(treasury_);
        _setFee(feeBps_);
    }

    modifier onlyOperator() {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ member

    /// @notice Adds `amount` to the caller's credit. The caller must have approved this escrow.
    /// @param amount in AIC wei
    function deposit(uint256 amount) external nonReentrant {
        _deposit(amount);
    }

    /// @notice {deposit} with an EIP-2612 permit instead of a prior approve: signed by the caller
    ///         for spender = this escrow and value = `amount`. A permit already used (e.g.
    ///         front-run) is ignored as long as the allowance suffices.
    /// @param amount in AIC wei
    /// @param deadline the permit's deadline
    /// @param v signature v
    /// @param r signature r
    /// @param s signature s
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _deposit(amount);
    }

    /// @notice Asks for `amount` of the caller's credit back, replacing an earlier request and
    ///         restarting its delay. The operator pays it once the caller's usage is settled; from
    ///         `now + withdrawalDelay` on the caller may {withdraw} it alone.
    /// @param amount in AIC wei, at most the caller's balance
    function requestWithdrawal(uint256 amount) external {
        Account storage a = _accounts[msg.sender];
        if (amount == 0) revert ZeroAmount();
        if (amount > a.balance) revert InsufficientCredit(msg.sender, a.balance, amount);
        uint256 at = block.timestamp + withdrawalDelay;
        // The casts are safe: amount <= balance < 2^96, and `at` < 2^40 for ages.
        // forge-lint: disable-next-line(unsafe-typecast)
        a.pendingWithdrawal = uint96(amount);
        // forge-lint: disable-next-line(unsafe-typecast)
        a.withdrawableAt = uint40(at);
        emit WithdrawalRequested(msg.sender, amount, at);
    }

    /// @notice Safety valve: from the request's delay on, the caller takes the amount requested
    ///         (capped at the balance) without the operator.
    function withdraw() external nonReentrant {
        Account storage a = _accounts[msg.sender];
        if (a.pendingWithdrawal == 0) revert NoWithdrawalRequested(msg.sender);
        // forge-lint: disable-next-line(block-timestamp) -- hours-long windows; seconds of drift do not matter
        if (block.timestamp < a.withdrawableAt) revert TooEarly(msg.sender, a.withdrawableAt);
        _payOut(msg.sender, a, false);
    }

    // ------------------------------------------------------------------ operator

    /// @notice Pays a member's open withdrawal request now (operator only), capped at the balance:
    ///         the plaza calls it once the member's usage is settled.
    /// @param member whose request is paid
    function releaseWithdrawal(address member) external onlyOperator nonReentrant {
        Account storage a = _accounts[member];
        if (a.pendingWithdrawal == 0) revert NoWithdrawalRequested(member);
        _payOut(member, a, true);
    }

    /// @notice Settles a batch of usage once (operator only). Each entry debits its payer
    ///         `amount` (or what is left of the balance: the rest is the shortfall) and credits its
    ///         payee that minus `fee = debited * feeBps / 10000`; the treasury gets the fees.
    ///         Consecutive entries of one payee are paid in one transfer, so the plaza orders
    ///         entries by payee.
    /// @param batchId the plaza's batch id, 1 to `type(int64).max`, usable once
    /// @param entries the batch; payees not zero and not this escrow
    function settle(uint256 batchId, Entry[] calldata entries) external onlyOperator nonReentrant {
        if (batchId == 0 || batchId > MAX_BATCH_ID) revert IdOutOfRange(batchId);
        if (_settled.get(batchId)) revert BatchAlreadySettled(batchId);
        if (entries.length == 0) revert EmptyBatch();
        _settled.set(batchId);

        Config memory c = _config;
        uint256 charged;
        uint256 fees;
        uint256 shortfall;
        uint256 owed; // to the current run of one payee
        for (uint256 i = 0; i < entries.length; i++) {
            Entry calldata e = entries[i];
            if (e.payee == address(0) || e.payee == address(this)) revert InvalidAddress(e.payee);
            Account storage a = _accounts[e.payer];
            uint96 debit = e.amount <= a.balance ? e.amount : a.balance;
            a.balance -= debit;
            shortfall += e.amount - debit;
            uint256 fee = uint256(debit) * c.feeBps / BPS;
            charged += debit;
            fees += fee;
            owed += debit - fee;
            if (i + 1 == entries.length || entries[i + 1].payee != e.payee) {
                _pay(e.payee, owed);
                owed = 0;
            }
        }
        emit UsageSettled(batchId, entries.length, charged, fees, shortfall);
        _pay(c.treasury, fees);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Sets the operator (owner only).
    /// @param newOperator the plaza's new operator account; not zero
    function setOperator(address newOperator) external onlyOwner {
        _setOperator(newOperator);
    }

    /// @notice Sets the platform fee (owner only). Applies to batches settled from now on.
    /// @param newFeeBps fee in basis points, at most {MAX_FEE_BPS}
    function setFee(uint16 newFeeBps) external onlyOwner {
        _setFee(newFeeBps);
    }

    /// @notice Sets where platform fees go (owner only).
    /// @param newTreasury the new treasury; not zero, not this escrow
    function setTreasury(address newTreasury) external onlyOwner {
        _setTreasury(newTreasury);
    }

    // ------------------------------------------------------------------ views

    /// @notice A member's credit: balance, open withdrawal request and when it may be withdrawn alone.
    /// @param member the member
    /// @return the account (all zero for an unknown member)
    function account(address member) external view returns (Account memory) {
        return _accounts[member];
    }

    /// @notice Whether a batch id was settled.
    /// @param batchId the plaza's batch id
    /// @return true once {settle} succeeded for it
    function isSettled(uint256 batchId) external view returns (bool) {
        return _settled.get(batchId);
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

    function _deposit(uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        Account storage a = _accounts[msg.sender];
        uint256 balance = uint256(a.balance) + amount;
        if (balance > type(uint96).max) revert AmountTooLarge(amount);
        // forge-lint: disable-next-line(unsafe-typecast) -- checked just above
        a.balance = uint96(balance);
        emit CreditDeposited(msg.sender, amount, balance);
        if (!token.transferFrom(msg.sender, address(this), amount)) revert PaymentFailed();
    }

    function _payOut(address member, Account storage a, bool released) private {
        uint96 amount = a.pendingWithdrawal <= a.balance ? a.pendingWithdrawal : a.balance;
        a.balance -= amount;
        a.pendingWithdrawal = 0;
        a.withdrawableAt = 0;
        emit CreditWithdrawn(member, amount, released);
        _pay(member, amount);
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
