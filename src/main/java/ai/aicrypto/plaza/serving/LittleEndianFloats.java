package ai.aicrypto.plaza.serving;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Rows of float32 values as little-endian bytes, 4 a value: what the wire carries between instances and, base64-encoded
 * in the poll's JSON, between the plaza and a serving worker that speaks it. Bulk copies through a float view of the
 * bytes, never a value at a time.
 */
public final class LittleEndianFloats {

    private LittleEndianFloats() {
    }

    public static byte[] bytes(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    /** @throws IllegalArgumentException when the bytes are not a whole number of float32 values */
    public static float[] floats(byte[] littleEndian) {
        if (littleEndian.length % Float.BYTES != 0) {
            throw new IllegalArgumentException(littleEndian.length + " bytes are not a whole number of float32 values");
        }
        float[] values = new float[littleEndian.length / Float.BYTES];
        ByteBuffer.wrap(littleEndian).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }
}
