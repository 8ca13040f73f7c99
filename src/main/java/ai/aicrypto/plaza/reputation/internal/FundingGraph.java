package ai.aicrypto.plaza.reputation.internal;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.aicrypto.plaza.chain.Chain.AicTransfer;

/**
 * Who funded whom in AIC, from confirmed Transfer logs. Wallets that funded more than {@code hubRecipients}
 * distinct wallets (exchanges) and the {@code ignoredWallets} (the plaza's contracts, the operator's wallets)
 * link nobody; the payments of the uses themselves (a buyer paying the owner) are left out, or every purchase
 * would link its parties. The {@code purchaseTxs} are the purchases the plaza recorded (licenses, ownership sales):
 * what a member's wallet paid for them alone does not make the member a funder of the seller (see {@link #linked}).
 */
final class FundingGraph {

    /** A funding edge: {@code from} sent {@code to} AIC. */
    private record Edge(String from, String to) {
    }

    private final Map<String, Set<String>> fundersOf = new HashMap<>();
    /** The edges whose every transfer was a purchase. */
    private final Set<Edge> purchasesOnly = new HashSet<>();
    private final Set<String> hubs = new HashSet<>();
    private final int hops;
    private final Map<String, Set<String>> ancestors = new HashMap<>();

    FundingGraph(Collection<AicTransfer> transfers, Set<String> ignoredTxs, Set<String> purchaseTxs, Set<String> ignoredWallets,
                 int hops, int hubRecipients) {
        this.hops = hops;
        Map<String, Set<String>> recipients = new HashMap<>();
        Set<Edge> paidOtherwise = new HashSet<>();
        for (AicTransfer t : transfers) {
            if (ignoredTxs.contains(t.txHash()) || ignoredWallets.contains(t.from()) || ignoredWallets.contains(t.to())
                    || t.from().equals(t.to())) {
                continue;
            }
            fundersOf.computeIfAbsent(t.to(), k -> new HashSet<>()).add(t.from());
            recipients.computeIfAbsent(t.from(), k -> new HashSet<>()).add(t.to());
            (purchaseTxs.contains(t.txHash()) ? purchasesOnly : paidOtherwise).add(new Edge(t.from(), t.to()));
        }
        purchasesOnly.removeAll(paidOtherwise);
        recipients.forEach((from, to) -> {
            if (to.size() > hubRecipients) {
                hubs.add(from);
            }
        });
    }

    static FundingGraph none() {
        return new FundingGraph(List.of(), Set.of(), Set.of(), Set.of(), 1, 1);
    }

    /**
     * Whether a wallet of the owner's side funded the member's within the hops, or the member's funded the owner's other
     * than by buying from it, or one wallet funded both. What the member's wallets paid for purchases (a license bought in
     * an earlier epoch, a repeat customer's) funds nobody: it neither links them nor makes the member's own funders the
     * owner's.
     */
    boolean linked(Collection<String> member, Collection<String> owner) {
        if (member.isEmpty() || owner.isEmpty()) {
            return false;
        }
        Set<String> upMember = fundersOf(member);
        if (owner.stream().anyMatch(upMember::contains)) {
            return true;
        }
        Set<String> upOwner = fundersOf(owner);
        if (member.stream().anyMatch(upOwner::contains)) {
            upOwner = fundersBesidesPurchases(owner, member);
            if (member.stream().anyMatch(upOwner::contains)) {
                return true;
            }
        }
        Set<String> smaller = upMember.size() <= upOwner.size() ? upMember : upOwner, larger = smaller == upMember ? upOwner : upMember;
        for (String w : smaller) {
            if (larger.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a wallet of the member's funded one of the owner's within the hops, other than by buying from it. */
    boolean memberFundedOwner(Collection<String> member, Collection<String> owner) {
        return member.stream().anyMatch(fundersOf(owner)::contains)
                && member.stream().anyMatch(fundersBesidesPurchases(owner, member)::contains);
    }

    /** Whether a wallet of {@code funders} funded one of {@code funded} within the hops (one way, unlike {@link #linked}). */
    boolean funded(Collection<String> funders, Collection<String> funded) {
        Set<String> up = fundersOf(funded);
        return funders.stream().anyMatch(up::contains);
    }

    /** Whether a wallet of {@code funders} sent AIC to one of {@code funded} itself (hubs excepted, as in the hops). */
    boolean fundedDirectly(Collection<String> funders, Collection<String> funded) {
        return funded.stream().anyMatch(w -> fundersOf.getOrDefault(w, Set.of()).stream()
                .anyMatch(f -> !hubs.contains(f) && funders.contains(f)));
    }

    /** Every wallet that funded one of {@code wallets} within the hops. */
    private Set<String> fundersOf(Collection<String> wallets) {
        Set<String> up = new HashSet<>();
        for (String w : wallets) {
            up.addAll(ancestorsOf(w));
        }
        return up;
    }

    /** As {@link #fundersOf}, but not through what the {@code buyers} paid for purchases alone. */
    private Set<String> fundersBesidesPurchases(Collection<String> wallets, Collection<String> buyers) {
        Set<String> up = new HashSet<>(), payers = Set.copyOf(buyers);
        for (String w : wallets) {
            up.addAll(ancestorsOf(w, payers));
        }
        return up;
    }

    /** The wallets that funded {@code wallet} within the hops (hubs neither counted nor followed). */
    private Set<String> ancestorsOf(String wallet) {
        return ancestors.computeIfAbsent(wallet, w -> ancestorsOf(w, Set.of()));
    }

    /** As {@link #ancestorsOf(String)}, but leaving out the edges from the {@code buyers} that were purchases alone. */
    private Set<String> ancestorsOf(String wallet, Set<String> buyers) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> level = new ArrayDeque<>(List.of(wallet));
        for (int d = 0; d < hops && !level.isEmpty(); d++) {
            ArrayDeque<String> next = new ArrayDeque<>();
            for (String w : level) {
                for (String f : fundersOf.getOrDefault(w, Set.of())) {
                    if (!hubs.contains(f) && !f.equals(wallet) && !(buyers.contains(f) && purchasesOnly.contains(new Edge(f, w)))
                            && seen.add(f)) {
                        next.add(f);
                    }
                }
            }
            level = next;
        }
        return seen;
    }
}
