// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title AI PLAZA bounty escrow: data requests and AI commissions
/// @notice Holds the AIC bounty of a plaza data request or AI commission until its requester
///         accepts a submission or the deadline passes. The requester opens the bounty
///         ({open} after `approve`, or {openWithPermit}) under the plaza's request id; records are
///         keyed by (requester, id), so nobody can occupy or front-run another requester's id.
///         The requester alone decides acceptance ({accept}): the creator gets the bounty minus
///         the platform fee, the treasury the fee, once. For a commission the creator's asset
///         token moves to the requester in the same transaction, so the bounty is paid exactly
///         when the model is delivered.
/// @dev    No operator: from the deadline on, anyone may return an unaccepted bounty to its
///         requester ({refund}), so the plaza being down never locks funds. Commissions: an approval
///         of the escrow for a token is not bound to a bounty, so a requester of another (cheaper)
///         commission could otherwise take a token approved for this one. The creator therefore
///         also names the bounty on-chain ({submitAsset}); {accept} moves only a token its owner
///         submitted to that very bounty, and only while they still own it and have approved the
///         escrow. A bounty takes one slot (amount, deadline, status).
contract BountyEscrow is Ownable2Step, ReentrancyGuardTransient {
    /// @notice Highest platform fee, in basis points of the bounty (10%).
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Shortest time from opening to the deadline.
    uint256 public constant MIN_DURATION = 1 hours;
    /// @notice Longest time from opening to the deadline.
    uint256 public constant MAX_DURATION = 365 days;
    /// @notice Highest bounty and asset id: the plaza's ids are positive Java longs.
    uint256 public constant MAX_ID = uint256(uint64(type(int64).max));
    uint256 private constant BPS = 10_000;

    /// @notice Life cycle of a bounty. None: unknown. Open: funded, not closed. Accepted: paid to a
    ///         creator. Refunded: returned to the requester after the deadline.
    enum Status {
        None,
        Open,
        Accepted,
        Refunded
    }

    /// @notice A bounty (returned by {bounty}); the requester is the record's key.
    struct Bounty {
        uint96 amount;
        uint40 deadline;
        Status status;
    }

    /// @dev One slot: where fees go and the fee.
    struct Config {
        address treasury;
        uint16 feeBps;
    }

    /// @notice The payment token (AIC).
    IERC20 public immutable token;
    /// @notice The asset registry (ERC-721) whose tokens commissions deliver.
    IERC721 public immutable registry;

    Config private _config;
    mapping(address requester => mapping(uint256 bountyId => Bounty)) private _bounties;
    mapping(address requester => mapping(uint256 bountyId => mapping(uint256 assetId => address creator))) private
        _submitted;

    /// @notice Raised when a bounty or asset id is 0 or above `type(int64).max`.
    error IdOutOfRange(uint256 id);
    /// @notice Raised when the caller opens a bounty under an id it already used.
    error BountyExists(uint256 bountyId);
    /// @notice Raised when the bounty is not in the status the call needs.
    error WrongStatus(uint256 bountyId, Status status);
    /// @notice Raised when opening a bounty of nothing.
    error ZeroAmount();
    /// @notice Raised when an amount does not fit in 96 bits.
    error AmountTooLarge(uint256 amount);
    /// @notice Raised when the deadline is not between now + {MIN_DURATION} and now + {MAX_DURATION}.
    error InvalidDeadline(uint256 deadline, uint256 earliest, uint256 latest);
    /// @notice Raised when accepting at or after the deadline, or refunding before it.
    error DeadlinePassed(uint256 bountyId, uint256 deadline);
    /// @notice Raised when refunding before the deadline.
    error TooEarly(uint256 bountyId, uint256 deadline);
    /// @notice Raised when the creator is zero, this escrow or the requester, or a treasury is invalid.
    error InvalidAddress(address account);
    /// @notice Raised when an asset was not submitted to this bounty by the creator named.
    error NotSubmitted(uint256 bountyId, uint256 assetId, address creator);
    /// @notice Raised when someone other than the token's owner submits it.
    error NotAssetOwner(uint256 assetId, address caller);
    /// @notice Raised when setting a fee above {MAX_FEE_BPS}.
    error FeeTooHigh(uint256 feeBps, uint256 max);
    /// @notice Raised when the token reports a failed transfer.
    error PaymentFailed();

    /// @notice A requester escrowed a bounty.
    /// @param bountyId the plaza's request id
    /// @param requester who funded it, decides acceptance and gets the refund
    /// @param amount the bounty, in AIC wei
    /// @param deadline from this time the bounty can no longer be accepted, only refunded
    event BountyOpened(uint256 indexed bountyId, address indexed requester, uint256 amount, uint256 deadline);
    /// @notice The owner of an asset token submitted it to a commission.
    event AssetSubmitted(uint256 indexed bountyId, address indexed requester, address indexed creator, uint256 assetId);
    /// @notice The requester accepted a submission: `creator` got `amount - fee`, the treasury `fee`;
    ///         for a commission (`assetId` not 0) the token moved from the creator to the requester.
    event BountyAccepted(
        uint256 indexed bountyId,
        address indexed requester,
        address indexed creator,
        uint256 assetId,
        uint256 amount,
        uint256 fee
    );
    /// @notice The bounty went back to its requester after the deadline.
    event BountyRefunded(uint256 indexed bountyId, address indexed requester, uint256 amount);
    /// @notice The platform fee changed.
    event FeeChanged(uint256 oldFeeBps, uint256 newFeeBps);
    /// @notice The treasury changed.
    event TreasuryChanged(address indexed oldTreasury, address indexed newTreasury);

    /// @param token_ the payment token (AIC), which must support EIP-2612 permit
    /// @param registry_ the asset registry whose tokens commissions deliver
    /// @param treasury_ receiver of the platform fee
    /// @param feeBps_ platform fee in basis points of the bounty, at most {MAX_FEE_BPS}
    /// @param admin owner of the escrow (sets fee and treasury; two-step transfer)
    constructor(IERC20 token_, IERC721 registry_, address treasury_, uint16 feeBps_, address admin) Ownable(admin) {
        if (address(token_) == address(0)) revert InvalidAddress(address(0));
        if (address(registry_) == address(0)) revert InvalidAddress(address(0));
        token = token_;
        registry = registry_;
        _setTreasury(treasury_);
        _setFee(feeBps_);
    }

    // ------------------------------------------------------------------ requester

    /// @notice Escrows `amount` as the bounty of request `bountyId`, the caller being its requester.
    ///         The caller must have approved this escrow for `amount`.
    /// @param bountyId the plaza's request id, 1 to `type(int64).max`; the caller may use it once
    /// @param amount the bounty, in AIC wei
    /// @param deadline epoch seconds, between now + {MIN_DURATION} and now + {MAX_DURATION}
    function open(uint256 bountyId, uint256 amount, uint256 deadline) external nonReentrant {
        _open(bountyId, amount, deadline);
    }

    /// @notice {open} with an EIP-2612 permit (spender = this escrow, value = `amount`) instead of a
    ///         prior approve. A permit already used (e.g. front-run) is ignored as long as the
    ///         allowance suffices.
    /// @param bountyId the plaza's request id
    /// @param amount the bounty, in AIC wei
    /// @param deadline the bounty's deadline, epoch seconds
    /// @param permitDeadline the permit's deadline
    /// @param v signature v
    /// @param r signature r
    /// @param s signature s
    function openWithPermit(
        uint256 bountyId,
        uint256 amount,
        uint256 deadline,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, permitDeadline, v, r, s) {} catch {}
        _open(bountyId, amount, deadline);
    }

    /// @notice Accepts a submission before the deadline, once: `creator` gets the bounty minus the
    ///         fee, the treasury the fee. With `assetId` not 0 (a commission) the asset token moves
    ///         from `creator` to the caller in the same transaction: `creator` must have submitted it
    ///         to this bounty ({submitAsset}), still own it and have approved this escrow for it.
    /// @param bountyId the caller's bounty
    /// @param creator who made the accepted data or model
    /// @param assetId the delivered asset token, or 0 for a data request (nothing moves on-chain)
    function accept(uint256 bountyId, address creator, uint256 assetId) external nonReentrant {
        Bounty storage b = _bounties[msg.sender][bountyId];
        if (b.status != Status.Open) revert WrongStatus(bountyId, b.status);
        // forge-lint: disable-next-line(block-timestamp) -- hours-long windows; seconds of drift do not matter
        if (block.timestamp >= b.deadline) revert DeadlinePassed(bountyId, b.deadline);
        if (creator == address(0) || creator == address(this) || creator == msg.sender) revert InvalidAddress(creator);
        if (assetId != 0 && _submitted[msg.sender][bountyId][assetId] != creator) {
            revert NotSubmitted(bountyId, assetId, creator);
        }
        b.status = Status.Accepted;
        uint256 amount = b.amount;
        Config memory c = _config;
        uint256 fee = amount * c.feeBps / BPS;
        emit BountyAccepted(bountyId, msg.sender, creator, assetId, amount, fee);
        if (assetId != 0) {
            registry.transferFrom(creator, msg.sender, assetId);
        }
        _pay(creator, amount - fee);
        _pay(c.treasury, fee);
    }

    /// @notice From the deadline on, returns an unaccepted bounty to its requester. Anyone may call
    ///         it (no operator needed); the money only ever goes to the requester.
    /// @param requester the bounty's requester
    /// @param bountyId the bounty
    function refund(address requester, uint256 bountyId) external nonReentrant {
        Bounty storage b = _bounties[requester][bountyId];
        if (b.status != Status.Open) revert WrongStatus(bountyId, b.status);
        // forge-lint: disable-next-line(block-timestamp) -- hours-long windows; seconds of drift do not matter
        if (block.timestamp < b.deadline) revert TooEarly(bountyId, b.deadline);
        b.status = Status.Refunded;
        uint256 amount = b.amount;
        emit BountyRefunded(bountyId, requester, amount);
        _pay(requester, amount);
    }

    // ------------------------------------------------------------------ creator

    /// @notice The caller, owner of asset token `assetId`, offers it to the requester's open
    ///         commission `bountyId`: the requester may then take it by {accept}ing (which pays the
    ///         caller). The caller must also approve this escrow for the token (ERC-721 `approve`
    ///         or `setApprovalForAll`) before the requester accepts.
    /// @param requester the commission's requester
    /// @param bountyId the commission
    /// @param assetId the caller's asset token, 1 to `type(int64).max`
    function submitAsset(address requester, uint256 bountyId, uint256 assetId) external {
        if (assetId == 0 || assetId > MAX_ID) revert IdOutOfRange(assetId);
        Bounty storage b = _bounties[requester][bountyId];
        if (b.status != Status.Open) revert WrongStatus(bountyId, b.status);
        if (registry.ownerOf(assetId) != msg.sender) revert NotAssetOwner(assetId, msg.sender);
        if (msg.sender == requester) revert InvalidAddress(msg.sender);
        _submitted[requester][bountyId][assetId] = msg.sender;
        emit AssetSubmitted(bountyId, requester, msg.sender, assetId);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Sets the platform fee (owner only). Applies to bounties accepted from now on.
    /// @param newFeeBps fee in basis points of the bounty, at most {MAX_FEE_BPS}
    function setFee(uint16 newFeeBps) external onlyOwner {
        _setFee(newFeeBps);
    }

    /// @notice Sets where platform fees go (owner only).
    /// @param newTreasury the new treasury; not zero, not this escrow
    function setTreasury(address newTreasury) external onlyOwner {
        _setTreasury(newTreasury);
    }

    // ------------------------------------------------------------------ views

    /// @notice A bounty's record (all zero for an unknown one).
    /// @param requester the bounty's requester
    /// @param bountyId the bounty
    /// @return the record: amount, deadline and status
    function bounty(address requester, uint256 bountyId) external view returns (Bounty memory) {
        return _bounties[requester][bountyId];
    }

    /// @notice Who submitted asset `assetId` to the requester's bounty (zero if nobody).
    /// @param requester the bounty's requester
    /// @param bountyId the bounty
    /// @param assetId the asset token
    /// @return the creator
    function submitter(address requester, uint256 bountyId, uint256 assetId) external view returns (address) {
        return _submitted[requester][bountyId][assetId];
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

    function _open(uint256 bountyId, uint256 amount, uint256 deadline) private {
        if (bountyId == 0 || bountyId > MAX_ID) revert IdOutOfRange(bountyId);
        Bounty storage b = _bounties[msg.sender][bountyId];
        if (b.status != Status.None) revert BountyExists(bountyId);
        if (amount == 0) revert ZeroAmount();
        if (amount > type(uint96).max) revert AmountTooLarge(amount);
        uint256 earliest = block.timestamp + MIN_DURATION;
        uint256 latest = block.timestamp + MAX_DURATION;
        if (deadline < earliest || deadline > latest) revert InvalidDeadline(deadline, earliest, latest);
        // The casts are safe: amount <= type(uint96).max (checked above), deadline < 2^40.
        // forge-lint: disable-next-line(unsafe-typecast)
        b.amount = uint96(amount);
        // forge-lint: disable-next-line(unsafe-typecast)
        b.deadline = uint40(deadline);
        b.status = Status.Open;
        emit BountyOpened(bountyId, msg.sender, amount, deadline);
        if (!token.transferFrom(msg.sender, address(this), amount)) revert PaymentFailed();
    }

    function _pay(address to, uint256 amount) private {
        if (amount != 0 && !token.transfer(to, amount)) revert PaymentFailed();
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
