package ai.aicrypto.plaza.competition.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.chain.ChainLogQuarantine;
import ai.aicrypto.plaza.support.TestChain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * A competition's prize pool through CompetitionEscrow, against a real chain (anvil) and PostgreSQL:
 * the host funds it from the plaza's permit and calldata, the page shows it funded only from the
 * confirmed log; after the final ranking the operator finalizes with the teams' wallets: the winner
 * is paid by the split at once, the runner-up's team has no wallet, so its prize is held, and paid
 * once a member links one. Bad input gets a message and funds nothing.
 */
class PrizeEscrowTest extends CompetitionTestSupport {

    private static final int HOST = 1, WINNER = 4, LATE = 5, STRANGER = 6;
    private static final BigInteger POOL = TestChain.AIC.multiply(BigInteger.valueOf(100));
    private static TestChain chain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) throws Exception {
        chain = TestChain.deployFor(registry);
        registry.add("plaza.competition.payout-interval", () -> "1h"); // the test runs payOut itself
    }

    @Autowired
    Accounts accounts;
    @Autowired
    PrizeEscrow prizes;
    @Autowired
    JsonMapper json;
    @Autowired
    ChainLogQuarantine quarantine;

    /** The test moves the shared chain's clock to the competition's end; later tests sign permits by the wall clock. */
    @AfterEach
    void resetTheChainsClock() {
        chain.resetClock();
    }

    @Test
    void aFundedPoolIsPaidByTheSplitAndAHeldPrizeOnceTheTeamLinksAWallet() throws Exception {
        // The plaza's clock and the chain's agree here: the contract checks times against its blocks.
        Instant chainNow = Instant.ofEpochSecond(chain.now());
        clock.set(chainNow);
        AccountPrincipal host = users.member();
        accounts.linkWalletTrusted(host.id(), TestChain.address(HOST));
        chain.fund(TestChain.address(HOST), POOL);
        Instant start = chainNow.truncatedTo(ChronoUnit.MINUTES).plus(2, ChronoUnit.MINUTES);
        Competition c = hostWithPool(host, start);

        // Bad input: no pool is funded, and nothing is left pending.
        AccountPrincipal stranger = users.member();
        step(c, "permit", stranger, Map.of("wallet", TestChain.address(HOST)), 404);
        assertThat(step(c, "permit", host, Map.of("wallet", TestChain.address(LATE)), 400)).contains("not linked");
        assertThat(step(c, "transaction", host, Map.of("deadline", "99999999999", "signature", "0x12"), 400)).contains("signature");
        assertThat(page(c, host)).contains("id=\"pool-awaiting\"").contains("id=\"fund-competition\"");

        // A stranger funds a pool under the competition's id first: quarantined, and it blocks nobody.
        chain.fund(TestChain.address(STRANGER), TestChain.AIC);
        chain.tokenAs(STRANGER).approve(chain.competitionEscrow.getContractAddress(), TestChain.AIC).send();
        var squat = chain.competitionEscrowAs(STRANGER).fund(BigInteger.valueOf(c.id()), BigInteger.valueOf(start.getEpochSecond()),
                BigInteger.valueOf(c.endsAt().getEpochSecond()), List.of(BigInteger.valueOf(7000), BigInteger.valueOf(3000)),
                TestChain.AIC).send();
        assertThat(squat.isStatusOK()).isTrue();
        chain.mine(2);
        await().atMost(Duration.ofSeconds(20)).until(() -> quarantine.recent(100).stream()
                .anyMatch(e -> e.txHash().equalsIgnoreCase(squat.getTransactionHash())));
        assertThat(page(c, host)).contains("id=\"pool-awaiting\"").contains("id=\"fund-competition\"");

        // The host funds it; the page says so only once the log is confirmed.
        Map<?, ?> permit = json.readValue(step(c, "permit", host, Map.of("wallet", TestChain.address(HOST)), 200), Map.class);
        String signature = TestChain.signTypedData(HOST, (String) permit.get("typedData"));
        Map<?, ?> tx = json.readValue(step(c, "transaction", host,
                Map.of("deadline", permit.get("deadline").toString(), "signature", signature), 200), Map.class);
        String beforeFunding = chain.snapshot();
        assertThat(chain.send(HOST, (String) tx.get("to"), (String) tx.get("data")).isStatusOK()).isTrue();
        assertThat(page(c, host)).contains("id=\"pool-awaiting\"");
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> page(c, host).contains("id=\"pool-funded\""));

        // A reorganisation that drops the funding shows the pool as awaiting again; the same funding mined again
        // (its permit is valid again on the new chain) shows it funded once more.
        chain.revert(beforeFunding);
        chain.mine(5);
        await().atMost(Duration.ofSeconds(20)).until(() -> page(c, host).contains("id=\"pool-awaiting\""));
        assertThat(chain.send(HOST, (String) tx.get("to"), (String) tx.get("data")).isStatusOK()).isTrue();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> page(c, host).contains("id=\"pool-funded\""));
        assertThat(step(c, "permit", host, Map.of("wallet", TestChain.address(HOST)), 400)).contains("funded already");

        // Two teams play: the first has a wallet, the second not yet.
        clock.set(start.plus(1, ChronoUnit.MINUTES));
        AccountPrincipal winner = joined(c);
        accounts.linkWalletTrusted(winner.id(), TestChain.address(WINNER));
        AccountPrincipal runnerUp = joined(c);
        assertThat(awaitScored(submit(c, winner, predictions(phase(c).testRows(), 0.1)).id())).isEqualTo("SCORED");
        assertThat(awaitScored(submit(c, runnerUp, predictions(phase(c).testRows(), 0.5)).id())).isEqualTo("SCORED");

        // The end: the final ranking, then the operator's finalize.
        // The escrow pays out only from the competition's end time on.
        chain.warp(c.endsAt().getEpochSecond() - chain.now() + 5);
        clock.set(c.endsAt().plus(1, ChronoUnit.MINUTES));
        runner.sweep();
        assertThat(competitions.find(c.id()).finalized()).isTrue();
        BigInteger winnerBefore = chain.balance(WINNER);
        prizes.payOut();
        chain.mine(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> page(c, host).contains("held until a member of the team links a wallet"));
        BigInteger first = POOL.multiply(BigInteger.valueOf(70)).divide(BigInteger.valueOf(100));
        BigInteger second = POOL.subtract(first);
        assertThat(chain.balance(WINNER)).isEqualTo(winnerBefore.add(first));
        assertThat(page(c, host)).contains("70 AIC paid to " + TestChain.address(WINNER).toLowerCase());
        // The Coin Payroll (issue 17): the winner's prize paid, the held one pending for the runner-up's team.
        assertThat(earningsCsv(winner)).anySatisfy(row -> assertThat(row).contains(",PRIZE,,").contains(",70,0,70,PAID,0x"));
        assertThat(earningsCsv(runnerUp)).anySatisfy(row -> assertThat(row).contains(",PRIZE,,").contains(",30,0,30,PENDING,,,"));
        // Running it again sends nothing twice.
        prizes.payOut();
        assertThat(chain.balance(WINNER)).isEqualTo(winnerBefore.add(first));

        // A member of the second team links a wallet: the held prize follows.
        BigInteger lateBefore = chain.balance(LATE);
        accounts.linkWalletTrusted(runnerUp.id(), TestChain.address(LATE));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            chain.mine(1);
            return page(c, host).contains("30 AIC paid to " + TestChain.address(LATE).toLowerCase());
        });
        assertThat(chain.balance(LATE)).isEqualTo(lateBefore.add(second));
        assertThat(earningsCsv(runnerUp)).anySatisfy(row -> assertThat(row).contains(",PRIZE,,").contains(",30,0,30,PAID,0x"));
        assertThat(chain.competitionEscrow.outstanding(TestChain.address(HOST), BigInteger.valueOf(c.id())).send()).isZero();
    }


    @Test
    void aPoolNotFundedByTheStartIsShownAsNotFundedNotAsAwaiting() throws Exception {
        Instant chainNow = Instant.ofEpochSecond(chain.now());
        clock.set(chainNow);
        AccountPrincipal host = users.member();
        Competition c = hostWithPool(host, chainNow.truncatedTo(ChronoUnit.MINUTES).plus(2, ChronoUnit.MINUTES));
        assertThat(page(c, host)).contains("id=\"pool-awaiting\"").doesNotContain("id=\"pool-unfunded\"");

        clock.set(chainNow.plus(3, ChronoUnit.MINUTES)); // started, never funded
        assertThat(page(c, host)).contains("id=\"pool-unfunded\"").doesNotContain("id=\"pool-awaiting\"")
                .doesNotContain("id=\"fund-competition\"");
    }

    private Competition hostWithPool(AccountPrincipal host, Instant start) {
        CompetitionForm form = new CompetitionForm();
        form.setTitle("Prized forecast " + System.nanoTime());
        form.setSlug("prized-" + System.nanoTime() % 1_000_000_000);
        form.setMetric("RMSE");
        form.setStartsAt(LocalDateTime.ofInstant(start, ZoneOffset.UTC));
        form.setEndsAt(LocalDateTime.ofInstant(start.plus(1, ChronoUnit.DAYS), ZoneOffset.UTC));
        form.setMergeDeadline(LocalDateTime.ofInstant(start.plus(12, ChronoUnit.HOURS), ZoneOffset.UTC));
        form.setSubmissionsPerDay(5);
        form.setMaxTeamSize(2);
        form.setPrizePoolAic(new BigDecimal("100"));
        form.setPrizeSplit("70,30");
        return hostWith(host, form, solutionCsv(20));
    }

    private String page(Competition c, AccountPrincipal who) throws Exception {
        return mvc.perform(get("/competitions/" + c.slug()).with(user(who))).andReturn().getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
    }

    private String step(Competition c, String step, AccountPrincipal who, Map<String, String> body, int expectedStatus) throws Exception {
        var response = mvc.perform(post("/competitions/" + c.slug() + "/funding/" + step).with(user(who)).with(csrf())
                        .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(body)))
                .andReturn().getResponse();
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
        return response.getContentAsString(StandardCharsets.UTF_8);
    }
}
