package ai.aicrypto.plaza.reputation.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * The Merkle tree of an epoch's allocation, as RewardsDistributor checks it (contracts/scripts/merkle.js
 * builds the same): leaf i = keccak256(keccak256(abi.encode(i, account, amount))), adjacent pairs hashed
 * in sorted order, an odd node carried up unchanged.
 */
final class RewardTree {

    record Leaf(String account, BigInteger amount) {
    }

    private final List<byte[][]> levels = new ArrayList<>();

    RewardTree(List<Leaf> leaves) {
        if (leaves.isEmpty()) {
            throw new IllegalArgumentException("a tree needs a leaf");
        }
        byte[][] level = new byte[leaves.size()][];
        for (int i = 0; i < level.length; i++) {
            level[i] = leaf(i, leaves.get(i).account(), leaves.get(i).amount());
        }
        levels.add(level);
        while (level.length > 1) {
            byte[][] up = new byte[(level.length + 1) / 2][];
            for (int i = 0; i < up.length; i++) {
                up[i] = 2 * i + 1 < level.length ? pair(level[2 * i], level[2 * i + 1]) : level[2 * i];
            }
            levels.add(up);
            level = up;
        }
    }

    byte[] root() {
        return levels.get(levels.size() - 1)[0];
    }

    List<byte[]> proof(int index) {
        List<byte[]> out = new ArrayList<>();
        for (int d = 0; d < levels.size() - 1; d++) {
            int sibling = index ^ 1;
            if (sibling < levels.get(d).length) {
                out.add(levels.get(d)[sibling]);
            }
            index >>= 1;
        }
        return out;
    }

    static byte[] leaf(long index, String account, BigInteger amount) {
        String encoded = TypeEncoder.encode(new Uint256(index)) + TypeEncoder.encode(new Address(account))
                + TypeEncoder.encode(new Uint256(amount));
        return Hash.sha3(Hash.sha3(Numeric.hexStringToByteArray(encoded)));
    }

    private static byte[] pair(byte[] a, byte[] b) {
        byte[] both = new byte[64];
        boolean aFirst = Arrays.compareUnsigned(a, b) <= 0;
        System.arraycopy(aFirst ? a : b, 0, both, 0, 32);
        System.arraycopy(aFirst ? b : a, 0, both, 32, 32);
        return Hash.sha3(both);
    }
}
