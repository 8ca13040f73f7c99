package ai.aicrypto.plaza.reputation.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.market.PaidLicenses;
import ai.aicrypto.plaza.reputation.RewardsProperties;
import ai.aicrypto.plaza.reputation.internal.EpochScoring.Contribution;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import org.web3j.utils.Numeric;

/**
 * Closes ended epochs, one at a time and each once: reads the epoch's uses and the funding between
 * the accounts involved (from the chain), scores it, splits the emission by score among owners with
 * a wallet, and stores uses, scores, allocation and the Merkle root in one transaction whose first
 * statement claims the epoch's row (a second closer finds it taken and writes nothing). Publishing
 * the root is a chain task of {@link RewardPublishing}.
 */
@Service
class RewardEpochs {

    private static final Logger log = LoggerFactory.getLogger(RewardEpochs.class);
    private static final BigDecimal WEI = BigDecimal.TEN.pow(18);

    private final RewardsProperties properties;
    private final EpochUses uses;
    private final Accounts accounts;
    private final Chain chain;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final RewardPublishing publishing;
    private final JdbcTemplate batches;
    private final PaidLicenses purchases;

    RewardEpochs(RewardsProperties properties, EpochUses uses, Accounts accounts, Chain chain, JdbcClient jdbc, JdbcTemplate batches,
                 TransactionTemplate transaction, Clock clock, RewardPublishing publishing, PaidLicenses purchases) {
        this.batches = batches;
        this.properties = properties;
        this.uses = uses;
        this.accounts = accounts;
        this.chain = chain;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.clock = clock;
        this.publishing = publishing;
        this.purchases = purchases;
    }

    @Scheduled(fixedDelayString = "${plaza.rewards.close-interval:1m}")
    @SchedulerLock(name = "reward-epochs", lockAtMostFor = "10m", lockAtLeastFor = "30s")
    void closeEnded() {
        try {
            closeEndedBy(clock.instant());
        } catch (ChainUnavailableException e) {
            log.warn("Rewards: cannot read funding from the chain ({}); the epoch closes at the next turn", e.getMessage());
        }
    }

    /** Closes every epoch that ended by {@code now} and is not closed yet, oldest first; returns how many. */
    int closeEndedBy(Instant now) {
        long last = properties.epochAt(now) - 1;
        long closed = jdbc.sql("SELECT coalesce(max(epoch), 0) FROM reward_epochs").query(Long.class).single();
        // The first run closes the last ended epoch only: before it the plaza kept no epochs.
        long next = closed == 0 ? Math.max(1, last) : closed + 1;
        int count = 0;
        for (long n = next; n <= last; n++) {
            if (close(n)) {
                count++;
            }
        }
        if (count > 0) {
            publishing.publishSoon();
        }
        return count;
    }

    private boolean close(long epoch) {
        Instant from = properties.startOf(epoch), to = properties.endOf(epoch);
        List<Use> epochUses = uses.between(from, to);
        Set<Long> people = new HashSet<>();
        for (Use u : epochUses) {
            people.add(u.ownerId());
            if (u.userId() != null) {
                people.add(u.userId());
            }
        }
        Map<Long, List<String>> wallets = accounts.wallets(people);
        FundingGraph funding = funding(epochUses, wallets, from);
        Set<Long> excluded = new HashSet<>(jdbc.sql("SELECT user_id FROM reward_exclusions WHERE ? BETWEEN from_epoch AND until_epoch")
                .param(epoch).query(Long.class).list());
        EpochScoring.Result result = EpochScoring.score(epochUses, wallets, funding, excluded, properties.ringMax(),
                properties.offenderUses());
        Allocation allocation = allocate(result, wallets);
        Boolean stored = transaction.execute(status -> store(epoch, from, to, epochUses, result, allocation));
        if (Boolean.TRUE.equals(stored)) {
            log.info("Rewards: epoch {} closed: {} uses, {} scored contributions, {} AIC wei allocated to {} wallets", epoch,
                    epochUses.size(), result.scores().size(), allocation.total(), allocation.leaves().size());
        }
        return Boolean.TRUE.equals(stored);
    }

    /** Funding among the wallets of the epoch's uses, read from confirmed AIC transfers, hop by hop. */
    private FundingGraph funding(List<Use> epochUses, Map<Long, List<String>> wallets, Instant epochStart) {
        if (!chain.enabled() || epochUses.isEmpty()) {
            return FundingGraph.none();
        }
        Set<String> frontier = new HashSet<>();
        wallets.values().forEach(frontier::addAll);
        for (Use u : epochUses) {
            if (u.payingWallet() != null) {
                frontier.add(u.payingWallet());
            }
            if (u.payeeWallet() != null) {
                frontier.add(u.payeeWallet());
            }
        }
        // The plaza's contracts and the operator's wallets pay and fund members as a matter of course: they link nobody.
        Chain.Contracts c = chain.contracts();
        Set<String> linkNobody = new HashSet<>(properties.operatorWallets());
        for (String a : new String[] {c.market(), c.registry(), c.jobEscrow(), c.competitionEscrow(), c.usageCredit(),
                c.rewardsDistributor(), c.bountyEscrow(), "0x0000000000000000000000000000000000000000"}) {
            if (a != null) {
                linkNobody.add(a);
            }
        }
        Set<String> payments = epochUses.stream().filter(u -> u.payingWallet() != null).map(Use::ref).collect(Collectors.toSet());
        Instant since = epochStart.minus(properties.fundingWindow());
        List<Chain.AicTransfer> transfers = new ArrayList<>();
        Set<String> asked = new HashSet<>();
        for (int hop = 0; hop < properties.fundingHops() && !frontier.isEmpty(); hop++) {
            asked.addAll(frontier);
            List<Chain.AicTransfer> found = chain.aicTransfersTo(frontier, since);
            transfers.addAll(found);
            frontier = found.stream().map(Chain.AicTransfer::from).filter(f -> !asked.contains(f) && !linkNobody.contains(f))
                    .collect(Collectors.toSet());
        }
        // A purchase is no gift: what a member paid an owner for a license does not make the member the owner's funder.
        Set<String> purchaseTxs = purchases.purchasesAmong(transfers.stream().map(Chain.AicTransfer::txHash)
                .collect(Collectors.toSet()));
        return new FundingGraph(transfers, payments, purchaseTxs, linkNobody, properties.fundingHops(), properties.hubRecipients());
    }

