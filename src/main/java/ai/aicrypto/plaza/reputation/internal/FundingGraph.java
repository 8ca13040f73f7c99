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
 * would link its parties.
 */
final class FundingGraph {

    private final Map<String, Set<String>> fundersOf = new HashMap<>();
    private final Set<String> hubs = new HashSet<>();
    private final int hops;
    private final Map<String, Set<String>> ancestors = new HashMap<>();

    FundingGraph(Collection<AicTransfer> transfers, Set<String> ignoredTxs, Set<String> ignoredWallets, int hops, int hubRecipients) {
        this.hops = hops;
        Map<String, Set<String>> recipients = new HashMap<>();
        for (AicTransfer t : transfers) {
            if (ignoredTxs.contains(t.txHash()) || ignoredWallets.contains(t.from()) || ignoredWallets.contains(t.to())
                    || t.from().equals(t.to())) {
                continue;
            }
            fundersOf.computeIfAbsent(t.to(), k -> new HashSet<>()).add(t.from());
            recipients.computeIfAbsent(t.from(), k -> new HashSet<>()).add(t.to());
        }
        recipients.forEach((from, to) -> {
            if (to.size() > hubRecipients) {
                hubs.add(from);
            }
        });
    }

    static FundingGraph none() {
        return new FundingGraph(List.of(), Set.of(), Set.of(), 1, 1);
    }

    /**
     * Whether a wallet of the owner's side funded the member's within the hops, or one wallet funded both. What the
     * member's wallets paid the owner's (a license bought in an earlier epoch, a repeat customer's) funds nobody: it
     * neither links them nor makes the member's own funders the owner's.
     */
    boolean linked(Collection<String> member, Collection<String> owner) {
        if (member.isEmpty() || owner.isEmpty()) {
            return false;
        }
        Set<String> upMember = fundersOf(member);
        if (owner.stream().anyMatch(upMember::contains)) {
            return true;
        }
        Set<String> upOwner = new HashSet<>();
        for (String w : owner) {
            upOwner.addAll(ancestorsOf(w));
        }
        if (member.stream().anyMatch(upOwner::contains)) {
            upOwner = new HashSet<>();
            for (String w : owner) {
                upOwner.addAll(ancestorsOf(w, Set.copyOf(member)));
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


    /** The wallets that funded {@code wallet} within the hops (hubs neither counted nor followed). */
    private Set<String> ancestorsOf(String wallet) {
        return ancestors.computeIfAbsent(wallet, w -> ancestorsOf(w, Set.of()));
    }

    /** As {@link #ancestorsOf(String)}, but neither counting nor following the {@code avoided} wallets. */
    private Set<String> ancestorsOf(String wallet, Set<String> avoided) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> level = new ArrayDeque<>(List.of(wallet));
        for (int d = 0; d < hops && !level.isEmpty(); d++) {
            ArrayDeque<String> next = new ArrayDeque<>();
            for (String w : level) {
                for (String f : fundersOf.getOrDefault(w, Set.of())) {
                    if (!hubs.contains(f) && !avoided.contains(f) && !f.equals(wallet) && seen.add(f)) {
                        next.add(f);
                    }
                }
            }
            level = next;
        }
        return seen;
    }
}
