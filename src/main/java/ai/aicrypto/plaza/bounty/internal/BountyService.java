package ai.aicrypto.plaza.bounty.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.catalog.Catalog;
import ai.aicrypto.plaza.catalog.License;
import ai.aicrypto.plaza.catalog.ListingKind;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.competition.scoring.Metric;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.TrainableDataset;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.platform.Aic;
import ai.aicrypto.plaza.platform.NotFoundException;
import ai.aicrypto.plaza.platform.UserFacingException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Data requests: creating them, creators' submissions, the requester's judgement (the automatic check) and the
 * wallet steps (fund, accept, refund) whose transactions the members' wallets send. Nothing here changes a money
 * state: {@link BountyLogs} does, from confirmed logs.
 */
@Service
class BountyService {

    /** BountyEscrow.MIN_DURATION, plus the time a member takes to sign and the chain to mine. */
    static final Duration MIN_TIME_LEFT_TO_FUND = Duration.ofHours(1).plusMinutes(10);
    /** BountyEscrow.MAX_DURATION: a deadline further away could never be funded. */
    static final Duration MAX_DURATION = Duration.ofDays(365);
    private static final Duration PERMIT_LIFETIME = Duration.ofMinutes(20);
    private static final Pattern COLUMN = Pattern.compile("[\\p{L}\\p{N}_][\\p{L}\\p{N}_ .-]{0,99}");
    private static final int MAX_COLUMNS = 50;
    private static final long MAX_ROWS = 1_000_000_000L;
    private static final int MAX_TEXT = 20_000;
    private static final int MAX_QUALITY_BAR = 5_000;
    private static final String COLUMNS = """
            b.id, b.kind, b.requester_id, u.username, b.title, b.description, b.expected_columns, b.label_column, b.min_rows,
            b.quality_bar, b.license, b.price_aic, b.metric, b.bar, b.bounty_wei, b.deadline, b.status, b.requester_wallet,
            b.creator_wallet, b.accepted_listing, b.closed_tx""";

    private final JdbcClient jdbc;
    private final Chain chain;
    private final Accounts accounts;
    private final Datasets datasets;
    private final Catalog catalog;
    private final Clock clock;

    BountyService(JdbcClient jdbc, Chain chain, Accounts accounts, Datasets datasets, Catalog catalog, Clock clock) {
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.chain = chain;
        this.accounts = accounts;
        this.datasets = datasets;
        this.clock = clock;
    }

    /** Requests are offered only where the deployment has a BountyEscrow: a bounty is money the chain must hold. */
    boolean enabled() {
        return chain.enabled() && chain.contracts().bountiesOnChain();
    }

    Instant now() {
        return clock.instant();
    }

    // ------------------------------------------------------------------ requests

