// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "./utils/Fixture.sol";
import {AssetRegistry} from "../src/AssetRegistry.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract AssetRegistryTest is Fixture {
    address internal alice = makeAddr("alice");
    address internal creator = makeAddr("creator");

    event AssetMinted(
        uint256 indexed tokenId,
        address indexed owner,
        AssetRegistry.Kind kind,
        bytes32 contentHash,
        address royaltyReceiver,
        uint96 royaltyBps
    );

    function setUp() public {
        deployAll();
    }

    function test_MintStoresKindHashAndRoyalty() public {
        bytes32 h = keccak256("model weights");
        vm.expectEmit(address(registry));
        emit AssetMinted(42, alice, AssetRegistry.Kind.TrainedModel, h, creator, 500);
        vm.prank(minter);
        registry.mint(alice, 42, AssetRegistry.Kind.TrainedModel, h, creator, 500);

        assertEq(registry.ownerOf(42), alice);
        (AssetRegistry.Kind kind, bytes32 contentHash) = registry.assetOf(42);
        assertEq(uint8(kind), uint8(AssetRegistry.Kind.TrainedModel));
        assertEq(contentHash, h);
        assertEq(registry.tokenURI(42), "https://plaza.test/api/nft/42");
        (address receiver, uint256 amount) = registry.royaltyInfo(42, 10_000);
        assertEq(receiver, creator);
        assertEq(amount, 500);
    }

    function test_RevertWhen_NotMinter() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, alice, registry.MINTER_ROLE()
            )
        );
        vm.prank(alice);
        registry.mint(alice, 1, AssetRegistry.Kind.Dataset, bytes32(uint256(1)), address(0), 0);
    }

    function test_RevertWhen_MintedTwice() public {
        mintAsset(alice, 7);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidSender.selector, address(0)));
        mintAsset(alice, 7);
    }

    function test_RevertWhen_ZeroContentHash() public {
        vm.expectRevert(AssetRegistry.ContentHashRequired.selector);
        vm.prank(minter);
        registry.mint(alice, 1, AssetRegistry.Kind.Model, bytes32(0), address(0), 0);
    }

    function test_RevertWhen_RoyaltyTooHigh() public {
        vm.expectRevert(abi.encodeWithSelector(AssetRegistry.RoyaltyTooHigh.selector, 1_001, 1_000));
        vm.prank(minter);
        registry.mint(alice, 1, AssetRegistry.Kind.Model, bytes32(uint256(1)), creator, 1_001);
    }

    function test_DefaultRoyalty() public {
        mintAsset(alice, 1);
        (address receiver,) = registry.royaltyInfo(1, 1e18);
        assertEq(receiver, address(0));
        vm.prank(admin);
        registry.setDefaultRoyalty(treasury, 100);
        (address r2, uint256 amount) = registry.royaltyInfo(1, 1e18);
        assertEq(r2, treasury);
        assertEq(amount, 1e16);
        vm.prank(admin);
        registry.setDefaultRoyalty(address(0), 0);
        (address r3,) = registry.royaltyInfo(1, 1e18);
        assertEq(r3, address(0));
    }

    function test_SetBaseURI() public {
        mintAsset(alice, 5);
        vm.prank(admin);
        registry.setBaseURI("ipfs://meta/");
        assertEq(registry.tokenURI(5), "ipfs://meta/5");
        assertEq(registry.baseURI(), "ipfs://meta/");

        vm.expectRevert();
        vm.prank(alice);
        registry.setBaseURI("evil://");
    }

    function test_RevertWhen_AssetOfUnknownToken() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 99));
        registry.assetOf(99);
    }

    function test_SupportsInterfaces() public view {
        assertTrue(registry.supportsInterface(0x80ac58cd)); // ERC-721
        assertTrue(registry.supportsInterface(0x5b5e139f)); // ERC-721 metadata
        assertTrue(registry.supportsInterface(0x2a55205a)); // ERC-2981
        assertTrue(registry.supportsInterface(0x7965db0b)); // AccessControl
        assertTrue(registry.supportsInterface(0x49064906)); // ERC-4906
        assertTrue(registry.supportsInterface(0x01ffc9a7)); // ERC-165
        assertFalse(registry.supportsInterface(0xffffffff));
    }

    function testFuzz_Mint(address to, uint256 id, uint8 kind, bytes32 h) public {
        vm.assume(to != address(0) && to.code.length == 0 && h != bytes32(0));
        AssetRegistry.Kind k = AssetRegistry.Kind(bound(kind, 0, 2));
        vm.prank(minter);
        registry.mint(to, id, k, h, address(0), 0);
        (AssetRegistry.Kind gotKind, bytes32 gotHash) = registry.assetOf(id);
        assertEq(uint8(gotKind), uint8(k));
        assertEq(gotHash, h);
        assertEq(registry.ownerOf(id), to);
    }
}
