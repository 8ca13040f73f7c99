package ai.aicrypto.plaza.reputation.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.chain.WalletChain;
import ai.aicrypto.plaza.market.ReviewsReceived;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.reputation.RewardsProperties;
import ai.aicrypto.plaza.reputation.internal.EpochScoring.Contribution;
import ai.aicrypto.plaza.reputation.internal.Use.ContributionType;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.web3j.utils.Numeric;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Proof of Value pages: a member's rewards (claimed with their wallet), a contribution's scores
 * over epochs and each epoch's "why" (every use, counted or refused by a named rule), a member's
 * public contributions, and the standing shown on listing pages. Scores and uses are public; an
 * allocation's claim is prepared only for the member it belongs to.
 */
@Controller
class ReputationController {

    private static final BigDecimal WEI = BigDecimal.TEN.pow(18);
    /** Published listings a profile shows at most. */
    private static final int MEMBER_LISTINGS = 50;

    private final JdbcClient jdbc;
    private final Accounts accounts;
    private final Chain chain;
    private final WalletChain walletChain;
    private final RewardsProperties properties;
    private final MessageSource messages;
    private final ContributionNames contributionNames;
    private final Catalog catalog;
    private final ReviewsReceived reviews;
    private final JsonMapper json;

    ReputationController(JdbcClient jdbc, Accounts accounts, Chain chain, WalletChain walletChain, RewardsProperties properties,
                         MessageSource messages, ContributionNames contributionNames, Catalog catalog, ReviewsReceived reviews,
                         JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
        this.catalog = catalog;
        this.reviews = reviews;
        this.contributionNames = contributionNames;
        this.accounts = accounts;
        this.chain = chain;
        this.walletChain = walletChain;
        this.properties = properties;
        this.messages = messages;
    }

    record Allocation(long epoch, int index, String wallet, BigDecimal amountAic, String claimTx, boolean published,
                      Instant claimDeadline, boolean expired) {

        public boolean claimable(Instant now) {
            return published && claimTx == null && !expired && claimDeadline != null && now.isBefore(claimDeadline);
        }

        /** Unclaimed past its deadline, not yet returned: the plaza's upkeep sends it back to the ecosystem wallet. */
        public boolean lapsed(Instant now) {
            return published && claimTx == null && !expired && claimDeadline != null && !now.isBefore(claimDeadline);
        }
    }

    @GetMapping("/rewards")
    String rewards(@AuthenticationPrincipal AccountPrincipal me, Model model) {
        List<Allocation> allocations = jdbc.sql("""
                        SELECT a.epoch, a.leaf_index, a.wallet, a.amount_wei, a.claim_tx, e.published_at IS NOT NULL, e.claim_deadline, e.expired
                        FROM reward_allocations a JOIN reward_epochs e ON e.epoch = a.epoch
                        WHERE a.user_id = ? ORDER BY a.epoch DESC LIMIT 200""")
                .param(me.id())
                .query((rs, n) -> new Allocation(rs.getLong(1), rs.getInt(2), rs.getString(3).trim(), aic(rs.getBigDecimal(4)),
                        rs.getString(5), rs.getBoolean(6), rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant(),
                        rs.getBoolean(8)))
                .list();
        model.addAttribute("allocations", allocations);
        model.addAttribute("now", Instant.now());
        model.addAttribute("hasWallet", !accounts.wallets(me.id()).isEmpty());
        model.addAttribute("chain", walletChain);
        model.addAttribute("currentEpoch", properties.epochAt(Instant.now()));
        model.addAttribute("emission", properties.emissionPerEpochAic());
        model.addAttribute("scores", scoresOf(me.id()));
        return "reputation/rewards";
    }

