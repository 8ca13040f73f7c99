// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {AssetRegistry} from "../src/AssetRegistry.sol";
import {Marketplace} from "../src/Marketplace.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract MarketplaceTest is Fixture {
    address internal owner = makeAddr("owner");
    address internal buyer;
    uint256 internal buyerKey;
    address internal stranger = makeAddr("stranger");
    address internal creator = makeAddr("creator");

    uint256 internal constant ASSET = 1;
    uint256 internal constant PRICE = 100e18;

    event LicensePurchased(
        uint256 indexed assetId,
        address indexed buyer,
        address indexed owner,
        uint256 price,
        uint256 fee,
        uint256 licenseId
    );
    event AssetPurchased(
        uint256 indexed assetId,
        address indexed buyer,
        address indexed seller,
        uint256 price,
        uint256 fee,
        address royaltyReceiver,
        uint256 royalty
    );

    function setUp() public {
        deployAll();
        (buyer, buyerKey) = makeAddrAndKey("buyer");
        fund(buyer, 1_000_000e18);
        mintAsset(owner, ASSET);
        vm.prank(owner);
        market.listLicense(ASSET, PRICE);
    }

    // ------------------------------------------------------------ listing

    function test_ListLicense() public view {
        (address lister, uint256 price, bool active) = market.licenseListing(ASSET);
        assertEq(lister, owner);
        assertEq(price, PRICE);
        assertTrue(active);
    }

    function test_RevertWhen_ListingByStranger() public {
        vm.expectRevert(abi.encodeWithSelector(Marketplace.NotAssetOwner.selector, ASSET, stranger));
        vm.prank(stranger);
        market.listLicense(ASSET, 1);
    }

    function test_OperatorListsInOwnersName() public {
        vm.prank(owner);
        registry.setApprovalForAll(stranger, true);
        vm.prank(stranger);
        market.listLicense(ASSET, 5e18);
        (address lister, uint256 price,) = market.licenseListing(ASSET);
        assertEq(lister, owner);
        assertEq(price, 5e18);
    }

    function test_RevertWhen_PriceTooHigh() public {
        uint256 tooHigh = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(Marketplace.PriceTooHigh.selector, tooHigh));
        vm.prank(owner);
        market.listLicense(ASSET, tooHigh);
    }

    function test_UnlistLicense() public {
        vm.prank(owner);
        market.listLicense(ASSET, 0);
        (, uint256 price, bool active) = market.licenseListing(ASSET);
        assertEq(price, 0);
        assertFalse(active);
        _approve(buyer, PRICE);
        vm.expectRevert(abi.encodeWithSelector(Marketplace.NotListed.selector, ASSET));
        vm.prank(buyer);
        market.buyLicense(ASSET, PRICE);
    }

    // ------------------------------------------------------------ buying licenses

    function test_BuyLicense() public {
        _approve(buyer, PRICE);
        uint256 fee = PRICE * FEE_BPS / 10_000;
        vm.expectEmit(address(market));
        emit LicensePurchased(ASSET, buyer, owner, PRICE, fee, 1);
        vm.prank(buyer);
        uint256 id = market.buyLicense(ASSET, PRICE);

        assertEq(id, 1);
        assertEq(market.licenseCount(), 1);
        assertEq(token.balanceOf(owner), PRICE - fee);
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(buyer), 1_000_000e18 - PRICE);
        assertEq(token.balanceOf(address(market)), 0);
        assertEq(token.allowance(buyer, address(market)), 0);
    }

    function test_LicenseIdsIncrease() public {
        _approve(buyer, 3 * PRICE);
        vm.startPrank(buyer);
        assertEq(market.buyLicense(ASSET, PRICE), 1);
        assertEq(market.buyLicense(ASSET, PRICE), 2);
        assertEq(market.buyLicense(ASSET, PRICE), 3);
        vm.stopPrank();
    }

    function test_RevertWhen_AllowanceTooLow() public {
        _approve(buyer, PRICE - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(market),
                _fee(PRICE) - 1, // what is left after paying the owner
                _fee(PRICE)
            )
        );
        vm.prank(buyer);
        market.buyLicense(ASSET, PRICE);
    }

    function test_RevertWhen_BalanceTooLow() public {
        address poor = makeAddr("poor");
        fund(poor, PRICE - 1);
        _approve(poor, PRICE);
        vm.expectRevert();
        vm.prank(poor);
        market.buyLicense(ASSET, PRICE);
    }

    function test_RevertWhen_AssetChangedHands() public {
        address newOwner = makeAddr("newOwner");
        vm.prank(owner);
        registry.transferFrom(owner, newOwner, ASSET);
        (,, bool active) = market.licenseListing(ASSET);
        assertFalse(active);

        _approve(buyer, PRICE);
        vm.expectRevert(abi.encodeWithSelector(Marketplace.StaleOffer.selector, ASSET, owner, newOwner));
        vm.prank(buyer);
        market.buyLicense(ASSET, PRICE);

        // the new owner lists again and gets paid
        vm.prank(newOwner);
        market.listLicense(ASSET, PRICE);
        vm.prank(buyer);
        market.buyLicense(ASSET, PRICE);
        assertEq(token.balanceOf(newOwner), PRICE - _fee(PRICE));
    }

    function test_RevertWhen_AssetDoesNotExist() public {
        vm.expectRevert(abi.encodeWithSelector(Marketplace.NotListed.selector, 999));
        vm.prank(buyer);
        market.buyLicense(999, PRICE);
    }

    function test_ZeroFeeMakesOneTransfer() public {
        vm.prank(admin);
        market.setFee(0);
        _approve(buyer, PRICE);
        vm.prank(buyer);
        market.buyLicense(ASSET, PRICE);
        assertEq(token.balanceOf(owner), PRICE);
        assertEq(token.balanceOf(treasury), 0);
    }

    // ------------------------------------------------------------ the buyer's maxPrice (review finding L9)

    function test_RevertWhen_LicensePriceRaisedAboveMax() public {
        // The buyer left a large allowance to the market; in the same block, ahead of the purchase made at the
        // listed price, the owner raises the price to what that allowance covers.
        _approve(buyer, 10 * PRICE);
        vm.prank(owner);
        market.listLicense(ASSET, 10 * PRICE);

        vm.expectRevert(abi.encodeWithSelector(Marketplace.PriceAboveMax.selector, ASSET, 10 * PRICE, PRICE));
        vm.prank(buyer);
        market.buyLicense(ASSET, PRICE);

        assertEq(token.balanceOf(buyer), 1_000_000e18);
        assertEq(token.balanceOf(owner), 0);
        assertEq(token.balanceOf(treasury), 0);
        assertEq(token.allowance(buyer, address(market)), 10 * PRICE);
        assertEq(market.licenseCount(), 0);
        assertEq(registry.ownerOf(ASSET), owner);
    }

    function test_BuyLicenseChargesLoweredPrice() public {
        _approve(buyer, PRICE);
        vm.prank(owner);
        market.listLicense(ASSET, PRICE / 2);
        vm.expectEmit(address(market));
        emit LicensePurchased(ASSET, buyer, owner, PRICE / 2, _fee(PRICE / 2), 1);
        vm.prank(buyer);
        market.buyLicense(ASSET, PRICE);
        assertEq(token.balanceOf(buyer), 1_000_000e18 - PRICE / 2);
        assertEq(token.balanceOf(owner), PRICE / 2 - _fee(PRICE / 2));
        assertEq(token.allowance(buyer, address(market)), PRICE / 2);
    }

    function testFuzz_BuyLicenseNeverAboveMax(uint96 price, uint256 maxPrice) public {
        price = uint96(bound(price, 1, 1_000_000e18));
        vm.prank(owner);
        market.listLicense(ASSET, price);
        _approve(buyer, type(uint256).max); // the allowance covers any price: only maxPrice stops a higher one
        if (price > maxPrice) {
            vm.expectRevert(abi.encodeWithSelector(Marketplace.PriceAboveMax.selector, ASSET, price, maxPrice));
        }
        vm.prank(buyer);
        market.buyLicense(ASSET, maxPrice);
        assertEq(1_000_000e18 - token.balanceOf(buyer), price > maxPrice ? 0 : price);
    }

    function test_BuyLicenseWithPermit() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(buyerKey, address(market), PRICE, deadline);
        vm.expectEmit(address(market));
        emit LicensePurchased(ASSET, buyer, owner, PRICE, _fee(PRICE), 1);
        vm.prank(buyer);
        market.buyLicenseWithPermit(ASSET, deadline, v, r, s);
        assertEq(token.balanceOf(owner), PRICE - _fee(PRICE));
        assertEq(token.balanceOf(treasury), _fee(PRICE));
        assertEq(token.allowance(buyer, address(market)), 0);
        assertEq(token.nonces(buyer), 1);
    }

    function test_PermitFrontRunStillBuys() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(buyerKey, address(market), PRICE, deadline);
        // someone submits the permit first: the purchase must still go through
        vm.prank(stranger);
        token.permit(buyer, address(market), PRICE, deadline, v, r, s);
        vm.prank(buyer);
        market.buyLicenseWithPermit(ASSET, deadline, v, r, s);
        assertEq(token.balanceOf(owner), PRICE - _fee(PRICE));
    }

    function test_RevertWhen_PermitForOldPrice() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(buyerKey, address(market), PRICE, deadline);
        vm.prank(owner);
        market.listLicense(ASSET, PRICE * 2); // price raised after the buyer signed
        vm.expectRevert(abi.encodeWithSelector(Marketplace.PermitNotForPrice.selector, ASSET, PRICE * 2));
        vm.prank(buyer);
        market.buyLicenseWithPermit(ASSET, deadline, v, r, s);
        assertEq(token.balanceOf(owner), 0);
    }

    function test_RevertWhen_PermitPriceRaisedAgainstLeftoverAllowance() public {
        // The buyer left a large allowance to the market and signs a permit for the listed price; in the same block,
        // ahead of the purchase, the owner raises the price to what that allowance covers. The permit no longer
        // matches, and the market does not fall back on the allowance.
        _approve(buyer, 10 * PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(buyerKey, address(market), PRICE, deadline);
        vm.prank(owner);
        market.listLicense(ASSET, 10 * PRICE);

        vm.expectRevert(abi.encodeWithSelector(Marketplace.PermitNotForPrice.selector, ASSET, 10 * PRICE));
        vm.prank(buyer);
        market.buyLicenseWithPermit(ASSET, deadline, v, r, s);

        assertEq(token.balanceOf(buyer), 1_000_000e18);
        assertEq(token.balanceOf(owner), 0);
        assertEq(token.balanceOf(treasury), 0);
        assertEq(token.allowance(buyer, address(market)), 10 * PRICE);
        assertEq(token.nonces(buyer), 0);
        assertEq(market.licenseCount(), 0);
    }

    function test_RevertWhen_UsedPermitIsForAnotherPrice() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(buyerKey, address(market), PRICE, deadline);
        vm.prank(stranger);
        token.permit(buyer, address(market), PRICE, deadline, v, r, s);
        vm.prank(owner);
        market.listLicense(ASSET, PRICE / 2); // even a lower price is not the one the buyer signed

        vm.expectRevert(abi.encodeWithSelector(Marketplace.PermitNotForPrice.selector, ASSET, PRICE / 2));
        vm.prank(buyer);
        market.buyLicenseWithPermit(ASSET, deadline, v, r, s);
        assertEq(token.balanceOf(owner), 0);
    }

    function test_RevertWhen_PermitSignedByOther() public {
        (, uint256 otherKey) = makeAddrAndKey("other");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(otherKey, address(market), PRICE, deadline);
        vm.expectRevert();
        vm.prank(buyer);
        market.buyLicenseWithPermit(ASSET, deadline, v, r, s);
    }

    function testFuzz_BuyLicenseSplitsExactly(uint96 price, uint16 feeBps) public {
        price = uint96(bound(price, 1, 1_000_000e18));
        feeBps = uint16(bound(feeBps, 0, market.MAX_FEE_BPS()));
        vm.prank(admin);
        market.setFee(feeBps);
        vm.prank(owner);
        market.listLicense(ASSET, price);
        _approve(buyer, price);
        uint256 buyerBefore = token.balanceOf(buyer);

        vm.prank(buyer);
        market.buyLicense(ASSET, price);

        uint256 fee = uint256(price) * feeBps / 10_000;
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(owner), price - fee);
        assertEq(buyerBefore - token.balanceOf(buyer), price);
        assertEq(token.balanceOf(address(market)), 0);
    }

    function testFuzz_PermitPurchase(uint96 price, uint256 deadline) public {
        price = uint96(bound(price, 1, 1_000_000e18));
        deadline = bound(deadline, block.timestamp, type(uint64).max);
        vm.prank(owner);
        market.listLicense(ASSET, price);
        (uint8 v, bytes32 r, bytes32 s) = signPermit(buyerKey, address(market), price, deadline);
        vm.prank(buyer);
        market.buyLicenseWithPermit(ASSET, deadline, v, r, s);
        assertEq(token.balanceOf(owner) + token.balanceOf(treasury), price);
    }

    // ------------------------------------------------------------ selling assets

    function test_BuyAssetPaysSellerFeeAndRoyalty() public {
        vm.prank(minter);
        registry.mint(owner, 2, AssetRegistry.Kind.Model, keccak256("m"), creator, 500);
        uint256 salePrice = 1_000e18;
        vm.startPrank(owner);
        registry.approve(address(market), 2);
        market.listLicense(2, PRICE);
        market.offerAsset(2, salePrice);
        vm.stopPrank();
        (address offeredBy, uint256 p, bool active) = market.assetOffer(2);
        assertEq(offeredBy, owner);
        assertEq(p, salePrice);
        assertTrue(active);

        _approve(buyer, salePrice);
        uint256 fee = _fee(salePrice);
        uint256 royalty = salePrice * 500 / 10_000;
        vm.expectEmit(address(market));
        emit AssetPurchased(2, buyer, owner, salePrice, fee, creator, royalty);
        vm.prank(buyer);
        market.buyAsset(2, salePrice);

        assertEq(registry.ownerOf(2), buyer);
        assertEq(token.balanceOf(owner), salePrice - fee - royalty);
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(creator), royalty);
        assertEq(token.balanceOf(address(market)), 0);
        // the sale ends the seller's offer and license listing
        (, uint256 offerPrice,) = market.assetOffer(2);
        (, uint256 listingPrice,) = market.licenseListing(2);
        assertEq(offerPrice, 0);
        assertEq(listingPrice, 0);
    }

    function test_BuyAssetWithoutRoyalty() public {
        vm.startPrank(owner);
        registry.setApprovalForAll(address(market), true);
        market.offerAsset(ASSET, 10e18);
        vm.stopPrank();
        _approve(buyer, 10e18);
        vm.prank(buyer);
        market.buyAsset(ASSET, 10e18);
        assertEq(registry.ownerOf(ASSET), buyer);
        assertEq(token.balanceOf(owner), 10e18 - _fee(10e18));
    }

    function test_RoyaltyToSellerIsNotSplit() public {
        vm.prank(minter);
        registry.mint(owner, 3, AssetRegistry.Kind.Dataset, keccak256("d"), owner, 1_000);
        vm.startPrank(owner);
        registry.approve(address(market), 3);
        market.offerAsset(3, 10e18);
        vm.stopPrank();
        _approve(buyer, 10e18);
        vm.prank(buyer);
        market.buyAsset(3, 10e18);
        assertEq(token.balanceOf(owner), 10e18 - _fee(10e18));
    }

    function test_RevertWhen_OfferWithoutApproval() public {
        vm.expectRevert(abi.encodeWithSelector(Marketplace.MarketNotApproved.selector, ASSET));
        vm.prank(owner);
        market.offerAsset(ASSET, 1e18);
    }

    function test_RevertWhen_AssetNotForSale() public {
        vm.expectRevert(abi.encodeWithSelector(Marketplace.NotForSale.selector, ASSET));
        vm.prank(buyer);
        market.buyAsset(ASSET, 1e18);
    }

    function test_CancelOffer() public {
        vm.startPrank(owner);
        registry.setApprovalForAll(address(market), true);
        market.offerAsset(ASSET, 1e18);
        market.offerAsset(ASSET, 0);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(Marketplace.NotForSale.selector, ASSET));
        vm.prank(buyer);
        market.buyAsset(ASSET, 1e18);
    }

    function test_RevertWhen_OfferStaleAfterTransfer() public {
        address newOwner = makeAddr("newOwner");
        vm.startPrank(owner);
        registry.setApprovalForAll(address(market), true);
        market.offerAsset(ASSET, 1e18);
        registry.transferFrom(owner, newOwner, ASSET);
        vm.stopPrank();
        _approve(buyer, 1e18);
        vm.expectRevert(abi.encodeWithSelector(Marketplace.StaleOffer.selector, ASSET, owner, newOwner));
        vm.prank(buyer);
        market.buyAsset(ASSET, 1e18);
    }

    function test_RevertWhen_AssetPriceRaisedAboveMax() public {
        vm.startPrank(owner);
        registry.setApprovalForAll(address(market), true);
        market.offerAsset(ASSET, 10e18);
        vm.stopPrank();
        // The buyer left a large allowance to the market; in the same block, ahead of the purchase made at the
        // offered price, the seller offers again at what that allowance covers.
        _approve(buyer, 1_000e18);
        vm.prank(owner);
        market.offerAsset(ASSET, 1_000e18);

        vm.expectRevert(abi.encodeWithSelector(Marketplace.PriceAboveMax.selector, ASSET, 1_000e18, 10e18));
        vm.prank(buyer);
        market.buyAsset(ASSET, 10e18);

        assertEq(registry.ownerOf(ASSET), owner);
        assertEq(token.balanceOf(buyer), 1_000_000e18);
        assertEq(token.balanceOf(owner), 0);
        assertEq(token.balanceOf(treasury), 0);
        assertEq(token.allowance(buyer, address(market)), 1_000e18);
        (, uint256 offerPrice, bool active) = market.assetOffer(ASSET);
        assertEq(offerPrice, 1_000e18);
        assertTrue(active);
    }

    function test_BuyAssetChargesLoweredPrice() public {
        vm.startPrank(owner);
        registry.setApprovalForAll(address(market), true);
        market.offerAsset(ASSET, 10e18);
        market.offerAsset(ASSET, 4e18);
        vm.stopPrank();
        _approve(buyer, 10e18);
        vm.expectEmit(address(market));
        emit AssetPurchased(ASSET, buyer, owner, 4e18, _fee(4e18), address(0), 0);
        vm.prank(buyer);
        market.buyAsset(ASSET, 10e18);
        assertEq(registry.ownerOf(ASSET), buyer);
        assertEq(token.balanceOf(buyer), 1_000_000e18 - 4e18);
        assertEq(token.allowance(buyer, address(market)), 6e18);
    }

    function testFuzz_BuyAssetSplitsExactly(uint96 price, uint16 feeBps, uint96 royaltyBps) public {
        price = uint96(bound(price, 1, 1_000_000e18));
        feeBps = uint16(bound(feeBps, 0, market.MAX_FEE_BPS()));
        royaltyBps = uint96(bound(royaltyBps, 0, registry.MAX_ROYALTY_BPS()));
        vm.prank(admin);
        market.setFee(feeBps);
        vm.prank(minter);
        registry.mint(owner, 9, AssetRegistry.Kind.Model, keccak256("x"), creator, royaltyBps);
        vm.startPrank(owner);
        registry.approve(address(market), 9);
        market.offerAsset(9, price);
        vm.stopPrank();
        _approve(buyer, price);
        vm.prank(buyer);
        market.buyAsset(9, price);

        uint256 fee = uint256(price) * feeBps / 10_000;
        uint256 royalty = uint256(price) * royaltyBps / 10_000;
        assertEq(token.balanceOf(treasury), fee);
        assertEq(token.balanceOf(creator), royalty);
        assertEq(token.balanceOf(owner), price - fee - royalty);
        assertEq(registry.ownerOf(9), buyer);
    }

    // ------------------------------------------------------------ admin

    function test_SetFeeAndTreasury() public {
        address newTreasury = makeAddr("newTreasury");
        vm.startPrank(admin);
        market.setFee(1_000);
        market.setTreasury(newTreasury);
        vm.stopPrank();
        assertEq(market.feeBps(), 1_000);
        assertEq(market.treasury(), newTreasury);
        _approve(buyer, PRICE);
        vm.prank(buyer);
        market.buyLicense(ASSET, PRICE);
        assertEq(token.balanceOf(newTreasury), PRICE / 10);
        assertEq(market.licenseCount(), 1); // the counter shares the slot: setters keep it
    }

    function test_RevertWhen_FeeAboveCap() public {
        vm.expectRevert(abi.encodeWithSelector(Marketplace.FeeTooHigh.selector, 1_001, 1_000));
        vm.prank(admin);
        market.setFee(1_001);
    }

    function test_RevertWhen_ZeroTreasury() public {
        vm.expectRevert(Marketplace.ZeroAddress.selector);
        vm.prank(admin);
        market.setTreasury(address(0));
    }

    function test_RevertWhen_AdminCalledByStranger() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        market.setFee(0);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        market.setTreasury(stranger);
    }

    function test_OwnershipTransferIsTwoStep() public {
        vm.prank(admin);
        market.transferOwnership(stranger);
        assertEq(market.owner(), admin);
        vm.prank(stranger);
        market.acceptOwnership();
        assertEq(market.owner(), stranger);
    }

    function test_RevertWhen_ConstructorFeeTooHigh() public {
        vm.expectRevert(abi.encodeWithSelector(Marketplace.FeeTooHigh.selector, 2_000, 1_000));
        new Marketplace(token, registry, treasury, 2_000, admin);
    }

    // ------------------------------------------------------------ helpers

    function _approve(address who, uint256 amount) internal {
        vm.prank(who);
        token.approve(address(market), amount);
    }

    function _fee(uint256 price) internal pure returns (uint256) {
        return price * FEE_BPS / 10_000;
    }
}
