package ai.aicrypto.plaza.compute.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import ai.aicrypto.plaza.chain.contracts.AICToken;
import ai.aicrypto.plaza.chain.contracts.CompetitionEscrow;
import ai.aicrypto.plaza.chain.contracts.JobEscrow;
import ai.aicrypto.plaza.support.AppProcess;
import ai.aicrypto.plaza.support.SlowBroadcasts;
import ai.aicrypto.plaza.support.TestChain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.DefaultBlockParameterNumber;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * Kill -9 the app at any moment while it sends the escrows' payouts, restart it: every job settlement and every
 * prize is paid exactly once. As in {@code LicenseCrashTest}, the app runs as {@code ops/run} runs it, a process of
 * its own with its embedded PostgreSQL in its data directory, and is killed with SIGKILL at random moments (the seed
 * of the moments is printed) while
 * <ul>
 * <li>a requester deposits the budgets of succeeded jobs, one after another, into JobEscrow: for each confirmed
 * deposit the plaza assigns the job to its provider's wallet on-chain, then settles it (two transactions of its
 * escrow operator, each recorded before it is broadcast);</li>
 * <li>funded competitions end one after another: the plaza ranks them, finalizes each in CompetitionEscrow (which
 * pays the winners), and one place whose team had no wallet at the end is held and assigned once a member links
 * one.</li>
 * </ul>
 * The first run is killed at a random moment of its start; the later ones once ready, either at a random moment or
 * just after the plaza signed one of its transactions (settlements in one run, any in another). A proxy in front of
 * the node holds each broadcast for a random moment (see {@link SlowBroadcasts}), so such a kill often falls between
 * the recording of a transaction and its broadcast. A background thread mines a block every 300 ms, so that the
 * plaza's own transactions (anvil mines each at once) reach their 2 confirmations.
 * <p>
 * After the last restart: one JobSettled log per job and one PrizePaid log per place, the escrows closed, the
 * receivers' balances exactly the payments, the database's records naming those logs, and every transaction the
 * escrow operator mined on these escrows the one the plaza recorded for its purpose (so no purpose was sent twice),
 * none reverted.
 */
class PayoutCrashTest {

    private static final int JOBS = 12, COMPETITIONS = 3, KILLS = 5;
    private static final int JOB_SETTLED = 2, COMPETITION_FINALIZED = 2;
    private static final List<Integer> SPLIT = List.of(70, 30);
    /** The requester's deposits must not be reclaimable before the plaza's reclaim-after (7 days). */
    private static final BigInteger DEPOSIT_TIMEOUT = BigInteger.valueOf(Duration.ofDays(8).toSeconds());

    @TempDir
    Path dataDir;

    /** Fresh wallets (other tests may use anvil's dev accounts on the same chain at the same time). */
    private final Credentials requester = fresh(), host = fresh(), providerA = fresh(), providerB = fresh(),
            playerA = fresh(), playerB = fresh(), late = fresh();

