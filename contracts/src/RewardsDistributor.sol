// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title AI PLAZA Proof of Value rewards
/// @notice Pays each epoch's contribution rewards from the AI Ecosystem Incentive allocation. The
///         plaza's operator publishes an epoch once ({publish}): the Merkle root of its allocation
///         (one leaf per rewarded wallet: index, account, amount) and the amount it distributes,
///         which this contract takes from the ecosystem wallet ({fundingSource}, which approves
///         this contract for the emission budget: the allowance is the cap on what the operator can
///         ever publish). Members claim their leaf with its proof ({claim}); each index is paid at
///         most once, and an epoch never pays out more than it was funded with, whatever its root
///         says. After {claimPeriod}, anyone may call {expire}: what is left unclaimed returns to
///         the ecosystem wallet, from which later epochs are funded (it rolls over).
/// @dev    Leaves are OpenZeppelin StandardMerkleTree leaves of (uint256 index, address account,
///         uint256 amount): keccak256(bytes.concat(keccak256(abi.encode(index, account, amount)))),
///         pairs hashed sorted. A claim reads two slots of its epoch (root; funded, claimed,
///         deadline, expired), writes the second and one word of the claimed bitmap. Each word holds
///         255 indices; {publish} sets its top bit, so that a claim turns a nonzero word into another
///         (5,000 gas) where a first claim in a zero word would cost 22,100: the operator pays about
///         87 gas per leaf once so that each member's claim costs 17,100 less.
contract RewardsDistributor is Ownable2Step {
    using SafeERC20 for IERC20;

    /// @notice Highest epoch number: the plaza's ids are positive Java longs.
    uint256 public constant MAX_EPOCH = uint256(uint64(type(int64).max));
    /// @notice Shortest claim period the contract can be deployed with.
    uint256 public constant MIN_CLAIM_PERIOD = 1 days;
    /// @notice Longest claim period the contract can be deployed with.
    uint256 public constant MAX_CLAIM_PERIOD = 3 * 365 days;
    /// @notice Most words of the claimed bitmap {publish} prepares (261,120 leaves, about 22.7M gas);
    ///         claims of the indices beyond cost 17,100 gas more, nothing else changes.
    uint256 public constant MAX_PREPARED_WORDS = 1024;

    /// @dev Claim bits per bitmap word: bit 255 is the word's "prepared" mark, never a claim.
    uint256 private constant INDICES_PER_WORD = 255;
    uint256 private constant PREPARED = 1 << 255;

    /// @notice A published epoch (returned by {epoch}).
    struct Epoch {
        // slot 0
        bytes32 root;
        // slot 1
        uint96 funded;
        uint96 claimed;
        uint40 claimDeadline;
        bool expired;
    }

    /// @notice The payment token (AIC).
    IERC20 public immutable token;
    /// @notice The wallet of the AI Ecosystem Incentive allocation: epochs are funded from it and
    ///         unclaimed rewards return to it.
    address public immutable fundingSource;
    /// @notice Seconds after publication during which an epoch's rewards can be claimed.
    uint256 public immutable claimPeriod;
    /// @notice The plaza's account that publishes epochs.
    address public operator;

    mapping(uint256 epoch => Epoch) private _epochs;
    mapping(uint256 epoch => mapping(uint256 word => uint256 bits)) private _claimedBits;

    /// @notice Raised when a caller other than the operator publishes.
    error NotOperator(address caller);
    /// @notice Raised when an epoch number is 0 or above {MAX_EPOCH}.
    error EpochOutOfRange(uint256 epoch);
    /// @notice Raised when publishing an epoch a second time.
    error AlreadyPublished(uint256 epoch);
    /// @notice Raised when publishing a zero root or a zero amount.
    error EmptyEpoch(uint256 epoch);
    /// @notice Raised when an amount does not fit in 96 bits.
    error AmountTooHigh(uint256 amount);
    /// @notice Raised when claiming from, or expiring, an epoch that was never published.
    error NotPublished(uint256 epoch);
    /// @notice Raised when claiming an index that was already paid.
    error AlreadyClaimed(uint256 epoch, uint256 index);
    /// @notice Raised when the proof does not lead to the epoch's root.
    error InvalidProof(uint256 epoch, uint256 index);
    /// @notice Raised when a claim would take the epoch past its funded amount.
    error ExceedsFunding(uint256 epoch, uint256 amount, uint256 left);
    /// @notice Raised when claiming after the epoch's claim deadline.
    error ClaimPeriodOver(uint256 epoch, uint256 deadline);
    /// @notice Raised when expiring an epoch before its claim deadline.
    error ClaimPeriodOpen(uint256 epoch, uint256 deadline);
    /// @notice Raised when expiring an epoch a second time.
    error AlreadyExpired(uint256 epoch);
    /// @notice Raised when a constructor or admin argument is the zero address or out of range.
    error InvalidArgument();

    /// @notice Emitted when the operator publishes an epoch.
    /// @param epoch the plaza's epoch number
    /// @param root the Merkle root of the epoch's allocation
    /// @param amount the AIC (wei) taken from the ecosystem wallet for it
    /// @param claimDeadline unix time from which the rest can be returned with {expire}
    event EpochPublished(uint256 indexed epoch, bytes32 root, uint256 amount, uint256 claimDeadline);
    /// @notice Emitted when a leaf is paid.
    event Claimed(uint256 indexed epoch, uint256 index, address indexed account, uint256 amount);
    /// @notice Emitted when an epoch's unclaimed rewards return to the ecosystem wallet.
    event EpochExpired(uint256 indexed epoch, uint256 returned);
    /// @notice Emitted when the admin changes the operator.
    event OperatorChanged(address indexed previous, address indexed current);

    /// @param token_ the AIC token
    /// @param fundingSource_ the ecosystem wallet (it must approve this contract)
    /// @param claimPeriod_ seconds an epoch stays claimable ({MIN_CLAIM_PERIOD} to {MAX_CLAIM_PERIOD})
    /// @param operator_ the plaza's publishing account
    /// @param admin the owner, who may change the operator
    constructor(IERC20 token_, address fundingSource_, uint256 claimPeriod_, address operator_, address admin)
        Ownable(admin)
    {
        if (
            address(token_) == address(0) || fundingSource_ == address(0) || operator_ == address(0)
                || claimPeriod_ < MIN_CLAIM_PERIOD || claimPeriod_ > MAX_CLAIM_PERIOD
        ) revert InvalidArgument();
        token = token_;
        fundingSource = fundingSource_;
        claimPeriod = claimPeriod_;
        operator = operator_;
        emit OperatorChanged(address(0), operator_);
    }

    /// @notice Operator: publishes an epoch's allocation and takes `amount` from the ecosystem wallet.
    /// @param epoch the plaza's epoch number, 1 to {MAX_EPOCH}, once
    /// @param root the Merkle root of the allocation's leaves
    /// @param amount what the epoch distributes at most (wei)
    /// @param leafCount the allocation's leaves, whose bitmap words are prepared (up to
    ///        {MAX_PREPARED_WORDS}); it only sets what this call spends on making claims cheaper
    function publish(uint256 epoch, bytes32 root, uint256 amount, uint256 leafCount) external {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        if (epoch == 0 || epoch > MAX_EPOCH) revert EpochOutOfRange(epoch);
        if (root == bytes32(0) || amount == 0) revert EmptyEpoch(epoch);
        if (amount > type(uint96).max) revert AmountTooHigh(amount);
        Epoch storage e = _epochs[epoch];
        if (e.root != bytes32(0)) revert AlreadyPublished(epoch);
        uint256 deadline = block.timestamp + claimPeriod;
        e.root = root;
        e.funded = uint96(amount);
        e.claimDeadline = uint40(deadline);
        uint256 words = leafCount == 0 ? 0 : (leafCount - 1) / INDICES_PER_WORD + 1;
        if (words > MAX_PREPARED_WORDS) words = MAX_PREPARED_WORDS;
        mapping(uint256 word => uint256 bits) storage bitmap = _claimedBits[epoch];
        for (uint256 w; w < words; ++w) {
            bitmap[w] = PREPARED;
        }
        emit EpochPublished(epoch, root, amount, deadline);
        token.safeTransferFrom(fundingSource, address(this), amount);
    }

    /// @notice Pays leaf `index` of `epoch` to `account` (anyone may send it; the AIC go to `account`).
    /// @param proof the sibling hashes from the leaf up to the root
    function claim(uint256 epoch, uint256 index, address account, uint256 amount, bytes32[] calldata proof) external {
        Epoch storage e = _epochs[epoch];
        bytes32 root = e.root;
        if (root == bytes32(0)) revert NotPublished(epoch);
        if (block.timestamp >= e.claimDeadline) revert ClaimPeriodOver(epoch, e.claimDeadline);
        uint256 word = index / INDICES_PER_WORD;
        uint256 bit = 1 << (index % INDICES_PER_WORD);
        uint256 bits = _claimedBits[epoch][word];
        if (bits & bit != 0) revert AlreadyClaimed(epoch, index);
        if (!MerkleProof.verifyCalldata(proof, root, keccak256(bytes.concat(keccak256(abi.encode(index, account, amount)))))) {
            revert InvalidProof(epoch, index);
        }
        uint256 left = e.funded - e.claimed;
        if (amount > left) revert ExceedsFunding(epoch, amount, left);
        _claimedBits[epoch][word] = bits | bit;
        e.claimed += uint96(amount); // amount <= left < 2^96
        emit Claimed(epoch, index, account, amount);
        token.safeTransfer(account, amount);
    }

    /// @notice Anyone: after the claim deadline, returns what `epoch` has left to the ecosystem wallet.
    function expire(uint256 epoch) external {
        Epoch storage e = _epochs[epoch];
        if (e.root == bytes32(0)) revert NotPublished(epoch);
        if (e.expired) revert AlreadyExpired(epoch);
        if (block.timestamp < e.claimDeadline) revert ClaimPeriodOpen(epoch, e.claimDeadline);
        uint256 left = e.funded - e.claimed;
        e.expired = true;
        emit EpochExpired(epoch, left);
        if (left != 0) token.safeTransfer(fundingSource, left);
    }

    /// @notice Admin: changes the publishing account.
    function setOperator(address operator_) external onlyOwner {
        if (operator_ == address(0)) revert InvalidArgument();
        emit OperatorChanged(operator, operator_);
        operator = operator_;
    }

    /// @notice Whether leaf `index` of `epoch` was paid.
    function isClaimed(uint256 epoch, uint256 index) external view returns (bool) {
        return _claimedBits[epoch][index / INDICES_PER_WORD] & (1 << (index % INDICES_PER_WORD)) != 0;
    }

    /// @notice A published epoch (a zero root when it was never published).
    function epoch(uint256 epoch_) external view returns (Epoch memory) {
        return _epochs[epoch_];
    }

    /// @notice What the contract still owes for `epoch_` (0 once expired).
    function outstanding(uint256 epoch_) external view returns (uint256) {
        Epoch storage e = _epochs[epoch_];
        return e.expired ? 0 : e.funded - e.claimed;
    }
}
