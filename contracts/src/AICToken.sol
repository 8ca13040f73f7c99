// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {VestingWallet} from "@openzeppelin/contracts/finance/VestingWallet.sol";

/// @title AI Crypto (AIC)
/// @notice The AI PLAZA payment token: a fixed-supply ERC-20 with EIP-2612 permit. The whole
///         supply of 10,000,000,000 AIC is minted once, at deployment, to the whitepaper's
///         allocation; nothing can mint or burn afterwards.
/// @dev    The Team and Advisor shares are minted to OpenZeppelin {VestingWallet}s created here,
///         which release them linearly to their beneficiaries between `start` and
///         `start + duration`.
contract AICToken is ERC20, ERC20Permit {
    /// @notice The fixed total supply: 10 billion AIC with 18 decimals.
    uint256 public constant TOTAL_SUPPLY = 10_000_000_000 ether;

    /// @notice Allocation shares, in basis points of {TOTAL_SUPPLY}. They add up to 10,000.
    uint256 public constant INVESTOR_BPS = 3_000;
    uint256 public constant TEAM_BPS = 2_500;
    uint256 public constant ECOSYSTEM_BPS = 2_000;
    uint256 public constant MARKETING_BPS = 1_500;
    uint256 public constant ADVISOR_BPS = 500;
    uint256 public constant RESERVE_BPS = 500;

    /// @notice The vesting wallet holding the Team share (beneficiary: the team address).
    VestingWallet public immutable teamVesting;
    /// @notice The vesting wallet holding the Advisor share (beneficiary: the advisor address).
    VestingWallet public immutable advisorVesting;

    /// @notice Raised when an allocation address is the zero address.
    error ZeroAllocationAddress();

    /// @notice Emitted once per allocation at deployment.
    /// @param category a short label: "investor", "team", "ecosystem", "marketing", "advisor", "reserve"
    /// @param recipient the address that received the tokens (a vesting wallet for team and advisor)
    /// @param amount the number of tokens minted, in wei (18 decimals)
    event Allocated(string category, address indexed recipient, uint256 amount);

    /// @notice Mints the whole supply to the allocation.
    /// @param investor receives the Investor share (30%)
    /// @param ecosystem receives the AI Ecosystem Incentive share (20%)
    /// @param marketing receives the Marketing share (15%)
    /// @param reserve receives the Company Reserve share (5%)
    /// @param teamBeneficiary beneficiary of the vesting wallet holding the Team share (25%)
    /// @param advisorBeneficiary beneficiary of the vesting wallet holding the Advisor share (5%)
    /// @param vestingStart unix time at which both vesting schedules start
    /// @param teamVestingDuration seconds over which the Team share vests linearly
    /// @param advisorVestingDuration seconds over which the Advisor share vests linearly
    constructor(
        address investor,
        address ecosystem,
        address marketing,
        address reserve,
        address teamBeneficiary,
        address advisorBeneficiary,
        uint64 vestingStart,
        uint64 teamVestingDuration,
        uint64 advisorVestingDuration
    ) ERC20("AI Crypto", "AIC") ERC20Permit("AI Crypto") {
        if (
            investor == address(0) || ecosystem == address(0) || marketing == address(0) || reserve == address(0)
                || teamBeneficiary == address(0) || advisorBeneficiary == address(0)
        ) revert ZeroAllocationAddress();

        teamVesting = new VestingWallet(teamBeneficiary, vestingStart, teamVestingDuration);
        advisorVesting = new VestingWallet(advisorBeneficiary, vestingStart, advisorVestingDuration);

        _allocate("investor", investor, INVESTOR_BPS);
        _allocate("team", address(teamVesting), TEAM_BPS);
        _allocate("ecosystem", ecosystem, ECOSYSTEM_BPS);
        _allocate("marketing", marketing, MARKETING_BPS);
        _allocate("advisor", address(advisorVesting), ADVISOR_BPS);
        _allocate("reserve", reserve, RESERVE_BPS);
        // The shares are exact (10,000 bps of a multiple of 10,000), so nothing is left over.
        assert(totalSupply() == TOTAL_SUPPLY);
    }

    function _allocate(string memory category, address to, uint256 bps) private {
        uint256 amount = TOTAL_SUPPLY * bps / 10_000;
        _mint(to, amount);
        emit Allocated(category, to, amount);
    }
}
