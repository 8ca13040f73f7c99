package ai.aicrypto.plaza.chain.internal;

import java.math.BigInteger;
import java.util.List;

import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Type;

/**
 * Range checks for the values of a decoded log. Anyone can call the plaza's public contracts, so a
 * log's uint256 fields can hold anything up to 2^256-1: every value is checked against what the
 * plaza can store and act on before it becomes a {@link ai.aicrypto.plaza.chain.ChainLog}.
 */
final class LogValues {

    /** 9999-12-31T23:59:59Z: the last second java.time and PostgreSQL both hold. */
    static final long LAST_EPOCH_SECOND = 253_402_300_799L;
    /** Prize places and split lists: the escrow allows 10; anything beyond a byte is nonsense. */
    static final int MAX_PLACES = 255;
    private static final BigInteger MAX_ID = BigInteger.valueOf(Long.MAX_VALUE);

    private LogValues() {
    }

    /** A plaza id (listing, job, competition, license): 1 to 2^63-1. */
    static long id(String field, BigInteger value) throws UnusableLogException {
        if (value.signum() <= 0 || value.compareTo(MAX_ID) > 0) {
            throw new UnusableLogException(field + " " + value + " is outside the plaza's ids (1 to 2^63-1)");
        }
        return value.longValue();
    }

    /** A position counted from 0 (a rewards leaf): 0 to 2^63-1. */
    static long index(String field, BigInteger value) throws UnusableLogException {
        if (value.signum() < 0 || value.compareTo(MAX_ID) > 0) {
            throw new UnusableLogException(field + " " + value + " is outside 0 to 2^63-1");
        }
        return value.longValue();
    }

    /** A time in epoch seconds, from 1970 to the year 9999. */
    static long epochSecond(String field, BigInteger value) throws UnusableLogException {
        if (value.signum() < 0 || value.compareTo(BigInteger.valueOf(LAST_EPOCH_SECOND)) > 0) {
            throw new UnusableLogException(field + " " + value + " is not a time the plaza can hold (1970 to 9999)");
        }
        return value.longValue();
    }

    /** A small count or index (prize place, split share, places mask), 0 to {@code max}. */
    static int small(String field, BigInteger value, int max) throws UnusableLogException {
        if (value.signum() < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new UnusableLogException(field + " " + value + " is outside 0 to " + max);
        }
        return value.intValue();
    }

    /** A list of basis points by place: 1 to {@link #MAX_PLACES} entries of 0 to 10,000. */
    static List<Integer> splitBps(List<BigInteger> values) throws UnusableLogException {
        if (values.isEmpty() || values.size() > MAX_PLACES) {
            throw new UnusableLogException("splitBps has " + values.size() + " places (1 to " + MAX_PLACES + ")");
        }
        Integer[] split = new Integer[values.size()];
        for (int i = 0; i < split.length; i++) {
            split[i] = small("splitBps[" + i + "]", values.get(i), 10_000);
        }
        return List.of(split);
    }

    /**
     * Checks a log's shape against its event before the ABI decoder reads it: the number of topics,
     * whole 32-byte words, a head word for each value, and each dynamic array's offset and length
     * inside the data. The decoder itself trusts a length word and would allocate a list of 2^255
     * elements for a forged one.
     */
    static void checkLayout(Event event, int topics, String data) throws UnusableLogException {
        if (topics != 1 + event.getIndexedParameters().size()) {
            throw new UnusableLogException(topics + " topics; " + event.getName() + " has "
                    + (1 + event.getIndexedParameters().size()));
        }
        String hex = data == null ? "" : data.startsWith("0x") ? data.substring(2) : data;
        List<TypeReference<Type>> values = event.getNonIndexedParameters();
        if (hex.length() % 64 != 0 || hex.length() / 64 < values.size() || !hex.matches("[0-9a-fA-F]*")) {
            throw new UnusableLogException("data of " + hex.length() / 2 + " bytes is not " + event.getName() + "'s layout");
        }
        long words = hex.length() / 64;
        for (int i = 0; i < values.size(); i++) {
            if (!isDynamicArray(values.get(i))) {
                continue;
            }
            BigInteger offset = word(hex, i);
            if (offset.mod(BigInteger.valueOf(32)).signum() != 0 || offset.compareTo(BigInteger.valueOf((words - 1) * 32)) > 0) {
                throw new UnusableLogException("value " + i + " of " + event.getName() + " points outside the data");
            }
            int at = offset.intValue() / 32;
            BigInteger length = word(hex, at);
            if (length.compareTo(BigInteger.valueOf(words - at - 1)) > 0) {
                throw new UnusableLogException("value " + i + " of " + event.getName() + " claims " + length
                        + " elements; the data holds at most " + (words - at - 1));
            }
        }
    }

    private static boolean isDynamicArray(TypeReference<Type> type) {
        try {
            return DynamicArray.class.isAssignableFrom(type.getClassType());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger word(String hex, int index) {
        return new BigInteger(hex.substring(index * 64, index * 64 + 64), 16);
    }
}
