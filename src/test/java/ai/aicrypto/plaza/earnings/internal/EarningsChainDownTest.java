package ai.aicrypto.plaza.earnings.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.Accounts;
import ai.aicrypto.plaza.serving.Credit;
import ai.aicrypto.plaza.support.CuttableProxy;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestChain;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The earnings dashboard while the chain cannot be reached (the app's connection to anvil cut, as a node that went
 * away): a member with a pending earning, whose fee is read from the chain, is answered 503 with a message in their
 * language (English or Korean) and no trace of the failure, the CSV likewise; a member whose ledger needs nothing from
 * the chain still sees it; nothing is recorded meanwhile; and once the chain is back the same ledger shows again.
 */
class EarningsChainDownTest extends IntegrationTest {

    private static final int PAYER = 2;
    private static final BigInteger CHARGE = new BigInteger("300000000000000000"); // 0.3 AIC of paid calls
    private static CuttableProxy proxy;
    private static TestChain chain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) {
        proxy = new CuttableProxy(TestChain.anvilUrl());
        chain = TestChain.deployFor(registry, proxy.url());
        // The charge stays pending (its fee read from the chain) and nothing else sends while the test runs.
        registry.add("plaza.credit.settle-interval", () -> "1h");
        registry.add("plaza.rewards.close-interval", () -> "1h");
    }

    @Autowired
    TestUsers users;
    @Autowired
    Accounts accounts;
    @Autowired
    Credit credit;
    @Autowired
    TransactionTemplate transaction;

    @Test
    void aMemberWithPendingEarningsIsToldTheChainIsDownInTheirLanguageAndNothingIsRecorded() throws Exception {
        AccountPrincipal owner = users.member(), payer = users.member(), quiet = users.member();
        accounts.linkWalletTrusted(payer.id(), TestChain.address(PAYER));
        chain.fund(TestChain.address(PAYER), TestChain.AIC);
        chain.tokenAs(PAYER).approve(chain.usageCredit.getContractAddress(), TestChain.AIC).send();
        chain.usageCreditAs(PAYER).deposit(TestChain.AIC).send();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            chain.mine(1);
            return jdbc.sql("SELECT count(*) FROM credit_accounts WHERE deposited_wei > 0").query(Long.class).single() == 1;
        });
        long model = jdbc.sql("""
                        INSERT INTO listings (kind, owner_id, title, license, price_aic, status)
                        VALUES ('MODEL', ?, 'Metered model', 'MIT', 0, 'PUBLISHED') RETURNING id""")
                .param(owner.id()).query(Long.class).single();
        transaction.executeWithoutResult(s -> credit.charge(payer.id(), owner.id(), model, CHARGE));
        String before = page(owner, Locale.ENGLISH, 200);
        assertThat(before).contains("Metered model").contains("id=\"total-pending\">0.2925 AIC<"); // less the 2.5 % fee

        proxy.cut();
        List<Long> recorded = recorded();

        String english = page(owner, Locale.ENGLISH, 503);
        assertThat(english).contains("id=\"earnings-chain-down\"")
                .contains("The chain cannot be reached right now, and pending earnings&#39; fees are read from it.")
                .doesNotContain("Metered model").doesNotContain("Exception").doesNotContain("ai.aicrypto");
        String korean = page(owner, Locale.KOREAN, 503);
        assertThat(korean).contains("지금은 체인에 연결할 수 없습니다.").doesNotContain("Exception");
        var csv = mvc.perform(get("/earnings.csv").with(user(owner)).header("Accept-Language", "en")).andReturn();
        MockHttpServletResponse csvResponse = mvc.perform(asyncDispatch(csv)).andReturn().getResponse();
        assertThat(csvResponse.getStatus()).isEqualTo(503);
        assertThat(csvResponse.getContentAsString(StandardCharsets.UTF_8)).startsWith("The chain cannot be reached right now");
        assertThat(page(quiet, Locale.ENGLISH, 200)).as("a ledger that reads nothing from the chain")
                .contains("id=\"total-paid\">0 AIC<");
        assertThat(recorded()).as("charges, batches, the plaza's transactions: as they were").isEqualTo(recorded);

        proxy.restore();
        assertThat(page(owner, Locale.ENGLISH, 200)).contains("Metered model").contains("id=\"total-pending\">0.2925 AIC<");
    }

    private String page(AccountPrincipal member, Locale locale, int status) throws Exception {
        return mvc.perform(get("/earnings").with(user(member)).header("Accept-Language", locale.toLanguageTag())).andExpect(status().is(status))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
    }

    private List<Long> recorded() {
        return jdbc.sql("""
                        SELECT (SELECT count(*) FROM credit_charges WHERE batch_id IS NULL), (SELECT count(*) FROM credit_batches),
                               (SELECT count(*) FROM chain_transactions), (SELECT count(*) FROM chain_logs_quarantined)""")
                .query((rs, n) -> List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))).single();
    }
}