    /**
     * Stores a request awaiting its funding, or throws for the first field that is wrong (nothing stored).
     *
     * @return its id
     */
    @Transactional
    long create(AccountPrincipal me, BountyForm form) {
        Basics basics = basics(form.getTitle(), form.getDescription(), form.getBountyAic(), form.getDeadline());
        List<String> columns = columns(form.getExpectedColumns());
        String label = strip(form.getLabelColumn());
        if (!label.isEmpty() && !COLUMN.matcher(label).matches()) {
            throw new UserFacingException("labelColumn", "bounty.error.column", label);
        }
        long minRows = minRows(form.getMinRows());
        String qualityBar = strip(form.getQualityBar());
        if (qualityBar.length() > MAX_QUALITY_BAR) {
            throw new UserFacingException("qualityBar", "bounty.error.quality-bar", MAX_QUALITY_BAR);
        }
        License license = License.fromSpdx(strip(form.getLicense()))
                .orElseThrow(() -> new UserFacingException("license", "bounty.error.license", strip(form.getLicense())));
        BigDecimal price = Aic.parse(form.getPriceAic(), "priceAic", true);
        requireBalance(me.id(), basics.bountyWei());
        return jdbc.sql("""
                        INSERT INTO bounties (requester_id, title, description, expected_columns, label_column, min_rows,
                                              quality_bar, license, price_aic, bounty_wei, deadline)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")
                .params(me.id(), basics.title(), basics.description(), String.join(",", columns), label.isEmpty() ? null : label,
                        minRows, qualityBar, license.spdx(), price, new BigDecimal(basics.bountyWei()),
                        Timestamp.from(basics.deadline()))
                .query(Long.class).single();
    }

    /** What every bounty has, checked: its title, description, amount and deadline. */
    record Basics(String title, String description, BigInteger bountyWei, Instant deadline) {
    }

    /**
     * Checks the fields every bounty has (data request or commission), or throws for the first that is wrong.
     *
     * @throws UserFacingException also when the deployment has no bounty escrow
     */
    Basics basics(String titleText, String descriptionText, String bountyAic, String deadlineText) {
        if (!enabled()) {
            throw new UserFacingException(null, "bounty.error.no-chain");
        }
        String title = strip(titleText);
        if (title.isEmpty() || title.length() > 140) {
            throw new UserFacingException("title", "bounty.error.title", 140);
        }
        String description = strip(descriptionText);
        if (description.length() > MAX_TEXT) {
            throw new UserFacingException("description", "bounty.error.description", MAX_TEXT);
        }
        BigInteger bounty = Aic.toWei(Aic.parse(bountyAic, "bountyAic", false));
        return new Basics(title, description, bounty, deadline(deadlineText));
    }

    /** The request, for any signed-in member. @throws NotFoundException when there is none */
    Bounty find(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM bounties b JOIN users u ON u.id = b.requester_id WHERE b.id = ?")
                .param(id).query(BountyService::bounty).optional().orElseThrow(NotFoundException::new);
    }

    /** Funded requests still taking submissions, the nearest deadline first. */
    List<Bounty> open(int limit) {
        return jdbc.sql("SELECT " + COLUMNS + """
                         FROM bounties b JOIN users u ON u.id = b.requester_id
                        WHERE b.status = 'FUNDED' AND b.deadline > ? ORDER BY b.deadline, b.id LIMIT ?""")
                .params(Timestamp.from(now()), limit).query(BountyService::bounty).list();
    }

    List<Bounty> requestedBy(long userId) {
        return jdbc.sql("SELECT " + COLUMNS + """
                         FROM bounties b JOIN users u ON u.id = b.requester_id
                        WHERE b.requester_id = ? ORDER BY b.created_at DESC, b.id DESC LIMIT 100""")
                .param(userId).query(BountyService::bounty).list();
    }

    // ------------------------------------------------------------------ submissions

    /** A creator's dataset offered to a request, with the automatic check's problems (none: it passes). */
    record Submission(long id, long creatorId, String creatorName, long listingId, String title, long rows,
                      List<UserFacingException> problems) {

        public boolean passes() {
            return problems.isEmpty();
        }
    }

    /**
     * Offers one of the creator's own datasets to an open request (one per creator), or throws with the reason and
     * stores nothing.
     */
    @Transactional
    void submit(long bountyId, AccountPrincipal me, String datasetId) {
        Bounty b = openFor(bountyId, me);
        if (b.commission()) {
            throw new UserFacingException("datasetId", "bounty.error.commission-takes-models");
        }
        long listing = id(datasetId, "datasetId");
        TrainableDataset d = datasets.trainableBy(me.id(), listing).filter(t -> t.ownerId() == me.id())
                .orElseThrow(() -> new UserFacingException("datasetId", "bounty.error.not-your-dataset"));
        if (!published(d.id())) {
            throw new UserFacingException("datasetId", "bounty.error.unpublished");
        }
        int stored = jdbc.sql("""
                        INSERT INTO bounty_submissions (bounty_id, creator_id, listing_id) VALUES (?, ?, ?)
                        ON CONFLICT (bounty_id, creator_id) DO NOTHING""")
                .params(b.id(), me.id(), d.id()).update();
        if (stored == 0) {
            throw new UserFacingException("datasetId", "bounty.error.submitted-already");
        }
    }

    /** The bounty, when {@code me} may submit to it: it is open and not their own. */
    Bounty openFor(long bountyId, AccountPrincipal me) {
        Bounty b = find(bountyId);
        if (!b.openAt(now())) {
            throw new UserFacingException(null, "bounty.error.not-open");
        }
        if (b.requestedBy(me.id())) {
            throw new UserFacingException(null, "bounty.error.own-request");
        }
        return b;
    }

    /** The requester judges a dataset by its public page (preview and statistics): an unpublished one has none to see. */
    private boolean published(long listingId) {
        try {
            return catalog.view(listingId, ListingKind.DATASET, null).published();
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** The requester sees every submission; a creator only their own. */
    List<Submission> submissions(Bounty b, AccountPrincipal viewer) {
        boolean all = b.requestedBy(viewer.id());
        return jdbc.sql("""
                        SELECT s.id, s.creator_id, u.username, s.listing_id FROM bounty_submissions s JOIN users u ON u.id = s.creator_id
                        WHERE s.bounty_id = ? AND (? OR s.creator_id = ?) ORDER BY s.submitted_at, s.id""")
                .params(b.id(), all, viewer.id())
                .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(4)}).list().stream()
                .map(row -> judged(b, row[0], row[1], row[2]))
                .toList();
    }

    /** The datasets the member owns, to pick one for a submission. */
    List<TrainableDataset> ownDatasets(long userId) {
        return datasets.trainableBy(userId).stream().filter(d -> d.ownerId() == userId).toList();
    }

    private Submission judged(Bounty b, long submissionId, long creatorId, long listingId) {
        TrainableDataset d = datasets.trainableBy(creatorId, listingId).orElse(null);
        String creatorName = accounts.usernames(List.of(creatorId)).getOrDefault(creatorId, "?");
        if (d == null) {
            return new Submission(submissionId, creatorId, creatorName, listingId, "#" + listingId, 0,
                    List.of(new UserFacingException(null, "bounty.check.gone")));
        }
        return new Submission(submissionId, creatorId, creatorName, listingId, d.title(), d.rowCount(),
                check(b, d, datasets.preprocessing(listingId)));
    }

    /**
     * The automatic check of a dataset against the request: enough rows, every expected column present (as a feature
     * or the label), and the requested label column as the dataset's label.
     */
    static List<UserFacingException> check(Bounty b, TrainableDataset d, Preprocessing p) {
        List<UserFacingException> problems = new ArrayList<>();
        if (d.rowCount() < b.minRows()) {
            problems.add(new UserFacingException(null, "bounty.check.rows", d.rowCount(), b.minRows()));
        }
        String label = p.label() == null ? null : p.label().column();
        List<String> present = new ArrayList<>(p.columns().stream().map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
        if (label != null) {
            present.add(label.toLowerCase(Locale.ROOT));
        }
        for (String column : b.expectedColumns()) {
            if (!present.contains(column.toLowerCase(Locale.ROOT))) {
                problems.add(new UserFacingException(null, "bounty.check.column", column));
            }
        }
        if (b.labelColumn() != null && (label == null || !label.equalsIgnoreCase(b.labelColumn()))) {
            problems.add(new UserFacingException(null, "bounty.check.label", b.labelColumn()));
        }
        return problems;
    }

    /** A submission of this request, else a refusal (one of another request, or none). */
    private Submission submissionOf(Bounty b, AccountPrincipal requester, String submissionId) {
        long id = id(submissionId, "submission");
        return submissions(b, requester).stream().filter(s -> s.id() == id).findFirst()
                .orElseThrow(() -> new UserFacingException(null, "bounty.error.not-a-submission"));
    }

    // ------------------------------------------------------------------ wallet steps

    record Permit(String typedData, long deadline, BigInteger amount) {
    }

    record Transaction(String to, String data) {
    }

    /** Funding, step 1: the permit the requester's wallet signs for exactly the bounty. */
    Permit fundingPermit(long bountyId, AccountPrincipal me, String walletAddress) {
        Bounty b = fundable(bountyId, me);
        String wallet = ownWallet(me.id(), walletAddress);
        BigInteger balance = chain.aicBalance(wallet);
        if (balance.compareTo(b.bountyWei()) < 0) {
            throw new UserFacingException(null, "bounty.error.balance", Aic.format(b.bountyWei()), Aic.format(balance));
        }
        long deadline = now().plus(PERMIT_LIFETIME).getEpochSecond();
        return new Permit(chain.permitTypedData(wallet, chain.contracts().bountyEscrow(), b.bountyWei(), deadline), deadline,
                b.bountyWei());
    }

    /** Funding, step 2: BountyEscrow.openWithPermit with the request's amount and deadline, for the signed permit. */
    Transaction fundingTransaction(long bountyId, AccountPrincipal me, String permitDeadline, String signature) {
        Bounty b = fundable(bountyId, me);
        if (signature == null || !signature.matches("0x[0-9a-fA-F]{130}")) {
            throw new UserFacingException(null, "bounty.error.signature");
        }
        long deadline = permitDeadline == null || !permitDeadline.matches("\\d{1,18}") ? 0 : Long.parseLong(permitDeadline);
        if (deadline <= now().getEpochSecond()) {
            throw new UserFacingException(null, "bounty.error.permit-expired");
        }
        return new Transaction(chain.contracts().bountyEscrow(), chain.openBountyWithPermitCall(b.id(), b.bountyWei(),
                b.deadline().getEpochSecond(), deadline, signature));
    }

    /**
     * Acceptance of a data request: BountyEscrow.accept paying the submission's creator (their oldest linked wallet),
     * sent by the wallet that funded the bounty. Refused when the request cannot be {@linkplain #acceptable accepted},
     * the submission is not one of this request, or its creator has no wallet.
     */
    Transaction acceptance(long bountyId, AccountPrincipal me, String submissionId, String walletAddress) {
        Bounty b = acceptable(bountyId, me, walletAddress);
        if (b.commission()) {
            throw new IllegalArgumentException("bounty " + bountyId + " is a commission");
        }
        Submission s = submissionOf(b, me, submissionId);
        String creator = accounts.wallets(s.creatorId()).stream().findFirst()
                .orElseThrow(() -> new UserFacingException(null, "bounty.error.creator-wallet", s.creatorName()));
        return new Transaction(chain.contracts().bountyEscrow(), chain.acceptBountyCall(b.id(), creator, 0));
    }

    /**
     * The requester's bounty when it may be accepted now from {@code walletAddress}: funded, not accepted or refunded,
     * before its deadline, and the wallet is the one that funded it.
     */
    Bounty acceptable(long bountyId, AccountPrincipal me, String walletAddress) {
        Bounty b = requestersOwn(bountyId, me);
        switch (b.status()) {
            case ACCEPTED -> throw new UserFacingException(null, "bounty.error.accepted-already");
            case REFUNDED -> throw new UserFacingException(null, "bounty.error.refunded");
            case AWAITING_FUNDING -> throw new UserFacingException(null, "bounty.error.not-funded");
            case FUNDED -> { }
        }
        if (b.expiredAt(now())) {
            throw new UserFacingException(null, "bounty.error.expired");
        }
        if (walletAddress == null || !walletAddress.equalsIgnoreCase(b.requesterWallet())) {
            throw new UserFacingException(null, "bounty.error.funding-wallet", b.requesterWallet());
        }
        return b;
    }

    /** The refund of an unaccepted bounty after its deadline: BountyEscrow.refund, which any wallet may send. */
    Transaction refund(long bountyId, AccountPrincipal me) {
        Bounty b = requestersOwn(bountyId, me);
        if (b.status() != Bounty.Status.FUNDED) {
            throw new UserFacingException(null, b.status() == Bounty.Status.AWAITING_FUNDING ? "bounty.error.not-funded"
                    : "bounty.error.closed");
        }
        if (!b.expiredAt(now())) {
            throw new UserFacingException(null, "bounty.error.not-expired");
        }
        return new Transaction(chain.contracts().bountyEscrow(), chain.refundBountyCall(b.requesterWallet(), b.id()));
    }

    /** The request for its requester; anyone else is told there is none. */
    Bounty requestersOwn(long bountyId, AccountPrincipal me) {
        Bounty b = find(bountyId);
        if (!b.requestedBy(me.id())) {
            throw new NotFoundException();
        }
        if (!enabled()) {
            throw new UserFacingException(null, "bounty.error.no-chain");
        }
        return b;
    }

    private Bounty fundable(long bountyId, AccountPrincipal me) {
        Bounty b = requestersOwn(bountyId, me);
        if (b.status() != Bounty.Status.AWAITING_FUNDING) {
            throw new UserFacingException(null, "bounty.error.funded-already");
        }
        if (b.deadline().isBefore(now().plus(MIN_TIME_LEFT_TO_FUND))) {
            throw new UserFacingException(null, "bounty.error.too-late-to-fund");
        }
        return b;
    }

    String ownWallet(long userId, String address) {
        String wallet = address == null ? "" : address.strip().toLowerCase(Locale.ROOT);
        if (!accounts.wallets(userId).contains(wallet)) {
            throw new UserFacingException(null, "bounty.error.wallet-not-linked");
        }
        return wallet;
    }

    /** A bounty over what any of the requester's wallets holds could never be funded: refused at once. */
    void requireBalance(long userId, BigInteger bounty) {
        List<String> wallets = accounts.wallets(userId);
        if (wallets.isEmpty()) {
            throw new UserFacingException(null, "bounty.error.no-wallet");
        }
        BigInteger most = wallets.stream().map(chain::aicBalance).max(BigInteger::compareTo).orElse(BigInteger.ZERO);
        if (most.compareTo(bounty) < 0) {
            throw new UserFacingException("bountyAic", "bounty.error.balance", Aic.format(bounty), Aic.format(most));
        }
    }

    private Instant deadline(String text) {
        LocalDate day;
        try {
            day = LocalDate.parse(strip(text));
        } catch (DateTimeParseException e) {
            throw new UserFacingException("deadline", "bounty.error.deadline-format");
        }
        Instant deadline = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        if (deadline.isBefore(now().plus(Duration.ofDays(1)))) {
            throw new UserFacingException("deadline", "bounty.error.deadline-soon");
        }
        if (deadline.isAfter(now().plus(MAX_DURATION))) {
            throw new UserFacingException("deadline", "bounty.error.deadline-far", MAX_DURATION.toDays());
        }
        return deadline;
    }

    private static List<String> columns(String text) {
        LinkedHashSet<String> columns = new LinkedHashSet<>();
        for (String c : strip(text).split("\\s*,\\s*")) {
            if (c.isBlank()) {
                continue;
            }
            if (!COLUMN.matcher(c.strip()).matches()) {
                throw new UserFacingException("expectedColumns", "bounty.error.column", c.strip());
            }
            columns.add(c.strip());
        }
        if (columns.size() > MAX_COLUMNS) {
            throw new UserFacingException("expectedColumns", "bounty.error.too-many-columns", MAX_COLUMNS);
        }
        return List.copyOf(columns);
    }

    private static long minRows(String text) {
        String t = strip(text);
        long rows = t.matches("\\d{1,10}") ? Long.parseLong(t) : 0;
        if (rows < 1 || rows > MAX_ROWS) {
            throw new UserFacingException("minRows", "bounty.error.min-rows", MAX_ROWS);
        }
        return rows;
    }

    /** An id from a form or a JSON body: 1 to 2^63-1, else a refusal naming the field. */
    static long id(String text, String field) {
        String t = strip(text);
        if (!t.matches("\\d{1,19}") || new BigInteger(t).compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0 || Long.parseLong(t) == 0) {
            throw new UserFacingException(field, "bounty.error.id");
        }
        return Long.parseLong(t);
    }

    static String strip(String text) {
        return text == null ? "" : text.strip();
    }

    private static Bounty bounty(ResultSet rs, int n) throws SQLException {
        String columns = rs.getString("expected_columns");
        BigDecimal price = rs.getBigDecimal("price_aic");
        String metric = rs.getString("metric");
        return new Bounty(rs.getLong("id"), Bounty.Kind.valueOf(rs.getString("kind")), rs.getLong("requester_id"),
                rs.getString("username"), rs.getString("title"),
                rs.getString("description"), columns.isEmpty() ? List.of() : Arrays.asList(columns.split(",")),
                rs.getString("label_column"), rs.getLong("min_rows"), rs.getString("quality_bar"), rs.getString("license"),
                price == null ? null : price.stripTrailingZeros(), metric == null ? null : Metric.valueOf(metric),
                rs.getObject("bar", Double.class), rs.getBigDecimal("bounty_wei").toBigIntegerExact(),
                rs.getTimestamp("deadline").toInstant(), Bounty.Status.valueOf(rs.getString("status")),
                trimmed(rs.getString("requester_wallet")), trimmed(rs.getString("creator_wallet")),
                rs.getObject("accepted_listing", Long.class), trimmed(rs.getString("closed_tx")));
    }

    private static String trimmed(String charColumn) {
        return charColumn == null ? null : charColumn.strip();
    }
}
