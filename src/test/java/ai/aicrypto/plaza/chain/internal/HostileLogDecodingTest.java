package ai.aicrypto.plaza.chain.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import ai.aicrypto.plaza.chain.ChainLog;
import org.junit.jupiter.api.Test;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * Property test of the watcher's decoder: thousands of logs of every event the plaza decodes, with
 * whatever a stranger could make the contracts emit (ids and amounts up to 2^256-1, empty and long
 * split lists, zero addresses, far-future times) and data no ABI encoder would write. Each log
 * either becomes an event whose values are in the plaza's ranges or is refused with a reason
 * (quarantined by the watcher); nothing else may be thrown, since an exception stopped the watcher.
 */
class HostileLogDecodingTest {

    private static final int LOGS_PER_EVENT = 1_500;
    private static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);

    @Test
    void everyLogOfEveryEventIsDecodedInRangeOrRefusedWithAReason() {
        long seed = Long.getLong("plaza.test.seed", System.nanoTime());
        Random random = new Random(seed);
        Map<String, int[]> outcomes = new HashMap<>();
        for (Event event : ChainWatcher.DECODED_EVENTS) {
            int[] counts = outcomes.computeIfAbsent(event.getName(), k -> new int[2]);
            for (int n = 0; n < LOGS_PER_EVENT; n++) {
                Log l = n % 4 == 3 ? garbage(event, random, n) : wellFormed(event, random, n);
                try {
                    Optional<ChainLog> decoded = ChainWatcher.decode(l);
                    decoded.ifPresent(HostileLogDecodingTest::assertInRange);
                    counts[0]++;
                } catch (UnusableLogException refused) {
                    assertThat(refused.getMessage()).as("a refusal says why").isNotBlank();
                    counts[1]++;
                } catch (RuntimeException e) {
                    fail("seed " + seed + ": " + event.getName() + " log " + l.getData() + " " + l.getTopics() + " threw " + e, e);
                }
            }
        }
        // Both outcomes happen for every event: the generator reaches valid and invalid values alike.
        outcomes.forEach((event, counts) -> {
            assertThat(counts[0]).as(event + " decoded (seed " + seed + ")").isPositive();
            assertThat(counts[1]).as(event + " refused (seed " + seed + ")").isPositive();
        });
    }

    private static void assertInRange(ChainLog log) {
        assertThat(log.txHash()).startsWith("0x");
        if (log instanceof ChainLog.JobFunded f) {
            assertThat(f.jobId()).isPositive();
            assertThat(f.deadline()).isBetween(0L, LogValues.LAST_EPOCH_SECOND);
        } else if (log instanceof ChainLog.CompetitionFunded f) {
            assertThat(f.competitionId()).isPositive();
            assertThat(f.startTime()).isBetween(0L, LogValues.LAST_EPOCH_SECOND);
            assertThat(f.endTime()).isBetween(0L, LogValues.LAST_EPOCH_SECOND);
            assertThat(f.splitBps()).isNotEmpty().hasSizeLessThanOrEqualTo(LogValues.MAX_PLACES)
                    .allSatisfy(bps -> assertThat(bps).isBetween(0, 10_000));
        } else if (log instanceof ChainLog.PrizePaid p) {
            assertThat(p.place()).isBetween(0, LogValues.MAX_PLACES - 1);
        } else if (log instanceof ChainLog.PrizeHeld p) {
            assertThat(p.place()).isBetween(0, LogValues.MAX_PLACES - 1);
        } else if (log instanceof ChainLog.LicensePurchased p) {
            assertThat(p.assetId()).isPositive();
            assertThat(p.licenseId()).isPositive();
        }
    }

    /** A log as the contract's ABI encodes it, with random values from the edges of each type. */
    private static Log wellFormed(Event event, Random random, int n) {
        List<String> topics = new ArrayList<>();
        topics.add(EventEncoder.encode(event));
        for (TypeReference<Type> t : event.getIndexedParameters()) {
            topics.add(Numeric.toHexStringWithPrefixZeroPadded(word(t, random), 64));
        }
        List<Type> values = new ArrayList<>();
        for (TypeReference<Type> t : event.getNonIndexedParameters()) {
            values.add(value(t, random));
        }
        return log(topics, "0x" + FunctionEncoder.encodeConstructor(values), n);
    }

    /** Random topics and data: too short, too long, dynamic offsets pointing anywhere. */
    private static Log garbage(Event event, Random random, int n) {
        List<String> topics = new ArrayList<>();
        topics.add(EventEncoder.encode(event));
        int extra = event.getIndexedParameters().size() + (random.nextInt(5) == 0 ? random.nextInt(3) - 1 : 0);
        for (int i = 0; i < extra; i++) {
            topics.add(Numeric.toHexStringWithPrefixZeroPadded(new BigInteger(256, random), 64));
        }
        StringBuilder data = new StringBuilder("0x");
        int words = random.nextInt(event.getNonIndexedParameters().size() + 4);
        for (int i = 0; i < words; i++) {
            data.append(Numeric.toHexStringNoPrefixZeroPadded(edge(random), 64));
        }
        return log(topics, data.toString(), n);
    }

    private static BigInteger word(TypeReference<Type> t, Random random) {
        Class<?> c;
        try {
            c = t.getClassType();
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return c == Address.class ? new BigInteger(random.nextInt(4) == 0 ? 1 : 160, random) : edge(random);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Type value(TypeReference<Type> t, Random random) {
        try {
            Class<?> c = t.getClassType();
            if (c == Address.class) {
                return new Address(new BigInteger(random.nextInt(4) == 0 ? 1 : 160, random));
            }
            if (c == Uint64.class) {
                return new Uint64(new BigInteger(random.nextInt(4) == 0 ? 34 : 64, random));
            }
            if (c == DynamicArray.class) {
                int length = random.nextInt(4) == 0 ? random.nextInt(300) : random.nextInt(11);
                List<Uint16> split = new ArrayList<>();
                for (int i = 0; i < length; i++) {
                    split.add(new Uint16(random.nextInt(3) == 0 ? random.nextInt(65_536) : random.nextInt(10_001)));
                }
                return new DynamicArray(Uint16.class, split);
            }
            return new Uint256(edge(random));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 0, 1, the edges of int64 and uint64, 2^256-1, or a random number of a random bit length. */
    private static BigInteger edge(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> BigInteger.ZERO;
            case 1 -> BigInteger.ONE;
            case 2 -> BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.valueOf(random.nextInt(3) - 1));
            case 3 -> BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(random.nextInt(3) - 1));
            case 4 -> TWO_256.subtract(BigInteger.ONE);
            case 5 -> BigInteger.valueOf(random.nextInt(1_000));
            default -> new BigInteger(1 + random.nextInt(256), random);
        };
    }

    private static Log log(List<String> topics, String data, int n) {
        Log l = new Log();
        l.setTopics(topics);
        l.setData(data);
        l.setTransactionHash(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(n + 1), 64));
        l.setLogIndex("0x" + Integer.toHexString(n % 7));
        l.setBlockNumber("0x10");
        l.setRemoved(false);
        return l;
    }
}
