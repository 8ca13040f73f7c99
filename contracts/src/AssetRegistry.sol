// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title AI PLAZA asset registry
/// @notice One ERC-721 token per asset published on AI PLAZA: a dataset, a model or a trained
///         model. Each token records the asset's kind and the hash of its content, and its
///         tokenURI (baseURI + tokenId) points at the plaza's metadata JSON. The plaza mints a
///         token (MINTER_ROLE) to the owner's wallet when a listing is published; the token id
///         is the plaza's listing id, so that minting is idempotent (a second mint reverts).
///         Royalties on resale follow ERC-2981.
contract AssetRegistry is ERC721, ERC2981, AccessControl {
    /// @notice What an asset is.
    enum Kind {
        Dataset,
        Model,
        TrainedModel
    }

    /// @notice The on-chain record of an asset.
    /// @param contentHash hash of the asset's content (e.g. SHA-256 of the archive, as the plaza computes it)
    /// @param kind the asset's kind
    struct Asset {
        bytes32 contentHash;
        Kind kind;
    }

    /// @notice Role allowed to mint asset tokens (the plaza operator).
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @notice Highest royalty, in basis points of the sale price, that can be set.
    uint96 public constant MAX_ROYALTY_BPS = 1_000;

    string private _baseTokenURI;
    mapping(uint256 tokenId => Asset) private _assets;

    /// @notice Raised when minting with a zero content hash.
    error ContentHashRequired();
    /// @notice Raised when a royalty above {MAX_ROYALTY_BPS} is asked for.
    error RoyaltyTooHigh(uint96 bps, uint96 max);

    /// @notice Emitted when an asset token is minted.
    event AssetMinted(
        uint256 indexed tokenId,
        address indexed owner,
        Kind kind,
        bytes32 contentHash,
        address royaltyReceiver,
        uint96 royaltyBps
    );
    /// @notice Emitted when the base of every tokenURI changes.
    event BaseURIChanged(string baseURI);
    /// @notice ERC-4906: metadata of tokens `_fromTokenId`..`_toTokenId` changed (emitted with the
    ///         whole id range when the base URI changes).
    event BatchMetadataUpdate(uint256 _fromTokenId, uint256 _toTokenId);
    /// @notice Emitted when the royalty applying to tokens without their own changes.
    event DefaultRoyaltyChanged(address receiver, uint96 bps);

    /// @param baseURI_ prefix of every tokenURI, e.g. "https://plaza.example/api/nft/"
    /// @param admin receives DEFAULT_ADMIN_ROLE (grants MINTER_ROLE, sets baseURI and royalties)
    constructor(string memory baseURI_, address admin) ERC721("AI PLAZA Asset", "AIPA") {
        _baseTokenURI = baseURI_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        emit BaseURIChanged(baseURI_);
    }

    /// @notice Mints the token of a newly published asset to its owner's wallet.
    /// @param to the owner's wallet; a contract must implement IERC721Receiver
    /// @param tokenId the plaza's listing id of the asset
    /// @param kind dataset, model or trained model
    /// @param contentHash hash of the asset's content; must not be zero
    /// @param royaltyReceiver receiver of ERC-2981 royalties on resale, or the zero address to
    ///        use the default royalty
    /// @param royaltyBps royalty in basis points (at most {MAX_ROYALTY_BPS}); ignored when
    ///        royaltyReceiver is zero
    function mint(
        address to,
        uint256 tokenId,
        Kind kind,
        bytes32 contentHash,
        address royaltyReceiver,
        uint96 royaltyBps
    ) external onlyRole(MINTER_ROLE) {
        if (contentHash == bytes32(0)) revert ContentHashRequired();
        _assets[tokenId] = Asset(contentHash, kind);
        if (royaltyReceiver != address(0)) {
            if (royaltyBps > MAX_ROYALTY_BPS) revert RoyaltyTooHigh(royaltyBps, MAX_ROYALTY_BPS);
            _setTokenRoyalty(tokenId, royaltyReceiver, royaltyBps);
        } else {
            royaltyBps = 0;
        }
        _safeMint(to, tokenId);
        emit AssetMinted(tokenId, to, kind, contentHash, royaltyReceiver, royaltyBps);
    }

    /// @notice The kind and content hash of an existing asset.
    /// @param tokenId the asset's token id
    /// @return kind the asset's kind
    /// @return contentHash the asset's content hash
    function assetOf(uint256 tokenId) external view returns (Kind kind, bytes32 contentHash) {
        _requireOwned(tokenId);
        Asset storage a = _assets[tokenId];
        return (a.kind, a.contentHash);
    }

    /// @notice Changes the prefix of every tokenURI (admin only).
    /// @param newBaseURI the new prefix
    function setBaseURI(string calldata newBaseURI) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _baseTokenURI = newBaseURI;
        emit BaseURIChanged(newBaseURI);
        emit BatchMetadataUpdate(0, type(uint256).max);
    }

    /// @notice Sets the royalty of tokens minted without their own (admin only).
    /// @param receiver royalty receiver; the zero address removes the default royalty
    /// @param bps royalty in basis points, at most {MAX_ROYALTY_BPS}
    function setDefaultRoyalty(address receiver, uint96 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (receiver == address(0)) {
            _deleteDefaultRoyalty();
            bps = 0;
        } else {
            if (bps > MAX_ROYALTY_BPS) revert RoyaltyTooHigh(bps, MAX_ROYALTY_BPS);
            _setDefaultRoyalty(receiver, bps);
        }
        emit DefaultRoyaltyChanged(receiver, bps);
    }

    /// @notice The prefix of every tokenURI.
    /// @return the base URI
    function baseURI() external view returns (string memory) {
        return _baseTokenURI;
    }

    function _baseURI() internal view override returns (string memory) {
        return _baseTokenURI;
    }

    /// @inheritdoc ERC721
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, ERC2981, AccessControl) returns (bool) {
        // 0x49064906: ERC-4906 (metadata update events)
        return interfaceId == bytes4(0x49064906) || super.supportsInterface(interfaceId);
    }
}