    /** The member's claim of {@code epoch}: RewardsDistributor.claim with the leaf's proof. Another's allocation is not found. */
    @PostMapping("/rewards/{epoch}/claim/transaction")
    @ResponseBody
    ResponseEntity<Map<String, Object>> claimTransaction(@PathVariable long epoch, @AuthenticationPrincipal AccountPrincipal me) {
        record Leaf(int index, String wallet, BigInteger amount, String proof, String claimTx, boolean claimable) {
        }
        Optional<Leaf> leaf = jdbc.sql("""
                        SELECT a.leaf_index, a.wallet, a.amount_wei, a.proof, a.claim_tx,
                               e.published_at IS NOT NULL AND NOT e.expired AND e.claim_deadline > now()
                        FROM reward_allocations a JOIN reward_epochs e ON e.epoch = a.epoch
                        WHERE a.epoch = ? AND a.user_id = ?""")
                .params(epoch, me.id())
                .query((rs, n) -> new Leaf(rs.getInt(1), rs.getString(2).trim(), rs.getBigDecimal(3).toBigIntegerExact(),
                        rs.getString(4), rs.getString(5), rs.getBoolean(6)))
                .optional();
        if (leaf.isEmpty()) {
            throw new NotFoundException();
        }
        Leaf l = leaf.get();
        if (l.claimTx() != null) {
            return error(400, "rewards.error.claimed");
        }
        if (!l.claimable() || !chain.enabled() || !chain.contracts().rewardsPaidOnChain()) {
            return error(400, "rewards.error.not-claimable");
        }
        List<byte[]> proof = l.proof().isEmpty() ? List.of()
                : Arrays.stream(l.proof().split(",")).map(Numeric::hexStringToByteArray).toList();
        try {
            return ResponseEntity.ok(Map.of("to", chain.contracts().rewardsDistributor(),
                    "data", chain.claimRewardCall(epoch, l.index(), l.wallet(), l.amount(), proof)));
        } catch (ChainUnavailableException e) {
            return error(503, "market.error.chain-down");
        }
    }

    record EpochScore(long epoch, long score, int rank) {
    }

    @GetMapping("/contributions/{type}/{id}")
    String contribution(@PathVariable String type, @PathVariable long id, Model model) {
        ContributionType t = type(type);
        List<EpochScore> scores = jdbc.sql("""
                        SELECT epoch, score, rank FROM contribution_scores WHERE contribution_type = ? AND contribution_id = ?
                        ORDER BY epoch DESC LIMIT 104""")
                .params(t.name(), id).query((rs, n) -> new EpochScore(rs.getLong(1), rs.getLong(2), rs.getInt(3))).list();
        List<Long> epochs = jdbc.sql("""
                        SELECT DISTINCT epoch FROM contribution_uses WHERE contribution_type = ? AND contribution_id = ?
                        ORDER BY epoch DESC LIMIT 104""").params(t.name(), id).query(Long.class).list();
        model.addAttribute("type", t.name());
        model.addAttribute("id", id);
        model.addAttribute("name", contributionNames.of(new Contribution(t, id)));
        model.addAttribute("scores", scores);
        model.addAttribute("epochs", epochs);
        return "reputation/contribution";
    }

    record Judged(String user, String kind, String ref, Instant at, int points, String rule) {
    }

