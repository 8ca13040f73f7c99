package ai.aicrypto.plaza.dataset.format;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.Set;

/**
 * The IDX header: two zero bytes, a type byte, the number of dimensions, then each dimension as a big-endian
 * int32. Only unsigned bytes (0x08) are supported, which covers MNIST and Fashion-MNIST.
 */
record IdxHeader(int[] dims) {

    static final int UNSIGNED_BYTE = 0x08;
    private static final Set<Integer> KNOWN_TYPES = Set.of(0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E);

    static boolean hasMagic(byte[] head) {
        return head.length >= 4 && head[0] == 0 && head[1] == 0 && KNOWN_TYPES.contains(head[2] & 0xff)
                && head[3] > 0;
    }

    /** Reads and validates the header; the stream is then positioned at the first data byte. */
    static IdxHeader read(DataInputStream in, int expectedDims) throws IOException {
        byte[] magic = new byte[4];
        in.readFully(magic);
        if (!hasMagic(magic)) {
            throw new DatasetFormatException(ErrorKeys.IDX_BAD_MAGIC);
        }
        int type = magic[2] & 0xff;
        if (type != UNSIGNED_BYTE) {
            throw new DatasetFormatException(ErrorKeys.IDX_UNSUPPORTED_TYPE, String.format("0x%02X", type));
        }
        int ndims = magic[3];
        if (ndims != expectedDims) {
            throw new DatasetFormatException(ErrorKeys.IDX_DIMS, expectedDims, ndims);
        }
        int[] dims = new int[expectedDims];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = in.readInt();
            if (dims[i] < 0) {
                throw new DatasetFormatException(ErrorKeys.IDX_BAD_MAGIC);
            }
        }
        return new IdxHeader(dims);
    }

    int count() {
        return dims[0];
    }
}
