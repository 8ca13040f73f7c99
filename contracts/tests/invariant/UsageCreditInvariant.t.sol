// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {UsageCredit} from "../../src/UsageCredit.sol";
import {AICToken} from "../../src/AICToken.sol";
import {Test} from "forge-std/Test.sol";

/// @dev Random deposits (with and without permit), withdrawal requests, withdrawals alone and
///      released by the operator, settlements (replays of settled batch ids among them), strangers
///      calling member and operator functions, and time passing; kept in independent books.
contract UsageCreditHandler is Test {
    UsageCredit internal credit;
    AICToken internal token;
    address internal operator;

    address[3] public members;
    uint256[3] internal keys;
    address[2] public payees;
    address public stranger = makeAddr("creditStranger");

    // Books: per member, what it should hold in the escrow; per payee (and the treasury), what it got.
    mapping(address => uint256) public book;
    mapping(address => uint256) public earned;
    uint256 public feesBook;
    uint256 public nextBatch = 1;
    uint256 public settledTwice;
    uint256 public strangerEffects;

    constructor(UsageCredit credit_, AICToken token_, address operator_) {
        credit = credit_;
        token = token_;
        operator = operator_;
        for (uint256 i = 0; i < 3; i++) {
            (members[i], keys[i]) = makeAddrAndKey(string(abi.encodePacked("creditMember", i)));
        }
        payees[0] = makeAddr("payee0");
        payees[1] = makeAddr("payee1");
    }

    function deposit(uint256 who, uint256 amount, bool withPermit) external {
        address m = members[who % 3];
        amount = bound(amount, 1, 1_000e18);
        if (token.balanceOf(m) < amount) return;
        vm.startPrank(m);
        if (withPermit) {
            uint256 deadline = block.timestamp + 1 hours;
            bytes32 digest = keccak256(
                abi.encodePacked(
                    "\x19\x01",
                    token.DOMAIN_SEPARATOR(),
                    keccak256(
                        abi.encode(
                            keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                            m,
                            address(credit),
                            amount,
                            token.nonces(m),
                            deadline
                        )
                    )
                )
            );
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[who % 3], digest);
            credit.depositWithPermit(amount, deadline, v, r, s);
        } else {
            token.approve(address(credit), amount);
            credit.deposit(amount);
        }
        vm.stopPrank();
        book[m] += amount;
    }

    function request(uint256 who, uint256 amount) external {
        address m = members[who % 3];
        if (book[m] == 0) return;
        vm.prank(m);
        credit.requestWithdrawal(bound(amount, 1, book[m]));
    }

    function withdrawAlone(uint256 who) external {
        address m = members[who % 3];
        UsageCredit.Account memory a = credit.account(m);
        if (a.pendingWithdrawal == 0 || block.timestamp < a.withdrawableAt) return;
        uint256 paid = a.pendingWithdrawal < a.balance ? a.pendingWithdrawal : a.balance;
        vm.prank(m);
        credit.withdraw();
        book[m] -= paid;
    }

    function release(uint256 who) external {
        address m = members[who % 3];
        UsageCredit.Account memory a = credit.account(m);
        if (a.pendingWithdrawal == 0) return;
        uint256 paid = a.pendingWithdrawal < a.balance ? a.pendingWithdrawal : a.balance;
        vm.prank(operator);
        credit.releaseWithdrawal(m);
        book[m] -= paid;
    }

    function settle(uint256[4] calldata amounts, uint8 shape, bool replay) external {
        uint256 batchId = replay && nextBatch > 1 ? 1 + shape % (nextBatch - 1) : nextBatch;
        UsageCredit.Entry[] memory e = new UsageCredit.Entry[](4);
        uint256[3] memory left;
        for (uint256 i = 0; i < 3; i++) {
            left[i] = book[members[i]];
        }
        uint256[2] memory owed;
        uint256 fees;
        for (uint256 i = 0; i < 4; i++) {
            uint256 p = (shape >> (2 * i)) % 3;
            uint256 q = i < 2 ? 0 : 1; // entries ordered by payee
            uint256 amount = bound(amounts[i], 0, 200e18);
            e[i] = UsageCredit.Entry(members[p], payees[q], uint96(amount));
            uint256 debit = amount < left[p] ? amount : left[p];
            left[p] -= debit;
            uint256 fee = debit * credit.feeBps() / 10_000;
            fees += fee;
            owed[q] += debit - fee;
        }
        vm.prank(operator);
        try credit.settle(batchId, e) {
            if (batchId != nextBatch) settledTwice++;
            nextBatch++;
            for (uint256 i = 0; i < 3; i++) {
                book[members[i]] = left[i];
            }
            earned[payees[0]] += owed[0];
            earned[payees[1]] += owed[1];
            feesBook += fees;
        } catch {
            if (batchId == nextBatch) settledTwice += 1_000; // a fresh batch must settle
        }
    }

    /// A stranger tries every member and operator function; none may change a member's account.
    function strangerActs(uint256 who) external {
        address m = members[who % 3];
        UsageCredit.Account memory before = credit.account(m);
        vm.startPrank(stranger);
        try credit.releaseWithdrawal(m) {
            strangerEffects++;
        } catch {}
        try credit.withdraw() {
            strangerEffects++;
        } catch {}
        UsageCredit.Entry[] memory e = new UsageCredit.Entry[](1);
        e[0] = UsageCredit.Entry(m, stranger, 1);
        try credit.settle(nextBatch, e) {
            strangerEffects++;
        } catch {}
        vm.stopPrank();
        UsageCredit.Account memory later = credit.account(m);
        if (later.balance != before.balance || later.pendingWithdrawal != before.pendingWithdrawal) strangerEffects++;
    }

    function passTime(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 4 days));
    }
}

contract UsageCreditInvariantTest is Fixture {
    UsageCredit internal credit;
    UsageCreditHandler internal handler;
    uint256 internal constant EACH = 10_000e18;

    function setUp() public {
        vm.warp(1_900_000_000);
        deployAll();
        credit = new UsageCredit(token, escrowOperator, treasury, FEE_BPS, 3 days, admin);
        handler = new UsageCreditHandler(credit, token, escrowOperator);
        for (uint256 i = 0; i < 3; i++) {
            fund(handler.members(i), EACH);
        }
        targetContract(address(handler));
    }

    /// The escrow holds exactly its members' balances, and each balance is what the books say.
    function invariant_EscrowHoldsExactlyTheBooks() public view {
        uint256 sum;
        for (uint256 i = 0; i < 3; i++) {
            address m = handler.members(i);
            assertEq(credit.account(m).balance, handler.book(m));
            sum += credit.account(m).balance;
        }
        assertEq(token.balanceOf(address(credit)), sum);
    }

    /// AIC is conserved: members, escrow, payees and treasury hold what the members were given.
    function invariant_AicConserved() public view {
        uint256 total = token.balanceOf(address(credit)) + token.balanceOf(treasury);
        for (uint256 i = 0; i < 3; i++) {
            total += token.balanceOf(handler.members(i));
        }
        for (uint256 i = 0; i < 2; i++) {
            address p = handler.payees(i);
            total += token.balanceOf(p);
            assertEq(token.balanceOf(p), handler.earned(p));
        }
        assertEq(token.balanceOf(treasury), handler.feesBook());
        assertEq(total, 3 * EACH);
    }

    /// No batch id is settled twice, and strangers change nothing.
    function invariant_NothingPaidTwiceNoStrangerEffect() public view {
        assertEq(handler.settledTwice(), 0);
        assertEq(handler.strangerEffects(), 0);
    }
}
