package ai.aicrypto.plaza.chain.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import javax.sql.DataSource;

import ai.aicrypto.plaza.chain.ChainProperties;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.SlowBroadcasts;
import ai.aicrypto.plaza.support.TestChain;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;

/**
 * Two instances share one operator key (the escrows have one operator) and one database: their senders take
 * nonces one after another under the signer's lock, so on a real chain (anvil) every purpose both of them send
 * is mined exactly once, with no nonce error, and the signer's nonces are exactly as many as the purposes. The node
 * is slow to take broadcasts (up to half a second, {@link SlowBroadcasts}): a sender that read the pending count
 * while the other's broadcast was on its way would sign the same nonce.
 */
class OperatorNonceTest extends IntegrationTest {

    private static final int PURPOSES = 16;
    private static TestChain testChain;

    @DynamicPropertySource
    static void chain(DynamicPropertyRegistry registry) {
        testChain = TestChain.deployFor(registry);
    }

    @Autowired
    ChainProperties properties;
    @Autowired
    DataSource dataSource;
    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void twoInstancesSendingForTheSamePurposesWithOneKeySendEachOnceWithConsecutiveNonces() throws Exception {
        Credentials operator = Credentials.create(Keys.createEcKeyPair()); // no other test sends from it
        testChain.fundGas(operator.getAddress());
        try (SlowBroadcasts node = new SlowBroadcasts(testChain.url, 16)) {
            Web3j firstNode = Web3j.build(new HttpService(node.url())), secondNode = Web3j.build(new HttpService(node.url()));
            try {
                sendTwiceAndCheck(operator, instance(firstNode), instance(secondNode));
            } finally {
                firstNode.shutdown();
                secondNode.shutdown();
            }
        }
    }

    private TransactionSender instance(Web3j node) {
        return new TransactionSender(properties, node, jdbc, dataSource, transactions, Clock.systemUTC());
    }

    private void sendTwiceAndCheck(Credentials operator, TransactionSender thisInstance, TransactionSender otherInstance)
            throws Exception {
        String token = testChain.token.getContractAddress();
        List<String> purposes = new ArrayList<>();
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < PURPOSES; i++) {
            purposes.add("nonce-test:" + operator.getAddress() + ":" + i);
            // An approval always succeeds: the operator needs no tokens for it.
            calls.add(testChain.token.approve(TestChain.address(i % 8), BigInteger.valueOf(i + 1)).encodeFunctionCall());
        }
        // Both instances' rounds read the same due rows, in opposite orders, and start together.
        CountDownLatch start = new CountDownLatch(1);
        CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(() -> sendAll(thisInstance, operator, token, purposes,
                calls, false, start));
        CompletableFuture<List<String>> second = CompletableFuture.supplyAsync(() -> sendAll(otherInstance, operator, token,
                purposes, calls, true, start));
        start.countDown();
        List<String> firstHashes = first.get(), secondHashes = second.get();

        assertThat(secondHashes).as("each purpose answered with one transaction by both instances").isEqualTo(firstHashes);
        List<Long> nonces = new ArrayList<>();
        for (int i = 0; i < PURPOSES; i++) {
            var row = jdbc.sql("SELECT tx_hash, nonce, sends FROM chain_transactions WHERE purpose = ?").param(purposes.get(i))
                    .query().singleRow();
            assertThat(row.get("sends")).as("purpose %d signed once", i).isEqualTo(1);
            assertThat(((String) row.get("tx_hash")).trim()).isEqualTo(firstHashes.get(i));
            assertThat(testChain.receipt(firstHashes.get(i)).isStatusOK()).as("purpose %d mined", i).isTrue();
            nonces.add(((Number) row.get("nonce")).longValue());
        }
        assertThat(nonces).as("one nonce per purpose").doesNotHaveDuplicates();
        BigInteger used = testChain.web3j.ethGetTransactionCount(operator.getAddress(), DefaultBlockParameterName.LATEST).send()
                .getTransactionCount();
        assertThat(used).as("transactions the operator sent: one per purpose, none twice").isEqualTo(BigInteger.valueOf(PURPOSES));
    }

    /** One instance's round: sends every purpose (or answers with its recorded transaction), hashes in purpose order; any error fails the test. */
    private static List<String> sendAll(TransactionSender sender, Credentials operator, String to, List<String> purposes,
                                        List<String> calls, boolean reversed, CountDownLatch start) {
        try {
            start.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        String[] hashes = new String[purposes.size()];
        for (int k = 0; k < purposes.size(); k++) {
            int i = reversed ? purposes.size() - 1 - k : k;
            hashes[i] = sender.send(purposes.get(i), operator, to, calls.get(i));
        }
        return List.of(hashes);
    }
}
