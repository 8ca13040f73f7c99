// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title The gas baseline of reward claims (ops/bench/gas), not deployed by the plaza
/// @notice The claim of Uniswap's MerkleDistributor (github.com/Uniswap/merkle-distributor), whose
///         published 78,466 gas the issue names as the anchor, written again here so that the bench
///         measures it on the same chain, hardfork and token as RewardsDistributor: one immutable
///         token and root, a bitmap of claimed indices, leaves keccak256(abi.encodePacked(index,
///         account, amount)), no funding cap and no claim period. (Its 78,466 was measured before
///         EIP-2929 priced cold storage reads at 2,100 gas, so it is not comparable as printed.)
contract ReferenceMerkleDistributor {
    IERC20 public immutable token;
    bytes32 public immutable merkleRoot;

    mapping(uint256 word => uint256 bits) private claimedBitMap;

    event Claimed(uint256 index, address account, uint256 amount);

    constructor(IERC20 token_, bytes32 merkleRoot_) {
        token = token_;
        merkleRoot = merkleRoot_;
    }

    function isClaimed(uint256 index) public view returns (bool) {
        uint256 word = claimedBitMap[index / 256];
        uint256 mask = 1 << (index % 256);
        return word & mask == mask;
    }

    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata merkleProof) external {
        require(!isClaimed(index), "MerkleDistributor: Drop already claimed.");
        bytes32 node = keccak256(abi.encodePacked(index, account, amount));
        require(MerkleProof.verify(merkleProof, merkleRoot, node), "MerkleDistributor: Invalid proof.");
        claimedBitMap[index / 256] = claimedBitMap[index / 256] | (1 << (index % 256));
        require(token.transfer(account, amount), "MerkleDistributor: Transfer failed.");
        emit Claimed(index, account, amount);
    }
}