    /** Why a contribution scored what it did in an epoch: every use, counted or refused with its rule. */
    @GetMapping("/contributions/{type}/{id}/epochs/{epoch}")
    String why(@PathVariable String type, @PathVariable long id, @PathVariable long epoch, Model model) {
        ContributionType t = type(type);
        record Row(Long userId, String kind, String ref, Instant at, int points, String rule) {
        }
        List<Row> rows = jdbc.sql("""
                        SELECT user_id, kind, ref, used_at, points, rule FROM contribution_uses
                        WHERE contribution_type = ? AND contribution_id = ? AND epoch = ? ORDER BY used_at, id LIMIT 1000""")
                .params(t.name(), id, epoch)
                .query((rs, n) -> new Row((Long) rs.getObject(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                        rs.getInt(5), rs.getString(6)))
                .list();
        if (rows.isEmpty()) {
            throw new NotFoundException();
        }
        Map<Long, String> names = accounts.usernames(rows.stream().map(Row::userId).filter(u -> u != null).toList());
        model.addAttribute("uses", rows.stream().map(r -> new Judged(r.userId() == null ? null : names.get(r.userId()), r.kind(),
                r.ref(), r.at(), r.points(), r.rule())).toList());
        model.addAttribute("type", t.name());
        model.addAttribute("id", id);
        model.addAttribute("name", contributionNames.of(new Contribution(t, id)));
        model.addAttribute("epoch", epoch);
        model.addAttribute("score", rows.stream().mapToInt(Row::points).sum());
        model.addAttribute("excludedUntil", jdbc.sql("""
                        SELECT x.until_epoch FROM reward_exclusions x
                        JOIN contribution_uses u ON u.owner_id = x.user_id AND u.contribution_type = ? AND u.contribution_id = ? AND u.epoch = ?
                        WHERE ? BETWEEN x.from_epoch AND x.until_epoch ORDER BY x.until_epoch DESC LIMIT 1""")
                .params(t.name(), id, epoch, epoch).query(Long.class).optional().orElse(null));
        return "reputation/why";
    }

    /** The standing a listing page shows: the last epoch's score and rank, with a link to the history. */
    @GetMapping("/contributions/{type}/{id}/standing")
    String standing(@PathVariable String type, @PathVariable long id, Model model) {
        ContributionType t = type(type);
        model.addAttribute("type", t.name());
        model.addAttribute("id", id);
        model.addAttribute("last", jdbc.sql("""
                        SELECT epoch, score, rank FROM contribution_scores WHERE contribution_type = ? AND contribution_id = ?
                        ORDER BY epoch DESC LIMIT 1""")
                .params(t.name(), id).query((rs, n) -> new EpochScore(rs.getLong(1), rs.getLong(2), rs.getInt(3))).optional()
                .orElse(null));
        return "reputation/standing :: standing";
    }

    record ScoreRow(String type, long id, String name, long epoch, long score, int rank) {
    }

    @GetMapping("/members/{username}")
    String member(@PathVariable String username, Model model) {
        long id = accounts.idOf(username).orElseThrow(NotFoundException::new);
        model.addAttribute("username", accounts.usernames(List.of(id)).get(id));
        List<ScoreRow> scores = scoresOf(id);
        model.addAttribute("scores", scores);
        model.addAttribute("scoreSeries", json.writeValueAsString(ScoreChart.of(scores, properties::startOf)));
        model.addAttribute("listings", catalog.publishedBy(id, MEMBER_LISTINGS));
        model.addAttribute("reviews", reviews.by(id));
        model.addAttribute("rewardedAic", aic(jdbc.sql("SELECT coalesce(sum(amount_wei), 0) FROM reward_allocations WHERE user_id = ? AND claim_tx IS NOT NULL")
                .param(id).query(BigDecimal.class).single()));
        return "reputation/member";
    }

    private List<ScoreRow> scoresOf(long ownerId) {
        record Scored(Contribution contribution, long epoch, long score, int rank) {
        }
        List<Scored> scored = jdbc.sql("""
                        SELECT contribution_type, contribution_id, epoch, score, rank FROM contribution_scores
                        WHERE owner_id = ? ORDER BY epoch DESC, score DESC LIMIT 200""")
                .param(ownerId)
                .query((rs, n) -> new Scored(new Contribution(ContributionType.valueOf(rs.getString(1)), rs.getLong(2)), rs.getLong(3),
                        rs.getLong(4), rs.getInt(5))).list();
        Map<Contribution, String> named = contributionNames.of(scored.stream().map(Scored::contribution).toList());
        return scored.stream().map(s -> new ScoreRow(s.contribution().type().name(), s.contribution().id(), named.get(s.contribution()),
                s.epoch(), s.score(), s.rank())).toList();
    }

    private static ContributionType type(String type) {
        try {
            return ContributionType.valueOf(type);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException();
        }
    }

    private static BigDecimal aic(BigDecimal wei) {
        return wei.divide(WEI).stripTrailingZeros();
    }

    private ResponseEntity<Map<String, Object>> error(int status, String key) {
        return ResponseEntity.status(status).body(Map.of("error", messages.getMessage(key, null, key, LocaleContextHolder.getLocale())));
    }
}
