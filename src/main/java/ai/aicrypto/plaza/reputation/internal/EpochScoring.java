package ai.aicrypto.plaza.reputation.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores one epoch: judges every use against the self-dealing {@link Rule}s, then adds the points of
 * the uses that count per contribution. Pure and in memory (no database, no chain), so an epoch of a
 * million uses is computed in seconds (ops/bench/pov) and tests can feed it any market.
 */
final class EpochScoring {

    /** A contribution: what scores are kept by. */
    record Contribution(Use.ContributionType type, long id) {
    }

    /**
     * @param rules      for each use (same order), the rule that refused it, or null when it counted
     * @param scores     points by contribution (only contributions with at least one counted use)
     * @param owners     each scored contribution's owner
     * @param offenders  owners with at least {@code offenderUses} uses refused for self-dealing, and how many
     */
    record Result(Rule[] rules, Map<Contribution, Long> scores, Map<Contribution, Long> owners, Map<Long, Integer> offenders) {

        /** Points by owner. */
        Map<Long, Long> ownerScores() {
            Map<Long, Long> out = new HashMap<>();
            scores.forEach((c, points) -> out.merge(owners.get(c), points, Long::sum));
            return out;
        }
    }

    private EpochScoring() {
    }

    static Result score(List<Use> uses, Map<Long, List<String>> walletsByAccount, FundingGraph funding, Set<Long> excludedOwners,
                        int ringMax, int offenderUses) {
        int n = uses.size();
        Rule[] rules = new Rule[n];
        for (int i = 0; i < n; i++) {
            rules[i] = walletRule(uses.get(i), walletsByAccount, funding);
        }
        graphRules(uses, rules, ringMax);
        Map<Long, Integer> refusedByOwner = new HashMap<>();
        Set<List<Object>> seen = new HashSet<>();
        Map<Contribution, Long> scores = new HashMap<>();
        Map<Contribution, Long> owners = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Use u = uses.get(i);
            if (rules[i] == null && excludedOwners.contains(u.ownerId())) {
                rules[i] = Rule.EXCLUDED_OWNER;
            }
            if (rules[i] == null && !seen.add(List.of(u.type(), u.contributionId(), u.kind(), u.userId()))) {
                rules[i] = Rule.REPEAT_USE;
            }
            if (rules[i] == null) {
                Contribution c = new Contribution(u.type(), u.contributionId());
                scores.merge(c, (long) u.kind().points, Long::sum);
                owners.put(c, u.ownerId());
            } else if (rules[i].offence()) {
                refusedByOwner.merge(u.ownerId(), 1, Integer::sum);
            }
        }
        Map<Long, Integer> offenders = new HashMap<>();
        refusedByOwner.forEach((owner, count) -> {
            if (count >= offenderUses) {
                offenders.put(owner, count);
            }
        });
        return new Result(rules, scores, owners, offenders);
    }

    private static Rule walletRule(Use u, Map<Long, List<String>> walletsByAccount, FundingGraph funding) {
        if (u.userId() != null && u.userId() == u.ownerId()) {
            return Rule.SELF_USE;
        }
        if (u.userId() == null) {
            return Rule.UNKNOWN_MEMBER;
        }
        List<String> ownerWallets = walletsByAccount.getOrDefault(u.ownerId(), List.of());
        if (u.payingWallet() != null && (u.payingWallet().equals(u.payeeWallet()) || ownerWallets.contains(u.payingWallet()))) {
            return Rule.SHARED_WALLET;
        }
        Collection<String> userWallets = walletsByAccount.getOrDefault(u.userId(), List.of());
        if (u.payingWallet() != null && !userWallets.contains(u.payingWallet())) {
            userWallets = new ArrayList<>(userWallets);
            userWallets.add(u.payingWallet());
        }
        Collection<String> ownerSide = ownerWallets;
        if (u.payeeWallet() != null && !ownerWallets.contains(u.payeeWallet())) {
            ownerSide = new ArrayList<>(ownerWallets);
            ownerSide.add(u.payeeWallet());
        }
        if (!funding.linked(userWallets, ownerSide)) {
            return null;
        }
        if (funding.fundedDirectly(ownerSide, userWallets)) {
            return Rule.FUNDING_LINK;
        }
        if (funding.funded(ownerSide, userWallets)) {
            return Rule.INDIRECT_FUNDING;
        }
        return funding.memberFundedOwner(userWallets, ownerSide) ? Rule.MEMBER_FUNDED_OWNER : Rule.COMMON_FUNDER;
    }

    /**
     * Circular trades (two accounts that used each other's contributions) and rings (a strongly
     * connected group of 3 to {@code ringMax} accounts whose contributions nobody outside used), over
     * the graph member -> owner of the uses not already refused.
     */
    private static void graphRules(List<Use> uses, Rule[] rules, int ringMax) {
        Map<Long, Integer> node = new HashMap<>();
        List<long[]> edges = new ArrayList<>();
        Set<Edge> edgeSet = new HashSet<>();
        for (int i = 0; i < uses.size(); i++) {
            if (rules[i] != null) {
                continue;
            }
            Use u = uses.get(i);
            int a = node.computeIfAbsent(u.userId(), k -> node.size());
            int b = node.computeIfAbsent(u.ownerId(), k -> node.size());
            if (edgeSet.add(new Edge(a, b))) {
                edges.add(new long[] {a, b});
            }
        }
        int[] component = Scc.components(node.size(), edges);
        int[] size = new int[node.size() + 1];
        for (int c : component) {
            size[c]++;
        }
        // A component is closed when no use from outside reaches one of its owners.
        boolean[] open = new boolean[node.size() + 1];
        for (long[] e : edges) {
            if (component[(int) e[0]] != component[(int) e[1]]) {
                open[component[(int) e[1]]] = true;
            }
        }
        for (int i = 0; i < uses.size(); i++) {
            if (rules[i] != null) {
                continue;
            }
            Use u = uses.get(i);
            int a = node.get(u.userId()), b = node.get(u.ownerId());
            if (edgeSet.contains(new Edge(b, a))) {
                rules[i] = Rule.CIRCULAR_TRADE;
            } else if (component[a] == component[b] && size[component[a]] >= 3 && size[component[a]] <= ringMax
                    && !open[component[a]]) {
                rules[i] = Rule.RING;
            }
        }
    }

    private record Edge(int from, int to) {
    }

    /** Strongly connected components (Tarjan's algorithm, iterative: a million edges need no deep stack). */
    static final class Scc {

        private Scc() {
        }

        /** The component of each node (components numbered from 0). */
        static int[] components(int nodes, List<long[]> edges) {
            int[] start = new int[nodes + 1];
            for (long[] e : edges) {
                start[(int) e[0] + 1]++;
            }
            for (int i = 0; i < nodes; i++) {
                start[i + 1] += start[i];
            }
            int[] adj = new int[edges.size()];
            int[] fill = Arrays.copyOf(start, nodes);
            for (long[] e : edges) {
                adj[fill[(int) e[0]]++] = (int) e[1];
            }
            int[] index = new int[nodes], low = new int[nodes], comp = new int[nodes], next = new int[nodes];
            Arrays.fill(index, -1);
            boolean[] onStack = new boolean[nodes];
            int[] stack = new int[nodes], call = new int[nodes];
            int sp = 0, cp = 0, counter = 0, components = 0;
            for (int root = 0; root < nodes; root++) {
                if (index[root] != -1) {
                    continue;
                }
                call[cp++] = root;
                index[root] = low[root] = counter++;
                next[root] = start[root];
                stack[sp++] = root;
                onStack[root] = true;
                while (cp > 0) {
                    int v = call[cp - 1];
                    if (next[v] < start[v + 1]) {
                        int w = adj[next[v]++];
                        if (index[w] == -1) {
                            index[w] = low[w] = counter++;
                            next[w] = start[w];
                            stack[sp++] = w;
                            onStack[w] = true;
                            call[cp++] = w;
                        } else if (onStack[w]) {
                            low[v] = Math.min(low[v], index[w]);
                        }
                    } else {
                        cp--;
                        if (cp > 0) {
                            int parent = call[cp - 1];
                            low[parent] = Math.min(low[parent], low[v]);
                        }
                        if (low[v] == index[v]) {
                            int w;
                            do {
                                w = stack[--sp];
                                onStack[w] = false;
                                comp[w] = components;
                            } while (w != v);
                            components++;
                        }
                    }
                }
            }
            return comp;
        }
    }
}
