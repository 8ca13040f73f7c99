package ai.aicrypto.plaza.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.json.JsonMapper;

/**
 * The wallet steps of a JobEscrow deposit as the browser runs them (static/js/wallet.js): POST {@code base/permit}, the
 * wallet (an anvil dev account) signs the permit, POST {@code base/transaction}, the wallet sends it, POST {@code base}
 * reports it. {@code base} is a job's ({@link #ofJob}) or a training pool's ({@link #ofPool}).
 */
public final class DepositSteps {

    private final MockMvc mvc;
    private final JsonMapper json;
    private final TestChain chain;

    public DepositSteps(MockMvc mvc, JsonMapper json, TestChain chain) {
        this.mvc = mvc;
        this.json = json;
        this.chain = chain;
    }

    public static String ofJob(long job) {
        return "/jobs/" + job + "/deposit";
    }

    public static String ofPool(long pool) {
        return "/pools/" + pool + "/deposit";
    }

    /** The three steps from dev account {@code account}, whose permit must ask for {@code expected}; returns the deposit's hash. */
    public String deposit(String base, AccountPrincipal who, int account, BigInteger expected) throws Exception {
        String hash = send(base, who, account, expected);
        step(base, "", who, Map.of("wallet", TestChain.address(account), "txHash", hash), 200);
        return hash;
    }

    /** The first two steps and the wallet's transaction, not yet reported to the plaza; returns its hash. */
    public String send(String base, AccountPrincipal who, int account, BigInteger expected) throws Exception {
        String wallet = TestChain.address(account);
        Map<?, ?> permit = json.readValue(step(base, "permit", who, Map.of("wallet", wallet), 200), Map.class);
        assertThat(permit.get("budget")).as("what the permit asks for").isEqualTo(expected.toString());
        String signature = TestChain.signTypedData(account, (String) permit.get("typedData"));
        Map<?, ?> tx = json.readValue(step(base, "transaction", who, Map.of("deadline", permit.get("deadline").toString(),
                "signature", signature), 200), Map.class);
        assertThat(tx.get("to")).isEqualTo(chain.jobEscrow.getContractAddress().toLowerCase());
        var receipt = chain.send(account, (String) tx.get("to"), (String) tx.get("data"));
        assertThat(receipt.isStatusOK()).as("deposit under " + base + ": " + receipt.getRevertReason()).isTrue();
        return receipt.getTransactionHash();
    }

    /** One step ({@code ""}: the report of the sent deposit); fails unless answered {@code expectedStatus}; returns the answer. */
    public String step(String base, String step, AccountPrincipal who, Map<String, String> body, int expectedStatus) throws Exception {
        var response = mvc.perform(post(base + (step.isEmpty() ? "" : "/" + step)).with(user(who)).with(csrf())
                        .contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(body)))
                .andReturn().getResponse();
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
        return response.getContentAsString(StandardCharsets.UTF_8);
    }
}
