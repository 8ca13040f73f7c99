package ai.aicrypto.plaza.bounty.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.competition.HiddenTestRuns;
import ai.aicrypto.plaza.market.AssetDelivery;
import ai.aicrypto.plaza.competition.scoring.Metric;
import ai.aicrypto.plaza.competition.scoring.Solution;
import ai.aicrypto.plaza.competition.scoring.TestInputs;
import ai.aicrypto.plaza.model.ModelRuns;
import ai.aicrypto.plaza.platform.IntegrityException;
import ai.aicrypto.plaza.platform.UserFacingException;
import ai.aicrypto.plaza.storage.BlobStore;
import ai.aicrypto.plaza.storage.DataKeys;
import ai.aicrypto.plaza.storage.PendingBlobs;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * AI commissions: a requester's task with a hidden test set (test inputs and a solution, checked as a competition's
 * are), a metric and a bar; developers' models run on it and scored by the plaza off the request ({@link HiddenTestRuns},
 * {@link CommissionScoring}); the developer's wallet step that offers the model's token to the escrow; the requester's
 * acceptance. The test set never leaves the plaza. Nothing here changes a money state or a submission's on-chain state: {@link BountyLogs} does.
 */
@Service
class CommissionService {

    static final String TEST_INPUTS_CONTEXT = "bounty:commission:test-inputs";
    static final String SOLUTION_CONTEXT = "bounty:commission:solution";
    /** A commission scores every row; the public/private split a solution is read with plays no part. */
    private static final Solution.Split ALL_ROWS = Solution.Split.withSeed(0);
    /** The score limit of a loss bar; any real model's loss is far below it. */
    private static final double MAX_LOSS_BAR = 1e12;

    private final JdbcClient jdbc;
    private final BountyService bounties;
    private final HiddenTestRuns runs;
    private final AssetDelivery delivery;
    private final ModelRuns models;
    private final DataKeys dataKeys;
    private final BlobStore blobs;
    private final PendingBlobs pendingBlobs;
    private final Chain chain;
    private final TransactionTemplate transaction;
    private final ApplicationEventPublisher events;
    private final JsonMapper json;

    CommissionService(JdbcClient jdbc, BountyService bounties, HiddenTestRuns runs, ModelRuns models, DataKeys dataKeys,
                      BlobStore blobs, PendingBlobs pendingBlobs, Chain chain, AssetDelivery delivery,
                      TransactionTemplate transaction, ApplicationEventPublisher events, JsonMapper json) {
        this.jdbc = jdbc;
        this.delivery = delivery;
        this.bounties = bounties;
        this.runs = runs;
        this.models = models;
        this.dataKeys = dataKeys;
        this.blobs = blobs;
        this.pendingBlobs = pendingBlobs;
        this.chain = chain;
        this.transaction = transaction;
        this.events = events;
        this.json = json;
    }

    // ------------------------------------------------------------------ commissions

