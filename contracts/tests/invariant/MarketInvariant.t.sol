// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Fixture} from "../utils/Fixture.sol";
import {AICToken} from "../../src/AICToken.sol";
import {AssetRegistry} from "../../src/AssetRegistry.sol";
import {Marketplace} from "../../src/Marketplace.sol";

/// @dev Random sequences of listings, purchases (with and without permit), asset sales, NFT
///      transfers and fee changes among a few actors, with ghost accounting of what should
///      have moved.
contract MarketHandler is Test {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    uint256 internal constant ASSETS = 4;

    AICToken internal immutable token;
    AssetRegistry internal immutable registry;
    Marketplace internal immutable market;
    address internal immutable admin;

    address[] public actors;
    uint256[] internal keys;
    address public immutable creator = makeAddr("creator");

    uint256 public ghostFees;
    uint256 public ghostRoyalties;
    uint256 public ghostLicenses;
    uint256 public ghostVolume;
    mapping(address => uint256) public ghostSpent;
    mapping(address => uint256) public ghostEarned;

    constructor(AICToken token_, AssetRegistry registry_, Marketplace market_, address admin_, address minter) {
        token = token_;
        registry = registry_;
        market = market_;
        admin = admin_;
        for (uint256 i = 0; i < 4; i++) {
            (address a, uint256 k) = makeAddrAndKey(string.concat("actor", vm.toString(i)));
            actors.push(a);
            keys.push(k);
        }
        for (uint256 id = 1; id <= ASSETS; id++) {
            // forge-lint: disable-next-line(unsafe-typecast)
            uint96 royaltyBps = uint96(id * 100); // 100..400
            vm.prank(minter);
            registry.mint(
                actors[id % 4], id, AssetRegistry.Kind(id % 3), keccak256(abi.encode(id)), creator, royaltyBps
            );
        }
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function listLicense(uint256 assetSeed, uint256 price) external {
        uint256 id = bound(assetSeed, 1, ASSETS);
        price = bound(price, 0, 1_000e18);
        vm.prank(registry.ownerOf(id));
        market.listLicense(id, price);
    }

    function buyLicense(uint256 buyerSeed, uint256 assetSeed, uint256 priceSeed) external {
        uint256 id = bound(assetSeed, 1, ASSETS);
        address buyer = actors[bound(buyerSeed, 0, actors.length - 1)];
        (address owner, uint256 price) = _activeListing(id, priceSeed);
        vm.prank(buyer);
        token.approve(address(market), price);
        vm.prank(buyer);
        market.buyLicense(id, price);
        _recordLicense(buyer, owner, price);
    }

    function buyLicenseWithPermit(uint256 buyerSeed, uint256 assetSeed, uint256 priceSeed) external {
        uint256 id = bound(assetSeed, 1, ASSETS);
        uint256 b = bound(buyerSeed, 0, actors.length - 1);
        address buyer = actors[b];
        (address owner, uint256 price) = _activeListing(id, priceSeed);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, buyer, address(market), price, token.nonces(buyer), deadline));
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(keys[b], keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
        vm.prank(buyer);
        market.buyLicenseWithPermit(id, deadline, v, r, s);
        _recordLicense(buyer, owner, price);
    }

    function offerAsset(uint256 assetSeed, uint256 price) external {
        uint256 id = bound(assetSeed, 1, ASSETS);
        price = bound(price, 0, 10_000e18);
        address owner = registry.ownerOf(id);
        vm.startPrank(owner);
        registry.setApprovalForAll(address(market), true);
        market.offerAsset(id, price);
        vm.stopPrank();
    }

    function buyAsset(uint256 buyerSeed, uint256 assetSeed) external {
        uint256 id = bound(assetSeed, 1, ASSETS);
        address buyer = actors[bound(buyerSeed, 0, actors.length - 1)];
        (address seller, uint256 price, bool active) = market.assetOffer(id);
        if (!active || buyer == seller) return;
        vm.prank(buyer);
        token.approve(address(market), price);
        vm.prank(buyer);
        market.buyAsset(id, price);

        uint256 fee = price * market.feeBps() / 10_000;
        (, uint256 royalty) = registry.royaltyInfo(id, price);
        ghostFees += fee;
        ghostRoyalties += royalty;
        ghostVolume += price;
        ghostSpent[buyer] += price;
        ghostEarned[seller] += price - fee - royalty;
        assertEq(registry.ownerOf(id), buyer);
    }

    function transferAsset(uint256 assetSeed, uint256 toSeed) external {
        uint256 id = bound(assetSeed, 1, ASSETS);
        address to = actors[bound(toSeed, 0, actors.length - 1)];
        address from = registry.ownerOf(id);
        vm.prank(from);
        registry.transferFrom(from, to, id);
    }

    function setFee(uint256 feeBps) external {
        uint16 fee = uint16(bound(feeBps, 0, market.MAX_FEE_BPS()));
        vm.prank(admin);
        market.setFee(fee);
    }

    /// @dev The asset's active listing; when there is none, its owner lists it first.
    function _activeListing(uint256 id, uint256 priceSeed) private returns (address owner, uint256 price) {
        bool active;
        (owner, price, active) = market.licenseListing(id);
        if (!active) {
            owner = registry.ownerOf(id);
            price = bound(priceSeed, 1, 1_000e18);
            vm.prank(owner);
            market.listLicense(id, price);
        }
    }

    function _recordLicense(address buyer, address owner, uint256 price) private {
        uint256 fee = price * market.feeBps() / 10_000;
        ghostFees += fee;
        ghostLicenses += 1;
        ghostVolume += price;
        ghostSpent[buyer] += price;
        ghostEarned[owner] += price - fee;
    }
}

contract MarketInvariantTest is Fixture {
    MarketHandler internal handler;
    uint256 internal constant FUNDS = 1_000_000e18;

    function setUp() public {
        deployAll();
        handler = new MarketHandler(token, registry, market, admin, minter);
        for (uint256 i = 0; i < handler.actorCount(); i++) {
            fund(handler.actors(i), FUNDS);
        }
        targetContract(address(handler));
    }

    /// The supply is fixed: no purchase mints or burns.
    function invariant_SupplyConserved() public view {
        assertEq(token.totalSupply(), token.TOTAL_SUPPLY());
    }

    /// The market never holds AIC or asset tokens.
    function invariant_NothingStuckInMarket() public view {
        assertEq(token.balanceOf(address(market)), 0);
        assertEq(registry.balanceOf(address(market)), 0);
    }

    /// The treasury gets exactly the fees, the creator exactly the royalties.
    function invariant_FeesExact() public view {
        assertEq(token.balanceOf(treasury), handler.ghostFees());
        assertEq(token.balanceOf(handler.creator()), handler.ghostRoyalties());
    }

    /// AIC only moves between the actors, the treasury and the royalty receiver: nothing leaks.
    /// Each actor's balance is exactly what it was funded, minus what it spent, plus what it earned.
    function invariant_NoLeak() public view {
        uint256 sum = token.balanceOf(treasury) + token.balanceOf(handler.creator());
        for (uint256 i = 0; i < handler.actorCount(); i++) {
            address a = handler.actors(i);
            uint256 bal = token.balanceOf(a);
            sum += bal;
            assertEq(bal, FUNDS + handler.ghostEarned(a) - handler.ghostSpent(a));
        }
        assertEq(sum, FUNDS * handler.actorCount());
    }

    /// License ids are a gap-free count of purchases.
    function invariant_LicenseCount() public view {
        assertEq(market.licenseCount(), handler.ghostLicenses());
    }
}
