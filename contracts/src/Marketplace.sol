// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {AssetRegistry} from "./AssetRegistry.sol";

/// @title AI PLAZA marketplace
/// @notice Sells usage licenses of assets registered in the {AssetRegistry}, and the assets
///         themselves, for AIC. A license purchase is one transaction: the buyer's AIC go
///         directly to the asset's owner (price minus the platform fee) and to the treasury
///         (the fee); the market never holds AIC. No per-license record is stored: the
///         {LicensePurchased} event carries everything the plaza needs to grant the license,
///         and `licenseId` (a counter, unique per market) makes granting idempotent.
/// @dev    Storage is laid out for cheap purchases: a listing is one slot (owner, price), and the
///         treasury, fee and license counter share one slot. A listing or offer is valid only
///         while the account that made it still owns the asset: when the token changes hands,
///         the new owner must list again.
contract Marketplace is Ownable2Step, ReentrancyGuardTransient {
    /// @notice Highest platform fee, in basis points of the price (10%).
    uint16 public constant MAX_FEE_BPS = 1_000;
    uint256 private constant BPS = 10_000;
    /// @dev EIP-2612's type hash, to check a permit the token no longer takes (see {buyLicenseWithPermit}).
    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    /// @notice The payment token (AIC).
    IERC20 public immutable token;
    /// @notice The asset registry whose tokens are licensed and sold here.
    AssetRegistry public immutable registry;

    /// @dev One slot: where fees go, the fee, and the number of licenses sold so far.
    struct Config {
        address treasury;
        uint16 feeBps;
        uint80 licenseCount;
    }

    /// @dev One slot: who listed or offered (the asset's owner at the time) and the price.
    struct Offer {
        address owner;
        uint96 price;
    }

    Config private _config;
    mapping(uint256 assetId => Offer) private _licenseListings;
    mapping(uint256 assetId => Offer) private _assetOffers;

    /// @notice Raised when the caller neither owns the asset nor is an approved operator of it.
    error NotAssetOwner(uint256 assetId, address caller);
    /// @notice Raised when buying a license of an asset that is not listed.
    error NotListed(uint256 assetId);
    /// @notice Raised when buying an asset that is not offered for sale.
    error NotForSale(uint256 assetId);
    /// @notice Raised when the asset changed hands since it was listed or offered.
    error StaleOffer(uint256 assetId, address offeredBy, address currentOwner);
    /// @notice Raised when the price to pay is above the most the buyer agreed to pay.
    error PriceAboveMax(uint256 assetId, uint256 price, uint256 maxPrice);
    /// @notice Raised when a permit purchase's permit is not the buyer's permit for the current price
    ///         (e.g. the price changed after the buyer signed).
    error PermitNotForPrice(uint256 assetId, uint256 price);
    /// @notice Raised when a price does not fit in 96 bits.
    error PriceTooHigh(uint256 price);
    /// @notice Raised when setting a fee above {MAX_FEE_BPS}.
    error FeeTooHigh(uint256 feeBps, uint256 max);
    /// @notice Raised when setting the treasury, the token or the registry to the zero address.
    error ZeroAddress();
    /// @notice Raised when offering an asset whose token the market may not transfer.
    error MarketNotApproved(uint256 assetId);
    /// @notice Raised when the token reports a failed transfer.
    error PaymentFailed();

    /// @notice A license was bought. The plaza grants the license from this event.
    /// @param assetId the asset (registry token id)
    /// @param buyer who paid and is licensed
    /// @param owner the asset's owner, who received `price - fee`
    /// @param price what the buyer paid, in AIC wei
    /// @param fee the part of `price` that went to the treasury
    /// @param licenseId unique, increasing id of this license in this market (starts at 1)
    event LicensePurchased(
        uint256 indexed assetId,
        address indexed buyer,
        address indexed owner,
        uint256 price,
        uint256 fee,
        uint256 licenseId
    );
    /// @notice An asset's owner set its license price.
    event LicenseListed(uint256 indexed assetId, address indexed owner, uint256 price);
    /// @notice An asset's license listing was removed.
    event LicenseUnlisted(uint256 indexed assetId, address indexed owner);
    /// @notice An asset's owner offered the asset (its token) for sale.
    event AssetOffered(uint256 indexed assetId, address indexed owner, uint256 price);
    /// @notice An asset's sale offer was removed.
    event AssetOfferCancelled(uint256 indexed assetId, address indexed owner);
    /// @notice An asset (its token) was sold.
    /// @param assetId the asset (registry token id)
    /// @param buyer the new owner, who paid `price`
    /// @param seller the previous owner, who received `price - fee - royalty`
    /// @param price what the buyer paid, in AIC wei
    /// @param fee the part of `price` that went to the treasury
    /// @param royaltyReceiver ERC-2981 royalty receiver (zero when no royalty was paid)
    /// @param royalty the part of `price` that went to `royaltyReceiver`
    event AssetPurchased(
        uint256 indexed assetId,
        address indexed buyer,
        address indexed seller,
        uint256 price,
        uint256 fee,
        address royaltyReceiver,
        uint256 royalty
    );
    /// @notice The platform fee changed.
    event FeeChanged(uint256 oldFeeBps, uint256 newFeeBps);
    /// @notice The treasury changed.
    event TreasuryChanged(address indexed oldTreasury, address indexed newTreasury);

    /// @param token_ the payment token (AIC), which must support EIP-2612 permit
    /// @param registry_ the asset registry
    /// @param treasury_ receiver of the platform fee
    /// @param feeBps_ platform fee in basis points, at most {MAX_FEE_BPS}
    /// @param admin owner of the market (sets fee and treasury; two-step transfer)
    constructor(IERC20 token_, AssetRegistry registry_, address treasury_, uint16 feeBps_, address admin)
        Ownable(admin)
    {
        if (address(token_) == address(0) || address(registry_) == address(0) || treasury_ == address(0)) {
            revert ZeroAddress();
        }
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_, MAX_FEE_BPS);
        token = token_;
        registry = registry_;
        _config = Config(treasury_, feeBps_, 0);
        emit TreasuryChanged(address(0), treasury_);
        emit FeeChanged(0, feeBps_);
    }

    // ------------------------------------------------------------------ licenses

    /// @notice Sets the license price of an asset, or removes its listing when `price` is 0.
    ///         Callable by the asset's owner or an operator the owner approved in the registry;
    ///         the listing is made in the owner's name and lapses if the asset changes hands.
    /// @param assetId the asset (registry token id)
    /// @param price license price in AIC wei (fee included), 0 to unlist
    function listLicense(uint256 assetId, uint256 price) external {
        address owner = _requireOwnerOrOperator(assetId);
        if (price == 0) {
            delete _licenseListings[assetId];
            emit LicenseUnlisted(assetId, owner);
        } else {
            if (price > type(uint96).max) revert PriceTooHigh(price);
            // forge-lint: disable-next-line(unsafe-typecast)
            _licenseListings[assetId] = Offer(owner, uint96(price)); // checked above
            emit LicenseListed(assetId, owner, price);
        }
    }

    /// @notice Buys a usage license of a listed asset for its current license price, which must
    ///         not exceed `maxPrice`. The buyer must have approved the market for at least the
    ///         price. `maxPrice` binds the price the buyer agreed to: an owner who raises the
    ///         price just before the purchase cannot charge more against a larger allowance the
    ///         buyer left to the market; a price lowered meanwhile is charged as lowered.
    /// @param assetId the asset (registry token id)
    /// @param maxPrice the most the buyer pays, in AIC wei (the price the buyer was shown)
    /// @return licenseId the id of the license bought (also in {LicensePurchased})
    function buyLicense(uint256 assetId, uint256 maxPrice) external nonReentrant returns (uint256 licenseId) {
        return _buyLicense(assetId, maxPrice);
    }

    /// @notice Buys a usage license with an EIP-2612 permit instead of a prior approve.
    ///         The permit must be signed by the buyer for spender = this market and value =
    ///         the current license price: the signature binds the price, so a price changed
    ///         after signing (raised or lowered) makes the purchase revert with
    ///         {PermitNotForPrice}, whatever allowance the buyer left to the market. If the
    ///         permit was already used (e.g. submitted by someone else first), the purchase still
    ///         goes through when the allowance suffices, provided the signature is the buyer's
    ///         permit for this market and the current price under the buyer's previous permit
    ///         nonce (the market checks it itself; a permit the buyer has since followed with
    ///         another makes the purchase revert).
    /// @param assetId the asset (registry token id)
    /// @param deadline the permit's deadline
    /// @param v signature v
    /// @param r signature r
    /// @param s signature s
    /// @return licenseId the id of the license bought (also in {LicensePurchased})
    function buyLicenseWithPermit(uint256 assetId, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
        returns (uint256 licenseId)
    {
        uint256 price = _licenseListings[assetId].price;
        try IERC20Permit(address(token)).permit(msg.sender, address(this), price, deadline, v, r, s) {}
        catch {
            if (!_isUsedPermit(msg.sender, price, deadline, v, r, s)) revert PermitNotForPrice(assetId, price);
        }
        return _buyLicense(assetId, price);
    }

    /// @notice The license listing of an asset.
    /// @param assetId the asset (registry token id)
    /// @return owner who listed it
    /// @return price the license price in AIC wei (0: not listed)
    /// @return active whether it can be bought now (listed, and `owner` still owns the asset)
    function licenseListing(uint256 assetId) external view returns (address owner, uint256 price, bool active) {
        Offer memory l = _licenseListings[assetId];
        return (l.owner, l.price, l.price != 0 && _currentOwner(assetId) == l.owner);
    }

    /// @notice The number of licenses sold so far (the last licenseId).
    /// @return the count
    function licenseCount() external view returns (uint256) {
        return _config.licenseCount;
    }

    function _buyLicense(uint256 assetId, uint256 maxPrice) private returns (uint256 licenseId) {
        Offer memory listing = _licenseListings[assetId];
        if (listing.price == 0) revert NotListed(assetId);
        address owner = registry.ownerOf(assetId);
        if (owner != listing.owner) revert StaleOffer(assetId, listing.owner, owner);
        uint256 price = listing.price;
        if (price > maxPrice) revert PriceAboveMax(assetId, price, maxPrice);

        Config memory c = _config;
        uint256 fee = price * c.feeBps / BPS;
        unchecked {
            licenseId = uint256(c.licenseCount) + 1; // 2^80 licenses will not happen
        }
        // forge-lint: disable-next-line(unsafe-typecast)
        _config.licenseCount = uint80(licenseId);

        _pay(msg.sender, owner, price - fee);
        if (fee != 0) _pay(msg.sender, c.treasury, fee);
        emit LicensePurchased(assetId, msg.sender, owner, price, fee, licenseId);
    }

    // ------------------------------------------------------------------ asset sales

    /// @notice Offers an asset (its registry token) for sale, or cancels the offer when `price`
    ///         is 0. The market must be approved in the registry to transfer the token
    ///         (`approve(market, assetId)` or `setApprovalForAll(market, true)`).
    ///         Callable by the owner or an operator the owner approved; lapses if the asset
    ///         changes hands.
    /// @param assetId the asset (registry token id)
    /// @param price sale price in AIC wei (fee and royalty included), 0 to cancel
    function offerAsset(uint256 assetId, uint256 price) external {
        address owner = _requireOwnerOrOperator(assetId);
        if (price == 0) {
            delete _assetOffers[assetId];
            emit AssetOfferCancelled(assetId, owner);
        } else {
            if (price > type(uint96).max) revert PriceTooHigh(price);
            if (registry.getApproved(assetId) != address(this) && !registry.isApprovedForAll(owner, address(this))) {
                revert MarketNotApproved(assetId);
            }
            // forge-lint: disable-next-line(unsafe-typecast)
            _assetOffers[assetId] = Offer(owner, uint96(price)); // checked above
            emit AssetOffered(assetId, owner, price);
        }
    }

    /// @notice Buys an asset offered for sale for its current sale price, which must not exceed
    ///         `maxPrice`: pays the seller (price minus the platform fee and the ERC-2981
    ///         royalty), the treasury and the royalty receiver, and transfers the token to the
    ///         buyer. The buyer must have approved the market for the price. `maxPrice` binds the
    ///         price the buyer agreed to: a seller who offers again at a higher price just before
    ///         the purchase cannot charge more against a larger allowance the buyer left to the
    ///         market; a price lowered meanwhile is charged as lowered. The seller's license
    ///         listing and sale offer end with the sale.
    /// @param assetId the asset (registry token id)
    /// @param maxPrice the most the buyer pays, in AIC wei (the price the buyer was shown)
    function buyAsset(uint256 assetId, uint256 maxPrice) external nonReentrant {
        Offer memory offer = _assetOffers[assetId];
        if (offer.price == 0) revert NotForSale(assetId);
        address seller = registry.ownerOf(assetId);
        if (seller != offer.owner) revert StaleOffer(assetId, offer.owner, seller);
        if (offer.price > maxPrice) revert PriceAboveMax(assetId, offer.price, maxPrice);

        delete _assetOffers[assetId];
        if (_licenseListings[assetId].owner != address(0)) {
            delete _licenseListings[assetId];
            emit LicenseUnlisted(assetId, seller);
        }

        Config memory c = _config;
        uint256 price = offer.price;
        uint256 fee = price * c.feeBps / BPS;
        (address royaltyReceiver, uint256 royalty) = registry.royaltyInfo(assetId, price);
        if (royaltyReceiver == address(0) || royaltyReceiver == seller) {
            royaltyReceiver = address(0);
            royalty = 0;
        } else if (royalty > price - fee) {
            royalty = price - fee;
        }

        _pay(msg.sender, seller, price - fee - royalty);
        if (fee != 0) _pay(msg.sender, c.treasury, fee);
        if (royalty != 0) _pay(msg.sender, royaltyReceiver, royalty);
        registry.transferFrom(seller, msg.sender, assetId);
        emit AssetPurchased(assetId, msg.sender, seller, price, fee, royaltyReceiver, royalty);
    }

    /// @notice The sale offer of an asset.
    /// @param assetId the asset (registry token id)
    /// @return owner who offered it
    /// @return price the sale price in AIC wei (0: not offered)
    /// @return active whether it can be bought now (offered, `owner` still owns the asset and
    ///         the market may transfer it)
    function assetOffer(uint256 assetId) external view returns (address owner, uint256 price, bool active) {
        Offer memory o = _assetOffers[assetId];
        active = o.price != 0 && _currentOwner(assetId) == o.owner
            && (registry.getApproved(assetId) == address(this) || registry.isApprovedForAll(o.owner, address(this)));
        return (o.owner, o.price, active);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Sets the platform fee (owner only).
    /// @param newFeeBps fee in basis points of the price, at most {MAX_FEE_BPS}
    function setFee(uint16 newFeeBps) external onlyOwner {
        if (newFeeBps > MAX_FEE_BPS) revert FeeTooHigh(newFeeBps, MAX_FEE_BPS);
        emit FeeChanged(_config.feeBps, newFeeBps);
        _config.feeBps = newFeeBps;
    }

    /// @notice Sets where platform fees go (owner only).
    /// @param newTreasury the new treasury; not the zero address
    function setTreasury(address newTreasury) external onlyOwner {
        if (newTreasury == address(0)) revert ZeroAddress();
        emit TreasuryChanged(_config.treasury, newTreasury);
        _config.treasury = newTreasury;
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

    function _requireOwnerOrOperator(uint256 assetId) private view returns (address owner) {
        owner = registry.ownerOf(assetId);
        if (
            msg.sender != owner && !registry.isApprovedForAll(owner, msg.sender)
                && registry.getApproved(assetId) != msg.sender
        ) revert NotAssetOwner(assetId, msg.sender);
    }

    function _currentOwner(uint256 assetId) private view returns (address) {
        try registry.ownerOf(assetId) returns (address owner) {
            return owner;
        } catch {
            return address(0);
        }
    }

    /// @dev Whether (v, r, s) signs `owner`'s EIP-2612 permit for this market, `value` and `deadline`
    ///      under the nonce before `owner`'s current one, one the token has already used. `owner` sends
    ///      the purchase too, so its signature over `value` shows it agreed to pay that price.
    function _isUsedPermit(address owner, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        private
        view
        returns (bool)
    {
        IERC20Permit permitToken = IERC20Permit(address(token));
        uint256 nonce = permitToken.nonces(owner);
        if (nonce == 0) return false;
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, address(this), value, nonce - 1, deadline));
        (address signer,,) =
            ECDSA.tryRecover(MessageHashUtils.toTypedDataHash(permitToken.DOMAIN_SEPARATOR(), structHash), v, r, s);
        return signer == owner;
    }

    function _pay(address from, address to, uint256 amount) private {
        if (!token.transferFrom(from, to, amount)) revert PaymentFailed();
    }
}