    /**
     * Checks the form and the hidden test set (the solution's ids unique; the test inputs have exactly the solution's
     * ids, once each, and no target column), stores both files encrypted and the commission awaiting its funding, all
     * or nothing.
     *
     * @return its id
     * @throws UserFacingException for a field to fix
     * @throws ai.aicrypto.plaza.competition.scoring.ScoringRejected with the problems of the solution or test inputs
     */
    long create(AccountPrincipal me, CommissionForm form, Path solutionFile, Path testInputsFile) {
        BountyService.Basics basics = bounties.basics(form.getTitle(), form.getDescription(), form.getBountyAic(),
                form.getDeadline());
        Metric metric = metric(form.getMetric());
        double bar = bar(metric, form.getBar());
        if (testInputsFile == null) {
            throw new UserFacingException("testInputs", "bounty.error.no-test-inputs");
        }
        if (solutionFile == null) {
            throw new UserFacingException("solution", "bounty.error.no-solution");
        }
        Solution solution;
        try (InputStream in = Files.newInputStream(solutionFile)) {
            solution = Solution.read(in, metric, ALL_ROWS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (InputStream in = Files.newInputStream(testInputsFile)) {
            TestInputs.check(solution, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bounties.requireBalance(me.id(), basics.bountyWei());
        DataKeys.DataKey key = dataKeys.generate();
        List<String> written = new ArrayList<>();
        try {
            String solutionBlob = encrypt(key, solutionFile, SOLUTION_CONTEXT, written);
            String inputsBlob = encrypt(key, testInputsFile, TEST_INPUTS_CONTEXT, written);
            return transaction.execute(status -> {
                pendingBlobs.kept(written);
                return jdbc.sql("""
                            INSERT INTO bounties (kind, requester_id, title, description, expected_columns, min_rows, quality_bar,
                                                  metric, bar, test_rows, wrapped_data_key, solution_blob_key,
                                                  test_inputs_blob_key, bounty_wei, deadline)
                            VALUES ('MODEL', ?, ?, ?, '', 1, '', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")
                    .params(me.id(), basics.title(), basics.description(), metric.name(), bar, solution.size(), key.wrapped(),
                            solutionBlob, inputsBlob, new BigDecimal(basics.bountyWei()), Timestamp.from(basics.deadline()))
                    .query(Long.class).single();
            });
        } catch (RuntimeException e) {
            written.forEach(pendingBlobs::discard);
            throw e;
        }
    }

    private String encrypt(DataKeys.DataKey key, Path file, String context, List<String> written) {
        try (InputStream in = Files.newInputStream(file)) {
            String blob = pendingBlobs.encrypt(key, in, context).key();
            written.add(blob);
            return blob;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Metric metric(String text) {
        for (Metric m : Metric.values()) {
            if (m.name().equals(BountyService.strip(text))) {
                return m;
            }
        }
        throw new UserFacingException("metric", "bounty.error.metric");
    }

    /** The bar: a finite number, within [0, 1] for accuracy, macro F1 and ROC AUC, at least 0 for a loss. */
    private static double bar(Metric metric, String text) {
        double bar;
        try {
            bar = Double.parseDouble(BountyService.strip(text));
        } catch (NumberFormatException e) {
            bar = Double.NaN;
        }
        boolean inRange = metric.higherIsBetter() ? bar >= 0 && bar <= 1 : bar >= 0 && bar <= MAX_LOSS_BAR;
        if (!inRange) {
            throw new UserFacingException("bar", metric.higherIsBetter() ? "bounty.error.bar-fraction" : "bounty.error.bar-loss",
                    metric.name());
        }
        return bar;
    }

    // ------------------------------------------------------------------ developers' models

    /**
     * A developer's model submitted to a commission: PENDING while it waits or runs, then SCORED with its {@code score},
     * or FAILED with the reason ({@code failure}, a message key, and its {@code failureArgs}). {@code creatorWallet} is
     * set once the confirmed AssetSubmitted log offered its token to the escrow: only then may the requester accept it.
     */
    record Scored(long id, long creatorId, String creatorName, long modelId, String modelTitle, Status status, Double score,
                  boolean passes, String creatorWallet, String failure, List<Object> failureArgs) {

        enum Status { PENDING, SCORED, FAILED }

        public boolean onChain() {
            return creatorWallet != null;
        }

        public boolean pending() {
            return status == Status.PENDING;
        }

        public boolean scored() {
            return status == Status.SCORED;
        }

        /** The score as pages show it; empty until scored. */
        public String scoreText() {
            return score == null ? "" : String.format(java.util.Locale.ROOT, "%.4f", score);
        }
    }

    /** The models {@code ownerId} could submit: their own, with weights, reading table records. */
    List<ModelRuns.RunnableModel> ownModels(long ownerId) {
        return models.runnableBy(ownerId);
    }

    /**
     * Records the developer's own model for the commission, PENDING, to be run on the hidden test inputs and scored off
     * the request ({@link CommissionScoring}); one model per developer and commission, except that one whose run
     * failed may be replaced. Only what is cheap is checked here: the model must be the developer's and read table
     * records, and where the plaza never runs models itself, the developer's credit must pay the fleet; why it cannot
     * be scored otherwise (its kind, its columns, the time limit) is the run's answer.
     */
    void submit(long bountyId, AccountPrincipal me, String modelIdText) {
        Bounty b = bounties.openFor(bountyId, me);
        if (!b.commission()) {
            throw new UserFacingException("modelId", "bounty.error.request-takes-datasets");
        }
        long modelId = BountyService.id(modelIdText, "modelId");
        if (models.runnable(modelId, me.id()).isEmpty()) {
            throw new UserFacingException("modelId", "bounty.error.model-not-yours");
        }
        models.requireCredit(me.id()); // the serving fleet's GPU-seconds are the developer's
        Optional<Long> recorded = transaction.execute(status -> {
            jdbc.sql("DELETE FROM commission_submissions WHERE bounty_id = ? AND creator_id = ? AND status = 'FAILED'")
                    .params(b.id(), me.id()).update();
            return jdbc.sql("""
                            INSERT INTO commission_submissions (bounty_id, creator_id, model_id) VALUES (?, ?, ?)
                            ON CONFLICT DO NOTHING RETURNING id""")
                    .params(b.id(), me.id(), modelId).query(Long.class).optional();
        });
        long id = recorded.orElseThrow(() -> new UserFacingException("modelId", "bounty.error.model-submitted-already"));
        events.publishEvent(new ModelSubmitted(id));
    }

    /** A commission's model recorded PENDING, for {@link CommissionScoring} to run. */
    record ModelSubmitted(long submissionId) {
    }

    /**
     * Runs the developer's model on the commission's hidden test inputs and scores it on every row.
     *
     * @throws UserFacingException why it cannot be scored
     */
    double score(Bounty b, long creatorId, long modelId) {
        return runs.score(solution(b), () -> open(b, "test_inputs_blob_key", TEST_INPUTS_CONTEXT), creatorId, modelId);
    }

    /**
     * The requester sees every scored model, best first (ties: the earlier); a developer only their own. Nobody sees
     * the test set.
     */
    List<Scored> submissions(Bounty b, AccountPrincipal viewer) {
        boolean all = b.requestedBy(viewer.id());
        // Scored first (best first, ties: the earlier), then those waiting, then failed runs.
        String order = b.metric().higherIsBetter() ? "s.score DESC" : "s.score ASC";
        return jdbc.sql("""
                        SELECT s.id, s.creator_id, u.username, s.model_id, l.title, s.status, s.score, s.creator_wallet,
                               s.failure, s.failure_args::text AS failure_args
                        FROM commission_submissions s JOIN users u ON u.id = s.creator_id JOIN listings l ON l.id = s.model_id
                        WHERE s.bounty_id = ? AND (? OR s.creator_id = ?)
                        ORDER BY CASE s.status WHEN 'SCORED' THEN 0 WHEN 'PENDING' THEN 1 ELSE 2 END,\s""" + order
                        + ", s.scored_at, s.id")
                .params(b.id(), all, viewer.id())
                .query((rs, n) -> {
                    Double score = rs.getObject("score") == null ? null : rs.getDouble("score");
                    return new Scored(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                            Scored.Status.valueOf(rs.getString("status")), score, score != null && b.passes(score),
                            trimmed(rs.getString("creator_wallet")), rs.getString("failure"), failureArgs(rs.getString("failure_args")));
                })
                .list();
    }

    private List<Object> failureArgs(String jsonArray) {
        return jsonArray == null ? List.of() : List.of(json.readValue(jsonArray, Object[].class));
    }

    /**
     * The developer's wallet transactions that offer their scored model's token to the commission: approving the escrow
     * for the token (unless it may transfer it already), then BountyEscrow.submitAsset; sent from the wallet that holds
     * the token, which must be one of theirs.
     *
     * @return {@code from}, {@code calls} ({@code to}, {@code data}) in order, and {@code after} (the page's query)
     */
    Map<String, Object> submissionSteps(long bountyId, AccountPrincipal me, String submissionIdText, String walletAddress) {
        Bounty b = bounties.openFor(bountyId, me);
        long submissionId = BountyService.id(submissionIdText, "submission");
        Scored s = submissions(b, me).stream().filter(own -> own.id() == submissionId && own.scored()).findFirst()
                .orElseThrow(() -> new UserFacingException(null, "bounty.error.not-a-submission"));
        if (s.onChain()) {
            throw new UserFacingException(null, "bounty.error.model-on-chain-already");
        }
        String wallet = bounties.ownWallet(me.id(), walletAddress);
        String holder = chain.ownerOf(s.modelId()).orElse(null);
        if (holder == null) {
            // Minted once the model passed; asked again in case that mint could not be sent then (chain down).
            delivery.mintForDelivery(s.modelId());
            throw new UserFacingException(null, "bounty.error.token-minting");
        }
        if (!wallet.equalsIgnoreCase(holder)) {
            throw new UserFacingException(null, "bounty.error.token-holder", holder == null ? "-" : holder);
        }
        List<Map<String, String>> calls = new ArrayList<>();
        if (!chain.bountyEscrowMayTransfer(s.modelId())) {
            calls.add(call(chain.contracts().registry(), chain.approveBountyEscrowForAssetCall(s.modelId())));
        }
        calls.add(call(chain.contracts().bountyEscrow(), chain.submitAssetCall(b.requesterWallet(), b.id(), s.modelId())));
        Map<String, Object> steps = new LinkedHashMap<>();
        steps.put("from", wallet);
        steps.put("calls", calls);
        steps.put("after", "");
        return steps;
    }

    private static Map<String, String> call(String to, String data) {
        return Map.of("to", to, "data", data);
    }

    /**
     * The requester's acceptance of a scored model: BountyEscrow.accept naming the wallet that submitted the token
     * on-chain and the token, which moves to the requester as the developer is paid. Refused for a model below the
     * bar, one not yet offered on-chain, or whose token left that wallet or lost the escrow's approval meanwhile.
     */
    BountyService.Transaction acceptance(long bountyId, AccountPrincipal me, String submissionIdText, String walletAddress) {
        Bounty b = bounties.acceptable(bountyId, me, walletAddress);
        long submissionId = BountyService.id(submissionIdText, "submission");
        Scored s = submissions(b, me).stream().filter(any -> any.id() == submissionId && any.scored()).findFirst()
                .orElseThrow(() -> new UserFacingException(null, "bounty.error.not-a-submission"));
        if (!s.passes()) {
            throw new UserFacingException(null, "bounty.error.below-bar", s.scoreText(), b.bar());
        }
        if (!s.onChain()) {
            throw new UserFacingException(null, "bounty.error.not-on-chain", s.creatorName());
        }
        if (!s.creatorWallet().equalsIgnoreCase(chain.ownerOf(s.modelId()).orElse(null))
                || !chain.bountyEscrowMayTransfer(s.modelId())) {
            throw new UserFacingException(null, "bounty.error.token-moved", s.creatorName());
        }
        return new BountyService.Transaction(chain.contracts().bountyEscrow(),
                chain.acceptBountyCall(b.id(), s.creatorWallet(), s.modelId()));
    }

    // ------------------------------------------------------------------ the hidden test set

    private Solution solution(Bounty b) {
        try (InputStream in = open(b, "solution_blob_key", SOLUTION_CONTEXT)) {
            return Solution.read(in, b.metric(), ALL_ROWS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One of the commission's encrypted files ({@code column}: where its blob key is), decrypting as it is read. */
    private InputStream open(Bounty b, String column, String context) {
        record Stored(byte[] wrappedKey, String blobKey) {
        }
        Optional<Stored> stored = jdbc.sql("SELECT wrapped_data_key, " + column + " FROM bounties WHERE id = ? AND kind = 'MODEL'")
                .param(b.id()).query((rs, n) -> new Stored(rs.getBytes(1), rs.getString(2))).optional();
        Stored s = stored.orElseThrow(() -> new IllegalStateException(b.id() + " is not a commission"));
        try {
            return dataKeys.unwrap(s.wrappedKey()).decryptFrom(blobs, s.blobKey(), context);
        } catch (GeneralSecurityException | IOException e) {
            throw new IntegrityException("The hidden test set of commission " + b.id() + " cannot be decrypted", e);
        }
    }

    private static String trimmed(String charColumn) {
        return charColumn == null ? null : charColumn.strip();
    }
}
