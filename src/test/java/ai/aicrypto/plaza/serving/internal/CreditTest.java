package ai.aicrypto.plaza.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestChain;

/** Base of the tests that pay for calls from usage credit: the credit page's wallet steps, as a member's wallet walks them. */
abstract class CreditTest extends IntegrationTest {

    /** The page's deposit flow: permit, the wallet's signature, the transaction; then the watcher's confirmation. */
    protected void deposit(TestChain chain, AccountPrincipal member, int wallet, String aic) throws Exception {
        String deposited = "SELECT coalesce(sum(deposited_wei), 0) FROM credit_accounts WHERE lower(wallet) = lower('"
                + TestChain.address(wallet) + "')"; // this wallet's: others may have deposited before
        BigInteger before = wei(deposited);
        Map<?, ?> permit = postJson("/credit/deposit/permit", member, Map.of("wallet", TestChain.address(wallet), "amount", aic), 200);
        String signature = TestChain.signTypedData(wallet, String.valueOf(permit.get("typedData")));
        send(chain, wallet, postJson("/credit/deposit/transaction", member, Map.of("amount", aic,
                "deadline", String.valueOf(permit.get("deadline")), "signature", signature), 200));
        BigInteger expected = before.add(new BigDecimal(aic).movePointRight(18).toBigIntegerExact());
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            chain.mine(1);
            return wei(deposited).equals(expected);
        });
    }

    /** Sends a wallet step's prepared call ({@code to}, {@code data}) from the wallet and checks it was mined. */
    protected static void send(TestChain chain, int wallet, Map<?, ?> step) throws Exception {
        assertThat(chain.send(wallet, String.valueOf(step.get("to")), String.valueOf(step.get("data"))).isStatusOK()).isTrue();
    }

    /** A wallet step refused with 400: its message. */
    protected String refusal(String path, AccountPrincipal member, Map<String, String> body) throws Exception {
        return String.valueOf(postJson(path, member, body, 400).get("error"));
    }

    protected BigInteger wei(String sql) {
        return jdbc.sql(sql).query(BigDecimal.class).single().toBigIntegerExact();
    }
}
