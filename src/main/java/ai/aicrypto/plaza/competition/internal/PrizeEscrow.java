package ai.aicrypto.plaza.competition.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.account.WalletLinked;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainLog;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.chain.ChainSends;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * A competition's prize pool in CompetitionEscrow. The host funds it from the browser's wallet
 * before the start (permit + fundWithPermit with the competition's split and times); the page
 * shows it funded only from the confirmed CompetitionFunded log, and only if that log matches the
 * competition as announced. After the final ranking the operator finalizes it on-chain with each
 * place's team wallet, and a place whose team has no wallet is held and assigned once one of its
 * members links a wallet.
 * <p>
 * A team's wallet is the oldest linked wallet of its earliest member who has one (members by the
 * time they joined the team's competition): one rule, known to everyone in advance, no extra setting.
 */
@Service
class PrizeEscrow {

    static final String ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
    private static final Logger log = LoggerFactory.getLogger(PrizeEscrow.class);
    private static final Duration PERMIT_LIFETIME = Duration.ofMinutes(20);

    private final Chain chain;
    private final ChainLogQuarantine quarantine;
    private final ChainSends sends;
    private final Accounts accounts;
    private final CompetitionService competitions;
    private final JdbcClient jdbc;
    private final Clock clock;

    PrizeEscrow(Chain chain, ChainLogQuarantine quarantine, ChainSends sends, Accounts accounts, CompetitionService competitions,
                JdbcClient jdbc, Clock clock) {
        this.chain = chain;
        this.sends = sends;
        this.quarantine = quarantine;
        this.accounts = accounts;
        this.competitions = competitions;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    boolean enabled() {
        return chain.enabled() && chain.contracts().prizesPaidOnChain();
    }

    /** Step 1: the permit the host's wallet signs for exactly the pool. */
    Permit permit(Competition c, AccountPrincipal me, String walletAddress) {
        BigInteger pool = fundable(c, me);
        String wallet = ownWallet(me.id(), walletAddress);
        BigInteger balance = chain.aicBalance(wallet);
        if (balance.compareTo(pool) < 0) {
            throw new UserFacingException(null, "competition.funding.error.insufficient-aic", Aic.format(balance), Aic.format(pool));
        }
        long deadline = clock.instant().plus(PERMIT_LIFETIME).getEpochSecond();
        return new Permit(chain.permitTypedData(wallet, chain.contracts().competitionEscrow(), pool, deadline), deadline, pool);
    }

    /** Step 2: fundWithPermit with the competition's times and split, for the signed permit. */
    Transaction transaction(Competition c, AccountPrincipal me, String permitDeadline, String signature) {
        BigInteger pool = fundable(c, me);
        if (signature == null || !signature.matches("0x[0-9a-fA-F]{130}")) {
            throw new UserFacingException(null, "competition.funding.error.signature");
        }
        long deadline = permitDeadline == null || !permitDeadline.matches("\\d{1,18}") ? 0 : Long.parseLong(permitDeadline);
        if (deadline <= clock.instant().getEpochSecond()) {
            throw new UserFacingException(null, "competition.funding.error.permit-expired");
        }
        return new Transaction(chain.contracts().competitionEscrow(), chain.fundWithPermitCall(c.id(),
                c.startsAt().getEpochSecond(), c.endsAt().getEpochSecond(), splitBps(c), pool, deadline, signature));
    }

    /** The pool as the chain reported it, if it was funded at all. */
    Optional<Pool> pool(Competition c) {
        return jdbc.sql("SELECT status, problem, pool_wei, tx_hash FROM prize_pools WHERE competition_id = ?").param(c.id())
                .query((rs, n) -> new Pool(rs.getString(1), rs.getString(2), rs.getBigDecimal(3).toBigInteger(), rs.getString(4)))
                .optional();
    }

    List<Payout> payouts(Competition c) {
        return jdbc.sql("""
                        SELECT p.place, t.name, p.amount_wei, p.wallet, p.held, p.paid_at IS NOT NULL AS paid
                        FROM prize_payouts p LEFT JOIN teams t ON t.id = p.team_id
                        WHERE p.competition_id = ? ORDER BY p.place""")
                .param(c.id())
                .query((rs, n) -> new Payout(rs.getInt(1), rs.getString(2),
                        rs.getBigDecimal(3) == null ? null : Aic.format(rs.getBigDecimal(3).toBigInteger()), rs.getString(4),
                        rs.getBoolean(5), rs.getBoolean(6)))
                .list();
    }

    /**
     * The host's funding. The escrow keys pools by the funding wallet, so only a pool funded from a
     * wallet linked to the host is this competition's: a stranger's pool under the same id, a pool
     * for no competition here, or a second pool of the host's are quarantined and change nothing.
     */
    @ApplicationModuleListener
    void on(ChainLog.CompetitionFunded funded) {
        Competition c;
        try {
            c = competitions.find(funded.competitionId());
        } catch (NotFoundException e) {
            quarantine.add(funded, "no competition " + funded.competitionId() + " here");
            return;
        }
        if (!accounts.wallets(c.hostId()).contains(funded.host())) {
            quarantine.add(funded, "funded from " + funded.host() + ", a wallet not linked to the host; the competition "
                    + "is not affected");
            return;
        }
        String problem = null;
        if (funded.pool().compareTo(Aic.toWei(c.prizePoolAic())) < 0) {
            problem = "the pool of " + Aic.format(funded.pool()) + " AIC is less than the announced " + Aic.format(Aic.toWei(c.prizePoolAic())) + " AIC";
        } else if (!funded.splitBps().equals(splitBps(c))) {
            problem = "the split " + funded.splitBps() + " is not the announced one";
        } else if (funded.startTime() != c.startsAt().getEpochSecond() || funded.endTime() != c.endsAt().getEpochSecond()) {
            problem = "the start and end times are not the announced ones";
        }
        int stored = jdbc.sql("""
                        INSERT INTO prize_pools (competition_id, host_wallet, pool_wei, status, problem, tx_hash, log_index)
                        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (competition_id) DO NOTHING""")
                .params(c.id(), funded.host(), new BigDecimal(funded.pool()), problem == null ? "FUNDED" : "MISMATCH", problem,
                        funded.txHash(), funded.logIndex())
                .update();
        if (stored == 0 && !isThePool(funded.competitionId(), funded.host(), funded.txHash())) {
            quarantine.add(funded, "a second pool for competition " + funded.competitionId() + "; its host can cancel it "
                    + "before the start");
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.PoolIncreased increased) {
        if (ofThePool(increased, increased.competitionId(), increased.host())) {
            jdbc.sql("UPDATE prize_pools SET pool_wei = ? WHERE competition_id = ?")
                    .params(new BigDecimal(increased.pool()), increased.competitionId()).update();
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.CompetitionCancelled cancelled) {
        if (ofThePool(cancelled, cancelled.competitionId(), cancelled.host())) {
            jdbc.sql("UPDATE prize_pools SET status = 'CANCELLED' WHERE competition_id = ?").param(cancelled.competitionId()).update();
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.PoolReclaimed reclaimed) {
        if (ofThePool(reclaimed, reclaimed.competitionId(), reclaimed.host())) {
            jdbc.sql("UPDATE prize_pools SET status = 'RECLAIMED' WHERE competition_id = ?").param(reclaimed.competitionId()).update();
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.PrizePaid paid) {
        if (ofThePool(paid, paid.competitionId(), paid.host())) {
            jdbc.sql("""
                            UPDATE prize_payouts SET wallet = ?, amount_wei = ?, held = false, tx_hash = ?, log_index = ?, paid_at = now()
                            WHERE competition_id = ? AND place = ? AND paid_at IS NULL""")
                    .params(paid.winner(), new BigDecimal(paid.amount()), paid.txHash(), paid.logIndex(), paid.competitionId(),
                            paid.place())
                    .update();
        }
    }

    @ApplicationModuleListener
    void on(ChainLog.PrizeHeld held) {
        if (ofThePool(held, held.competitionId(), held.host())) {
            jdbc.sql("UPDATE prize_payouts SET held = true, amount_wei = ? WHERE competition_id = ? AND place = ? AND paid_at IS NULL")
                    .params(new BigDecimal(held.amount()), held.competitionId(), held.place()).update();
        }
    }

    /** Whether a log concerns the competition's own pool (funded by its host); any other is quarantined. */
    private boolean ofThePool(ChainLog log, long competitionId, String host) {
        boolean ours = jdbc.sql("SELECT EXISTS (SELECT 1 FROM prize_pools WHERE competition_id = ? AND host_wallet = ?)")
                .params(competitionId, host).query(Boolean.class).single();
        if (!ours) {
            quarantine.add(log, "not the pool the plaza accepted for competition " + competitionId + " (funded by " + host + ")");
        }
        return ours;
    }

    private boolean isThePool(long competitionId, String host, String txHash) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM prize_pools WHERE competition_id = ? AND host_wallet = ? AND tx_hash = ?)")
                .params(competitionId, host, txHash).query(Boolean.class).single();
    }

    /**
     * A reorganisation dropped a log this relied on: the funding, or a payment, is not there any more;
     * after a dropped top-up, cancellation or reclaim the pool's amount and status are read again from
     * the escrow as it is now.
     */
    @ApplicationModuleListener
    void on(ChainLog.Reverted reverted) {
        int pools = jdbc.sql("DELETE FROM prize_pools WHERE tx_hash = ? AND log_index = ?")
                .params(reverted.txHash(), reverted.logIndex()).update();
        int payouts = jdbc.sql("""
                        UPDATE prize_payouts SET paid_at = NULL, tx_hash = NULL, log_index = NULL
                        WHERE tx_hash = ? AND log_index = ?""")
                .params(reverted.txHash(), reverted.logIndex()).update();
        if (pools + payouts > 0) {
            log.warn("A chain reorganisation dropped {}#{}: prize funding or payment shown again as not done", reverted.txHash(),
                    reverted.logIndex());
        }
        refreshPool(reverted);
    }

    private void refreshPool(ChainLog.Reverted reverted) {
        long id;
        String host;
        if (reverted.original() instanceof ChainLog.PoolIncreased p) {
            id = p.competitionId();
            host = p.host();
        } else if (reverted.original() instanceof ChainLog.CompetitionCancelled c) {
            id = c.competitionId();
            host = c.host();
        } else if (reverted.original() instanceof ChainLog.PoolReclaimed r) {
            id = r.competitionId();
            host = r.host();
        } else {
            return;
        }
        Chain.EscrowedCompetition now = chain.escrowedCompetition(host, id);
        String status = switch (now.status()) {
            case CANCELLED -> "CANCELLED";
            case RECLAIMED -> "RECLAIMED";
            default -> null; // open or finalized: as funded (or mismatched) before
        };
        jdbc.sql("""
                        UPDATE prize_pools SET pool_wei = ?,
                            status = coalesce(?, CASE WHEN problem IS NULL THEN 'FUNDED' ELSE 'MISMATCH' END)
                        WHERE competition_id = ? AND host_wallet = ?""")
                .params(new BigDecimal(now.pool()), status, id, host).update();
    }

    @ApplicationModuleListener
    void on(WalletLinked linked) {
        payOutSoon();
    }

    /**
     * Finalizes funded competitions whose final ranking is in, and assigns held prizes whose team
     * has a wallet now. A mined transaction is remembered (finalize_sent_at, assign_sent_at) so it is
     * not sent again while its logs wait for confirmations; and before finalizing, the escrow's own
     * record is read, so a crash between sending and remembering does not finalize twice.
     */
    @Scheduled(fixedDelayString = "${plaza.competition.payout-interval:30s}")
    void payOutSoon() {
        sends.run("prize-payouts", this::payOut);
    }

    synchronized void payOut() {
        if (!enabled()) {
            return;
        }
        try {
            // A competition closed early is ranked early, but the escrow pays no sooner than the announced end.
            List<Long> due = jdbc.sql("""
                            SELECT p.competition_id FROM prize_pools p JOIN competitions c ON c.id = p.competition_id
                            WHERE p.status = 'FUNDED' AND p.finalize_sent_at IS NULL AND c.finalized_at IS NOT NULL
                              AND c.ends_at <= ?""")
                    .param(Timestamp.from(clock.instant())).query(Long.class).list();
            for (long id : due) {
                finalizeOnChain(competitions.find(id));
            }
            record Held(long competitionId, int place, long teamId) {
            }
            List<Held> held = jdbc.sql("""
                            SELECT competition_id, place, team_id FROM prize_payouts
                            WHERE held AND paid_at IS NULL AND assign_sent_at IS NULL AND team_id IS NOT NULL""")
                    .query((rs, n) -> new Held(rs.getLong(1), rs.getInt(2), rs.getLong(3))).list();
            for (Held h : held) {
                Optional<String> wallet = teamWallet(h.teamId());
                if (wallet.isPresent()) {
                    chain.assignWinner(hostWallet(h.competitionId()), h.competitionId(), h.place(), wallet.get());
                    jdbc.sql("UPDATE prize_payouts SET assign_sent_at = now() WHERE competition_id = ? AND place = ?")
                            .params(h.competitionId(), h.place()).update();
                }
            }
        } catch (ChainUnavailableException e) {
            log.warn("Cannot pay prizes now: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Paying prizes failed; trying again later: {}", e.getMessage());
        }
    }

    private String hostWallet(long competitionId) {
        return jdbc.sql("SELECT host_wallet FROM prize_pools WHERE competition_id = ?").param(competitionId).query(String.class)
                .single();
    }

    private void finalizeOnChain(Competition c) {
        String host = hostWallet(c.id());
        if (chain.escrowedCompetition(host, c.id()).status() != Chain.PoolStatus.OPEN) {
            jdbc.sql("UPDATE prize_pools SET finalize_sent_at = now() WHERE competition_id = ?").param(c.id()).update();
            return;
        }
        // The last phase's private ranking (the last that opened, if the host closed the competition before another).
        List<Long> ranked = jdbc.sql("""
                        SELECT team_id FROM team_standings WHERE phase_id = (
                            SELECT p.id FROM competition_phases p JOIN competitions c ON c.id = p.competition_id
                            WHERE p.competition_id = ? AND p.opens_at < coalesce(c.closed_at, c.ends_at)
                            ORDER BY p.seq DESC LIMIT 1)
                          AND final_rank_score IS NOT NULL
                        ORDER BY final_rank_score DESC, final_at, team_id LIMIT ?""")
                .params(c.id(), c.prizeSplit().size()).query(Long.class).list();
        List<String> winners = new ArrayList<>();
        for (int place = 0; place < c.prizeSplit().size(); place++) {
            Long team = place < ranked.size() ? ranked.get(place) : null;
            // A place no team reached goes back to the host's wallet now, as the escrow provides: held (zero address),
            // no one could ever be assigned it, and the host could take it back only a year later (reclaimHeld).
            winners.add(team == null ? host : teamWallet(team).orElse(ZERO_ADDRESS));
            jdbc.sql("INSERT INTO prize_payouts (competition_id, place, team_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                    .params(c.id(), place, team).update();
        }
        chain.finalizeCompetition(host, c.id(), winners);
        jdbc.sql("UPDATE prize_pools SET finalize_sent_at = now() WHERE competition_id = ?").param(c.id()).update();
    }

    /** The oldest linked wallet of the team's earliest member who has one. */
    Optional<String> teamWallet(long teamId) {
        List<Long> members = jdbc.sql("SELECT user_id FROM participants WHERE team_id = ? ORDER BY joined_at, user_id")
                .param(teamId).query(Long.class).list();
        return members.stream().map(accounts::wallets).filter(w -> !w.isEmpty()).map(w -> w.get(0)).findFirst();
    }

    private BigInteger fundable(Competition c, AccountPrincipal me) {
        if (!c.hostedBy(me)) {
            throw new NotFoundException();
        }
        if (!enabled()) {
            throw new UserFacingException(null, "competition.funding.error.no-chain");
        }
        if (c.prizePoolAic().signum() == 0) {
            throw new UserFacingException(null, "competition.funding.error.no-pool");
        }
        if (!clock.instant().isBefore(c.startsAt())) {
            throw new UserFacingException(null, "competition.funding.error.started");
        }
        // One funding per competition, even a cancelled one: the escrow never reuses a host's id.
        if (pool(c).isPresent()) {
            throw new UserFacingException(null, "competition.funding.error.funded");
        }
        return Aic.toWei(c.prizePoolAic());
    }

    private String ownWallet(long userId, String address) {
        if (address == null || !address.matches("0x[0-9a-fA-F]{40}")) {
            throw new UserFacingException(null, "competition.funding.error.no-wallet");
        }
        String lower = address.toLowerCase(Locale.ROOT);
        if (!accounts.wallets(userId).contains(lower)) {
            throw new UserFacingException(null, "competition.funding.error.wallet-not-linked", lower);
        }
        return lower;
    }

    /** The announced split in percent, as the contract takes it: basis points. */
    static List<Integer> splitBps(Competition c) {
        return c.prizeSplit().stream().map(p -> p * 100).toList();
    }



    record Permit(String typedData, long deadline, BigInteger pool) {
    }

    record Transaction(String to, String data) {
    }

    /** @param status FUNDED, MISMATCH (see problem), CANCELLED or RECLAIMED */
    record Pool(String status, String problem, BigInteger poolWei, String txHash) {

        public boolean funded() {
            return "FUNDED".equals(status);
        }

        public String poolAic() {
            return Aic.format(poolWei);
        }
    }

    /** @param amountAic null until the chain reported it */
    record Payout(int place, String team, String amountAic, String wallet, boolean held, boolean paid) {
    }
}