    /** A test that failed between a kill and the next start leaves the killed app's PostgreSQL server running: stop it. */
    @AfterEach
    void stopAnOrphanedDatabaseServer() throws Exception {
        Path pidFile = dataDir.resolve("postgres/postmaster.pid");
        if (Files.exists(pidFile)) {
            Optional<ProcessHandle> postmaster = Files.readAllLines(pidFile).stream().findFirst()
                    .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid.strip())))
                    .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
            if (postmaster.isPresent()) {
                postmaster.get().destroy();
                postmaster.get().onExit().get(60, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void everySettlementAndPrizeIsPaidExactlyOnceWhateverTheMomentsOfTheKills() throws Exception {
        Path deployment = dataDir.resolve("chain/deployment.json");
        TestChain chain = TestChain.deploy(deployment);
        int dbPort = AppProcess.freePort();
        long seed = Long.getLong("payoutCrashSeed", System.nanoTime());
        Random moments = new Random(seed);
        System.out.println("PayoutCrashTest: kill moments from seed " + seed + " (-DpayoutCrashSeed=" + seed + " to replay)");

        Plan plan;
        try (AppProcess app = start(dataDir, deployment, chain.url, dbPort)) {
            app.awaitReady();
            chain.mine(1); // the latest block's time is now, not the deployment's, as populate takes it
            plan = populate(dbPort, chain.now(), moments);
            fund(chain, plan);
        }

        SlowBroadcasts rpc = new SlowBroadcasts(chain.url, seed + 2);
        ScheduledExecutorService miner = miner(chain);
        try {
            // The requester deposits throughout, whether the app is up or not.
            Random pauses = new Random(seed + 1);
            CompletableFuture<Void> deposits = CompletableFuture.runAsync(() -> deposit(chain, plan, pauses));
            for (int k = 0; k < KILLS; k++) {
                long started = System.nanoTime();
                try (AppProcess app = start(dataDir, deployment, rpc.url(), dbPort)) {
                    if (k == 0) {
                        Thread.sleep(moments.nextInt(15_000)); // killed while it starts
                    } else {
                        app.awaitReady();
                        linkLateWalletIfHeld(dbPort, plan);
                        if (k % 2 == 1) {
                            Thread.sleep(moments.nextInt(4_000)); // killed at any moment
                        } else {
                            // Killed while it sends: in the third run, settlements (the first sends of a run are mostly
                            // assignments of jobs deposited meanwhile); in the fifth, whatever it sends.
                            String purpose = k == 2 ? "settle:" : "";
                            awaitSends(dbPort, purpose, 1 + moments.nextInt(k == 2 ? 3 : 6));
                            Thread.sleep(moments.nextInt(400));
                        }
                    }
                    app.kill();
                    rpc.killed();
                }
                System.out.printf("PayoutCrashTest: kill %d after %d ms: %s; recorded but not broadcast: %s%n", k + 1,
                        (System.nanoTime() - started) / 1_000_000, progress(dbPort), unbroadcast(chain, dbPort));
            }
            deposits.get();

            try (AppProcess app = start(dataDir, deployment, rpc.url(), dbPort)) {
                app.awaitReady();
                awaitEveryPaymentAndCheck(chain, dbPort, plan, app);
            }
        } finally {
            miner.shutdownNow();
            rpc.close();
        }
        System.out.printf("PayoutCrashTest: %d broadcasts held across a kill: %d dropped, %d delivered after the kill%n",
                rpc.crossed.get(), rpc.dropped.get(), rpc.crossed.get() - rpc.dropped.get());
    }

    /**
     * Two instances share the database (the second on the first's PostgreSQL server), the chain node and the
     * escrow operator's key, and both run the payouts from the start (their leases, the signer's nonce lock): every
     * settlement and prize is sent once, the operator's transactions all mined, none with a nonce that was taken.
     */
    @Test
    void twoInstancesSharingTheDatabaseAndTheOperatorKeySendEachPaymentOnce() throws Exception {
        Path deployment = dataDir.resolve("chain/deployment.json");
        TestChain chain = TestChain.deploy(deployment);
        int dbPort = AppProcess.freePort();
        long seed = System.nanoTime();
        System.out.println("PayoutCrashTest (two instances): seed " + seed);
        SlowBroadcasts rpc = new SlowBroadcasts(chain.url, seed);
        ScheduledExecutorService miner = miner(chain);
        try (AppProcess first = start(dataDir, deployment, rpc.url(), dbPort)) {
            first.awaitReady();
            Plan plan = populate(dbPort, chain.now(), new Random(seed));
            fund(chain, plan);
            try (AppProcess second = AppProcess.startBeside(dataDir, deployment, rpc.url(), dbPort,
                    "--plaza.chain.poll-interval=200ms", "--plaza.compute.escrow.settle-interval=300ms",
                    "--plaza.competition.payout-interval=300ms", "--plaza.competition.sweep-interval=1s")) {
                second.awaitReady();
                deposit(chain, plan, new Random(seed + 1));
                awaitEveryPaymentAndCheck(chain, dbPort, plan, first, second);
                for (AppProcess app : List.of(first, second)) {
                    assertThat(app.log()).as("no nonce error in an instance's log").doesNotContainIgnoringCase("nonce too low")
                            .doesNotContainIgnoringCase("underpriced");
                }
            }
        } finally {
            miner.shutdownNow();
            rpc.close();
        }
    }

    /** A block every 300 ms, so that the plaza's own transactions (anvil mines each at once) reach 2 confirmations. */
    private static ScheduledExecutorService miner(TestChain chain) {
        ScheduledExecutorService miner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "anvil-miner");
            t.setDaemon(true);
            return t;
        });
        miner.scheduleWithFixedDelay(() -> {
            try {
                chain.mine(1);
            } catch (RuntimeException e) {
                System.out.println("PayoutCrashTest: mining failed: " + e);
            }
        }, 300, 300, TimeUnit.MILLISECONDS);
        return miner;
    }

    /** Waits (a minute past the last competition's end at most) until everything is paid, then checks it on-chain. */
    private void awaitEveryPaymentAndCheck(TestChain chain, int dbPort, Plan plan, AppProcess... apps) throws Exception {
        long lastEnd = plan.competitions().stream().mapToLong(Competition::end).max().orElseThrow();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos()
                + Duration.ofSeconds(Math.max(0, lastEnd - chain.now())).toNanos();
        while (!done(dbPort) && System.nanoTime() < deadline) {
            linkLateWalletIfHeld(dbPort, plan);
            Thread.sleep(250);
        }
        assertThat(done(dbPort)).as("every settlement and prize paid (%s); app logs:\n%s", progress(dbPort),
                Arrays.stream(apps).map(AppProcess::log).collect(Collectors.joining("\n----\n"))).isTrue();
        checkJobs(chain, dbPort, plan, requester.getAddress());
        checkPrizes(chain, dbPort, plan);
        checkOperatorTransactions(chain, dbPort);
        System.out.println("PayoutCrashTest: " + progress(dbPort));
    }

    // ------------------------------------------------------------------ the plan, written into the app's database

    /** A job: its budget (deposited) and the provider's payment, both in AIC wei. */
    private record Job(long id, BigInteger budget, BigInteger amount, String provider) {
    }

    /** A competition: its pool, times (epoch seconds, chain time) and each place's winner wallet. */
    private record Competition(long id, BigInteger pool, long end, List<String> winners) {
    }

    private record Plan(List<Job> jobs, long start, List<Competition> competitions, long lateUser) {
    }

    /**
     * Users and their wallets, a dataset and a model, {@value #JOBS} succeeded jobs each with a provider's payment
     * due, and {@value #COMPETITIONS} competitions with two ranked teams each, ending one after another from about
     * 30 seconds from now (the first ends first; its runner-up, the late player, has no wallet yet).
     */
    private Plan populate(int dbPort, long chainNow, Random moments) throws SQLException {
        try (Connection db = AppProcess.connect(dbPort)) {
            long requesterId = user(db, "requester", requester);
            long providerAId = user(db, "provider-a", providerA);
            long providerBId = user(db, "provider-b", providerB);
            long hostId = user(db, "host", host);
            long playerAId = user(db, "player-a", playerA);
            long playerBId = user(db, "player-b", playerB);
            long lateId = user(db, "late", null);

            long dataset = id(db, "INSERT INTO listings (kind, owner_id, title, license, status) "
                    + "VALUES ('DATASET', ?, 'Readings', 'MIT', 'PUBLISHED') RETURNING id", requesterId);
            update(db, "INSERT INTO datasets (listing_id, format, original_name, row_count, feature_count, raw_bytes, profile, "
                    + "wrapped_data_key) VALUES (?, 'CSV', 'readings.csv', 100, 4, 4000, '{}'::jsonb, '\\x00'::bytea)", dataset);
            long model = id(db, "INSERT INTO listings (kind, owner_id, title, license, status) "
                    + "VALUES ('MODEL', ?, 'Base', 'MIT', 'PUBLISHED') RETURNING id", requesterId);
            update(db, "INSERT INTO models (listing_id, spec_version, task, card) VALUES (?, '1', 'CLASSIFICATION', '{}'::jsonb)",
                    model);
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                BigDecimal budget = BigDecimal.valueOf(10 + i);
                BigDecimal amount = new BigDecimal("5.25").add(BigDecimal.valueOf(i).multiply(new BigDecimal("0.75")));
                long providerId = i % 2 == 0 ? providerAId : providerBId;
                long job = id(db, "INSERT INTO training_jobs (requester_id, dataset_id, model_id, status, budget_aic) "
                        + "VALUES (?, ?, ?, 'SUCCEEDED', ?) RETURNING id", requesterId, dataset, model, budget);
                update(db, "INSERT INTO settlements (job_id, kind, user_id, amount_aic, reason) VALUES (?, 'PAY_PROVIDER', ?, ?, "
                        + "'verified')", job, providerId, amount);
                jobs.add(new Job(job, wei(budget), wei(amount), address(i % 2 == 0 ? providerA : providerB)));
            }

            long start = chainNow + 30;
            List<Competition> competitions = new ArrayList<>();
            for (int i = 0; i < COMPETITIONS; i++) {
                BigDecimal pool = BigDecimal.valueOf(100 + 10L * i).add(new BigDecimal("0.000000000000000007"));
                long end = start + 5 + 20L * i + moments.nextInt(10);
                long c = id(db, """
                        INSERT INTO competitions (slug, host_id, title, metric, wrapped_data_key, starts_at, ends_at,
                            merge_deadline, final_selections, max_team_size, prize_pool_aic, prize_split)
                        VALUES (?, ?, ?, 'RMSE', '\\x00'::bytea, ?, ?, ?, 1, 1, ?, '{70,30}') RETURNING id""",
                        "crash-" + i, hostId, "Crash-proof prizes " + i, at(start), at(end), at(start), pool);
                id(db, """
                        INSERT INTO competition_phases (competition_id, seq, name, opens_at, closes_at, submissions_per_day,
                            public_percent, split_seed, test_rows, solution_blob_key)
                        VALUES (?, 1, '', ?, ?, 5, 50, 1, 10, 'none') RETURNING id""", c, at(start), at(end));
                // RMSE: lower is better. Competition 0: the late player is the runner-up; 1: B beats A; 2: A beats B.
                long[] teams = i == 0 ? new long[] {playerAId, lateId} : i == 1 ? new long[] {playerBId, playerAId}
                        : new long[] {playerAId, playerBId};
                List<String> winners = new ArrayList<>();
                for (int place = 0; place < teams.length; place++) {
                    team(db, c, teams[place], 0.1 + place);
                    long user = teams[place];
                    winners.add(address(user == playerAId ? playerA : user == playerBId ? playerB : late));
                }
                competitions.add(new Competition(c, wei(pool), end, winners));
            }
            return new Plan(jobs, start, competitions, lateId);
        }
    }

    private static long user(Connection db, String name, Credentials wallet) throws SQLException {
        long id = id(db, "INSERT INTO users (username, email, display_name, password_hash) VALUES (?, ?, ?, '{noop}unused') "
                + "RETURNING id", name, name + "@example.org", name);
        if (wallet != null) {
            update(db, "INSERT INTO wallet_links (address, user_id) VALUES (?, ?)", address(wallet), id);
        }
        return id;
    }

    /** A team of one, with one scored submission (its private score decides the final ranking). */
    private static void team(Connection db, long competition, long user, double score) throws SQLException {
        long team = id(db, "INSERT INTO teams (competition_id, name) VALUES (?, ?) RETURNING id", competition, "team-" + user);
        update(db, "INSERT INTO participants (competition_id, user_id, team_id, joined_at) VALUES (?, ?, ?, now())",
                competition, user, team);
        update(db, """
                INSERT INTO team_standings (team_id, phase_id, best_public_score, rank_score, best_at, entries, last_submission_at)
                SELECT ?, id, ?, ?, now(), 1, now() FROM competition_phases WHERE competition_id = ?""",
                team, score, -score, competition);
        update(db, """
                INSERT INTO submissions (competition_id, phase_id, team_id, submitter_id, file_name, blob_key, wrapped_data_key,
                    status, public_score, private_score, created_at, scored_at)
                SELECT ?, id, ?, ?, 'predictions.csv', 'none', '\\x00'::bytea, 'SCORED', ?, ?, now(), now()
                FROM competition_phases WHERE competition_id = ?""",
                competition, team, user, score, score, competition);
    }

    /**
     * The late player links a wallet once the first competition's finalization held their prize (so that it is assigned
     * after the finalization, by its own transaction); until then they have none.
     */
    private void linkLateWalletIfHeld(int dbPort, Plan plan) throws SQLException {
        try (Connection db = AppProcess.connect(dbPort)) {
            try (PreparedStatement held = statement(db, "SELECT count(*) FROM prize_payouts WHERE competition_id = ? AND held",
                    plan.competitions().get(0).id()); ResultSet rs = held.executeQuery()) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return;
                }
            }
            if (update(db, "INSERT INTO wallet_links (address, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING", address(late),
                    plan.lateUser()) == 1) {
                System.out.println("PayoutCrashTest: the late player's prize is held; they link a wallet");
            }
        }
    }

    // ------------------------------------------------------------------ the chain side: funding, deposits

    /** Gas money and AIC for the requester and the host; the host funds the competitions, the requester approves. */
    private void fund(TestChain chain, Plan plan) throws Exception {
        BigInteger budgets = plan.jobs().stream().map(Job::budget).reduce(BigInteger.ZERO, BigInteger::add);
        BigInteger pools = plan.competitions().stream().map(Competition::pool).reduce(BigInteger.ZERO, BigInteger::add);
        for (Credentials wallet : List.of(requester, host)) {
            chain.fundGas(wallet.getAddress());
        }
        chain.fund(requester.getAddress(), budgets);
        chain.fund(host.getAddress(), pools);
        assertThat(token(chain, requester).approve(chain.jobEscrow.getContractAddress(), budgets).send().isStatusOK()).isTrue();
        assertThat(token(chain, host).approve(chain.competitionEscrow.getContractAddress(), pools).send().isStatusOK()).isTrue();
        CompetitionEscrow escrow = CompetitionEscrow.load(chain.competitionEscrow.getContractAddress(), chain.web3j,
                transactions(chain, host), new DefaultGasProvider());
        List<BigInteger> splitBps = SPLIT.stream().map(p -> BigInteger.valueOf(p * 100L)).toList();
        for (Competition c : plan.competitions()) {
            assertThat(escrow.fund(BigInteger.valueOf(c.id()), BigInteger.valueOf(plan.start()), BigInteger.valueOf(c.end()),
                    splitBps, c.pool()).send().isStatusOK()).isTrue();
        }
    }

    /** The requester deposits each job's budget in turn, a random pause before each. */
    private void deposit(TestChain chain, Plan plan, Random pauses) {
        try {
            JobEscrow escrow = JobEscrow.load(chain.jobEscrow.getContractAddress(), chain.web3j, transactions(chain, requester),
                    new DefaultGasProvider());
            for (Job job : plan.jobs()) {
                Thread.sleep(pauses.nextInt(12_000)); // spread over the kills and restarts
                assertThat(escrow.deposit(BigInteger.valueOf(job.id()), job.budget(), DEPOSIT_TIMEOUT).send().isStatusOK()).isTrue();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ the checks

    private static void checkJobs(TestChain chain, int dbPort, Plan plan, String requester) throws Exception {
        Map<Long, List<Log>> settled = new TreeMap<>();
        for (Log l : logs(chain, chain.jobEscrow.getContractAddress(), EventEncoder.encode(JobEscrow.JOBSETTLED_EVENT))) {
            settled.computeIfAbsent(JobEscrow.getJobSettledEventFromLog(l).jobId.longValueExact(), id -> new ArrayList<>()).add(l);
        }
        Map<String, BigInteger> earned = new HashMap<>();
        Map<Long, String> settlementLogs = new HashMap<>();
        for (Job job : plan.jobs()) {
            var escrowed = chain.jobEscrow.job(requester, BigInteger.valueOf(job.id())).send();
            assertThat(escrowed.status.intValueExact()).as("escrow status of job %d", job.id()).isEqualTo(JOB_SETTLED);
            assertThat(escrowed.provider.toLowerCase(Locale.ROOT)).as("provider of job %d", job.id()).isEqualTo(job.provider());
            assertThat(settled.get(job.id())).as("JobSettled logs of job %d", job.id()).hasSize(1);
            Log l = settled.get(job.id()).get(0);
            var e = JobEscrow.getJobSettledEventFromLog(l);
            BigInteger fee = job.amount().multiply(BigInteger.valueOf(TestChain.FEE_BPS)).divide(BigInteger.valueOf(10_000));
            assertThat(e.provider.toLowerCase(Locale.ROOT)).isEqualTo(job.provider());
            assertThat(e.amount).as("amount of job %d", job.id()).isEqualTo(job.amount());
            assertThat(e.fee).isEqualTo(fee);
            assertThat(e.refunded).isEqualTo(job.budget().subtract(job.amount()));
            earned.merge(job.provider(), job.amount().subtract(fee), BigInteger::add);
            settlementLogs.put(job.id(), l.getTransactionHash() + "#" + l.getLogIndex());
        }
        assertThat(settled.keySet()).as("jobs settled on-chain").hasSize(JOBS);
        for (var provider : earned.entrySet()) {
            assertThat(chain.token.balanceOf(provider.getKey()).send()).as("balance of provider %s", provider.getKey())
                    .isEqualTo(provider.getValue());
        }
        Map<Long, String> recorded = new HashMap<>();
        try (Connection db = AppProcess.connect(dbPort); ResultSet rs = db.createStatement().executeQuery(
                "SELECT job_id, state, tx_hash, log_index FROM settlements")) {
            while (rs.next()) {
                assertThat(rs.getString(2)).as("settlement of job %d", rs.getLong(1)).isEqualTo("DONE");
                recorded.put(rs.getLong(1), rs.getString(3) + "#" + rs.getLong(4));
            }
        }
        assertThat(recorded).as("settlements, by their JobSettled log").isEqualTo(settlementLogs);
    }

    private void checkPrizes(TestChain chain, int dbPort, Plan plan) throws Exception {
        Map<String, List<Log>> paid = new TreeMap<>();
        String prizePaid = EventEncoder.encode(CompetitionEscrow.PRIZEPAID_EVENT);
        for (Log l : logs(chain, chain.competitionEscrow.getContractAddress(), prizePaid)) {
            var e = CompetitionEscrow.getPrizePaidEventFromLog(l);
            paid.computeIfAbsent(e.id + "/" + e.place, k -> new ArrayList<>()).add(l);
        }
        Map<String, BigInteger> won = new HashMap<>();
        Map<String, String> paymentLogs = new HashMap<>();
        for (Competition c : plan.competitions()) {
            var escrowed = chain.competitionEscrow.competition(host.getAddress(), BigInteger.valueOf(c.id())).send();
            assertThat(escrowed.status.intValueExact()).as("escrow status of competition %d", c.id())
                    .isEqualTo(COMPETITION_FINALIZED);
            assertThat(escrowed.heldMask).as("prizes still held in competition %d", c.id()).isZero();
            BigInteger second = c.pool().multiply(BigInteger.valueOf(SPLIT.get(1) * 100L)).divide(BigInteger.valueOf(10_000));
            List<BigInteger> prizes = List.of(c.pool().subtract(second), second);
            for (int place = 0; place < SPLIT.size(); place++) {
                String key = c.id() + "/" + place;
                assertThat(paid.get(key)).as("PrizePaid logs of competition %d, place %d", c.id(), place).hasSize(1);
                Log l = paid.get(key).get(0);
                var e = CompetitionEscrow.getPrizePaidEventFromLog(l);
                assertThat(e.winner.toLowerCase(Locale.ROOT)).isEqualTo(c.winners().get(place));
                assertThat(e.amount).isEqualTo(prizes.get(place));
                won.merge(c.winners().get(place), prizes.get(place), BigInteger::add);
                paymentLogs.put(key, c.winners().get(place) + " " + l.getTransactionHash() + "#" + l.getLogIndex());
            }
        }
        assertThat(paid.keySet()).as("places paid on-chain").hasSize(COMPETITIONS * SPLIT.size());
        for (var winner : won.entrySet()) {
            assertThat(chain.token.balanceOf(winner.getKey()).send()).as("balance of winner %s", winner.getKey())
                    .isEqualTo(winner.getValue());
        }
        Map<String, String> recorded = new HashMap<>();
        try (Connection db = AppProcess.connect(dbPort); ResultSet rs = db.createStatement().executeQuery(
                "SELECT competition_id, place, wallet, tx_hash, log_index, held, paid_at IS NOT NULL FROM prize_payouts")) {
            while (rs.next()) {
                assertThat(rs.getBoolean(7)).as("prize %d/%d paid", rs.getLong(1), rs.getInt(2)).isTrue();
                assertThat(rs.getBoolean(6)).as("prize %d/%d held", rs.getLong(1), rs.getInt(2)).isFalse();
                recorded.put(rs.getLong(1) + "/" + rs.getInt(2), rs.getString(3) + " " + rs.getString(4) + "#" + rs.getLong(5));
            }
        }
        assertThat(recorded).as("prize payouts, by their PrizePaid log").isEqualTo(paymentLogs);
    }

    /**
     * Every transaction the escrow operator mined on these escrows is the one the plaza recorded for its purpose, and
     * none reverted: a purpose sent twice (a crash between broadcasting and recording, a resend of a mined one) would
     * show as a mined transaction of the operator's that no record names, or as a revert.
     */
    private static void checkOperatorTransactions(TestChain chain, int dbPort) throws Exception {
        String operator = TestChain.address(TestChain.ESCROW_OPERATOR).toLowerCase(Locale.ROOT);
        Set<String> escrows = Set.of(chain.jobEscrow.getContractAddress().toLowerCase(Locale.ROOT),
                chain.competitionEscrow.getContractAddress().toLowerCase(Locale.ROOT));
        Set<String> mined = new HashSet<>();
        long head = chain.head();
        for (long b = chain.deployedAtBlock; b <= head; b++) {
            EthBlock.Block block = chain.web3j.ethGetBlockByNumber(new DefaultBlockParameterNumber(b), true).send().getBlock();
            for (EthBlock.TransactionResult<?> r : block.getTransactions()) {
                var tx = (org.web3j.protocol.core.methods.response.Transaction) r.get();
                boolean ours = tx.getTo() != null && escrows.contains(tx.getTo().toLowerCase(Locale.ROOT));
                if (ours && operator.equalsIgnoreCase(tx.getFrom())) {
                    var receipt = chain.web3j.ethGetTransactionReceipt(tx.getHash()).send().getTransactionReceipt().orElseThrow();
                    assertThat(receipt.isStatusOK()).as("the operator's transaction %s reverted", tx.getHash()).isTrue();
                    mined.add(tx.getHash().toLowerCase(Locale.ROOT));
                }
            }
        }
        Map<String, String> recorded = new TreeMap<>();
        int resigned = 0;
        try (Connection db = AppProcess.connect(dbPort); ResultSet rs = db.createStatement().executeQuery(
                "SELECT purpose, tx_hash, sends FROM chain_transactions WHERE signer = '" + operator + "'")) {
            while (rs.next()) {
                recorded.put(rs.getString(2).toLowerCase(Locale.ROOT), rs.getString(1));
                resigned += rs.getInt(3) - 1;
            }
        }
        assertThat(mined).as("the operator's mined transactions, against the plaza's records %s", recorded)
                .containsExactlyInAnyOrderElementsOf(recorded.keySet());
        long settles = recorded.values().stream().filter(p -> p.startsWith("settle:")).count();
        long finalizes = recorded.values().stream().filter(p -> p.startsWith("finalize:")).count();
        assertThat(settles).as("settle transactions").isEqualTo(JOBS);
        assertThat(finalizes).as("finalize transactions").isEqualTo(COMPETITIONS);
        long heldThenAssigned = recorded.values().stream().filter(p -> p.startsWith("assign-winner:")).count();
        System.out.printf("PayoutCrashTest: %d operator transactions mined, one per purpose; %d signed again; %d held prize(s) "
                + "assigned after the finalization%n", mined.size(), resigned, heldThenAssigned);
    }

    private static List<Log> logs(TestChain chain, String address, String topic) throws IOException {
        EthFilter filter = new EthFilter(new DefaultBlockParameterNumber(chain.deployedAtBlock), DefaultBlockParameterName.LATEST,
                address);
        filter.addSingleTopic(topic);
        EthLog answer = chain.web3j.ethGetLogs(filter).send();
        assertThat(answer.hasError()).as("eth_getLogs").isFalse();
        List<Log> logs = new ArrayList<>();
        for (EthLog.LogResult<?> r : answer.getLogs()) {
            logs.add((Log) r.get());
        }
        return logs;
    }

    // ------------------------------------------------------------------ progress, as the database says

    /** Waits (10 seconds at most) until the plaza has signed {@code count} more transactions of purposes so named. */
    private static void awaitSends(int dbPort, String purposePrefix, int count) throws InterruptedException {
        long before = sends(dbPort, purposePrefix);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sends(dbPort, purposePrefix) < before + count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** How many transactions of purposes so named the plaza has signed (each recorded before it is broadcast). */
    private static long sends(int dbPort, String purposePrefix) {
        try (Connection db = AppProcess.connect(dbPort); PreparedStatement s = statement(db,
                "SELECT coalesce(sum(sends), 0) FROM chain_transactions WHERE purpose LIKE ?", purposePrefix + "%");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException notUp) {
            return -1;
        }
    }

    /** The purposes whose latest transaction the plaza recorded but the node does not know (killed before the broadcast). */
    private static List<String> unbroadcast(TestChain chain, int dbPort) {
        List<String> purposes = new ArrayList<>();
        try (Connection db = AppProcess.connect(dbPort);
             ResultSet rs = db.createStatement().executeQuery("SELECT purpose, tx_hash FROM chain_transactions")) {
            while (rs.next()) {
                if (chain.web3j.ethGetTransactionByHash(rs.getString(2)).send().getTransaction().isEmpty()) {
                    purposes.add(rs.getString(1));
                }
            }
        } catch (SQLException | IOException e) {
            purposes.add("(unknown: " + e.getMessage() + ")");
        }
        return purposes;
    }

    /** Whether every settlement is DONE and every prize paid. */
    private static boolean done(int dbPort) {
        try (Connection db = AppProcess.connect(dbPort); ResultSet rs = db.createStatement().executeQuery("""
                SELECT (SELECT count(*) FROM settlements WHERE state = 'DONE'),
                       (SELECT count(*) FROM prize_payouts WHERE paid_at IS NOT NULL)""")) {
            rs.next();
            return rs.getLong(1) == JOBS && rs.getLong(2) == (long) COMPETITIONS * SPLIT.size();
        } catch (SQLException notUp) {
            return false;
        }
    }

    /** What the plaza has done so far (its server outlives a killed app until the next start stops it). */
    private static String progress(int dbPort) {
        try (Connection db = AppProcess.connect(dbPort); ResultSet rs = db.createStatement().executeQuery("""
                SELECT (SELECT count(*) FROM job_deposits WHERE status = 'CONFIRMED'),
                       (SELECT count(*) FROM chain_transactions WHERE purpose LIKE 'assign:%'),
                       (SELECT count(*) FROM chain_transactions WHERE purpose LIKE 'settle:%'),
                       (SELECT count(*) FROM settlements WHERE state = 'DONE'),
                       (SELECT count(*) FROM prize_pools),
                       (SELECT count(*) FROM competitions WHERE finalized_at IS NOT NULL),
                       (SELECT count(*) FROM chain_transactions WHERE purpose LIKE 'finalize:%' OR purpose LIKE 'assign-winner:%'),
                       (SELECT count(*) FROM prize_payouts WHERE held AND paid_at IS NULL),
                       (SELECT count(*) FROM prize_payouts WHERE paid_at IS NOT NULL),
                       (SELECT coalesce(sum(sends - 1), 0) FROM chain_transactions)""")) {
            rs.next();
            return ("deposits confirmed %d, assigned %d, settle sent %d, settlements done %d; pools %d, ranked %d, "
                    + "finalize/assign sent %d, prizes held %d, paid %d; signed again %d").formatted(rs.getLong(1), rs.getLong(2),
                    rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                    rs.getLong(10));
        } catch (SQLException e) {
            return "(database not up: " + e.getMessage() + ")";
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Credentials fresh() {
        try {
            return Credentials.create(Keys.createEcKeyPair());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String address(Credentials wallet) {
        return wallet.getAddress().toLowerCase(Locale.ROOT);
    }

    private static BigInteger wei(BigDecimal aic) {
        return aic.movePointRight(18).toBigIntegerExact();
    }

    private static Timestamp at(long epochSecond) {
        return Timestamp.from(Instant.ofEpochSecond(epochSecond));
    }

    private static RawTransactionManager transactions(TestChain chain, Credentials wallet) {
        return new RawTransactionManager(chain.web3j, wallet, 31337, new PollingTransactionReceiptProcessor(chain.web3j, 100, 300));
    }

    private static AICToken token(TestChain chain, Credentials wallet) {
        return AICToken.load(chain.token.getContractAddress(), chain.web3j, transactions(chain, wallet), new DefaultGasProvider());
    }

    private static long id(Connection db, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = statement(db, sql, params); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int update(Connection db, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = statement(db, sql, params)) {
            return s.executeUpdate();
        }
    }

    private static PreparedStatement statement(Connection db, String sql, Object... params) throws SQLException {
        PreparedStatement s = db.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            s.setObject(i + 1, params[i]);
        }
        return s;
    }

    /** The app, its payouts run often. */
    private static AppProcess start(Path dataDir, Path deployment, String rpcUrl, int dbPort) throws IOException {
        return AppProcess.start(dataDir, deployment, rpcUrl, dbPort, "--plaza.chain.poll-interval=200ms",
                "--plaza.compute.escrow.settle-interval=300ms", "--plaza.competition.payout-interval=300ms",
                "--plaza.competition.sweep-interval=1s");
    }
}