    record Allocation(List<Long> owners, List<RewardTree.Leaf> leaves, BigInteger total, BigInteger emission) {
    }

    /**
     * The emission split by owners' scores (rounded down). An owner without a linked wallet gets no
     * leaf: their share stays in the ecosystem wallet, and their rewards page says to link one.
     */
    private Allocation allocate(EpochScoring.Result result, Map<Long, List<String>> wallets) {
        BigInteger emission = properties.emissionPerEpochAic().multiply(WEI).toBigInteger();
        Map<Long, Long> byOwner = result.ownerScores();
        long total = byOwner.values().stream().mapToLong(Long::longValue).sum();
        List<Long> owners = new ArrayList<>();
        List<RewardTree.Leaf> leaves = new ArrayList<>();
        BigInteger allocated = BigInteger.ZERO;
        if (total > 0) {
            for (Long owner : byOwner.keySet().stream().sorted().toList()) {
                List<String> w = wallets.getOrDefault(owner, List.of());
                BigInteger amount = emission.multiply(BigInteger.valueOf(byOwner.get(owner))).divide(BigInteger.valueOf(total));
                if (w.isEmpty() || amount.signum() == 0) {
                    continue;
                }
                owners.add(owner);
                leaves.add(new RewardTree.Leaf(w.get(0), amount));
                allocated = allocated.add(amount);
            }
        }
        return new Allocation(owners, leaves, allocated, emission);
    }

    private boolean store(long epoch, Instant from, Instant to, List<Use> epochUses, EpochScoring.Result result, Allocation a) {
        RewardTree tree = a.leaves().isEmpty() ? null : new RewardTree(a.leaves());
        long totalScore = result.scores().values().stream().mapToLong(Long::longValue).sum();
        int claimed = jdbc.sql("""
                        INSERT INTO reward_epochs (epoch, starts_at, ends_at, total_score, emission_wei, allocated_wei, merkle_root)
                        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (epoch) DO NOTHING""")
                .params(epoch, Timestamp.from(from), Timestamp.from(to), totalScore, new BigDecimal(a.emission()),
                        new BigDecimal(a.total()), tree == null ? null : Numeric.toHexString(tree.root()))
                .update();
        if (claimed == 0) {
            return false; // closed by another instance meanwhile
        }
        List<Object[]> useRows = new ArrayList<>(epochUses.size());
        for (int i = 0; i < epochUses.size(); i++) {
            Use u = epochUses.get(i);
            Rule rule = result.rules()[i];
            useRows.add(new Object[] {epoch, u.type().name(), u.contributionId(), u.ownerId(), u.userId(), u.kind().name(),
                    u.ref(), Timestamp.from(u.at()), rule == null ? u.kind().points : 0, rule == null ? null : rule.name()});
        }
        batch("""
                INSERT INTO contribution_uses (epoch, contribution_type, contribution_id, owner_id, user_id, kind, ref, used_at, points, rule)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", useRows);
        List<Map.Entry<Contribution, Long>> ranked = new ArrayList<>(result.scores().entrySet());
        ranked.sort(Map.Entry.<Contribution, Long>comparingByValue().reversed()
                .thenComparing(e -> e.getKey().type()).thenComparing(e -> e.getKey().id()));
        List<Object[]> scoreRows = new ArrayList<>();
        Map<Use.ContributionType, Integer> rankByType = new java.util.EnumMap<>(Use.ContributionType.class);
        for (var e : ranked) {
            int rank = rankByType.merge(e.getKey().type(), 1, Integer::sum);
            scoreRows.add(new Object[] {epoch, e.getKey().type().name(), e.getKey().id(), result.owners().get(e.getKey()), e.getValue(),
                    rank});
        }
        batch("INSERT INTO contribution_scores (epoch, contribution_type, contribution_id, owner_id, score, rank) VALUES (?, ?, ?, ?, ?, ?)",
                scoreRows);
        List<Object[]> leafRows = new ArrayList<>();
        for (int i = 0; i < a.leaves().size(); i++) {
            String proof = tree.proof(i).stream().map(Numeric::toHexString).collect(Collectors.joining(","));
            leafRows.add(new Object[] {epoch, i, a.owners().get(i), a.leaves().get(i).account(),
                    new BigDecimal(a.leaves().get(i).amount()), proof});
        }
        batch("INSERT INTO reward_allocations (epoch, leaf_index, user_id, wallet, amount_wei, proof) VALUES (?, ?, ?, ?, ?, ?)",
                leafRows);
        for (var offender : result.offenders().entrySet()) {
            jdbc.sql("INSERT INTO reward_exclusions (user_id, from_epoch, until_epoch, uses) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
                    .params(offender.getKey(), epoch + 1, epoch + properties.exclusionEpochs(), offender.getValue()).update();
        }
        return true;
    }

    private void batch(String sql, List<Object[]> rows) {
        if (!rows.isEmpty()) {
            batches.batchUpdate(sql, rows);
        }
    }
}
