package ai.aicrypto.plaza.model.inference;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import ai.aicrypto.plaza.model.card.SafetensorsInspector;
import ai.aicrypto.plaza.model.card.SafetensorsSummary;

/** F32 tensors read from a safetensors file that {@link SafetensorsInspector} has validated (weights, checkpoints). */
public final class F32Tensors implements Closeable, LayerWeights {

    /** The file does not hold what the reader expects: a result with it is rejected with this reason. */
    public static final class UnfitTensorsException extends Exception {
        public UnfitTensorsException(String reason) {
            super(reason);
        }
    }

    private final FileChannel file;
    private final SafetensorsSummary summary;

    private F32Tensors(FileChannel file, SafetensorsSummary summary) {
        this.file = file;
        this.summary = summary;
    }

    /** @throws ai.aicrypto.plaza.model.card.InvalidModelCardException when the file is not valid safetensors */
    public static F32Tensors open(Path path) throws IOException {
        SafetensorsSummary summary = SafetensorsInspector.inspect(path);
        return new F32Tensors(FileChannel.open(path, StandardOpenOption.READ), summary);
    }

    public SafetensorsSummary summary() {
        return summary;
    }

    @Override
    public int tensorCount() {
        return summary.tensors().size();
    }

    @Override
    public float[] read(String name, List<Long> shape) throws IOException, UnfitTensorsException {
        SafetensorsSummary.TensorInfo info = summary.tensors().get(name);
        if (info == null) {
            throw new UnfitTensorsException("tensor " + name + " is missing");
        }
        if (!info.dtype().equals("F32") || !info.shape().equals(shape)) {
            throw new UnfitTensorsException("tensor " + name + " is " + info.dtype() + " " + info.shape() + ", expected F32 " + shape);
        }
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(info.byteLength())).order(ByteOrder.LITTLE_ENDIAN);
        long position = 8 + summary.headerBytes() + info.begin();
        while (bytes.hasRemaining()) {
            int read = file.read(bytes, position);
            if (read < 0) {
                throw new IOException("safetensors file truncated");
            }
            position += read;
        }
        float[] values = new float[(int) info.elementCount()];
        bytes.flip().asFloatBuffer().get(values);
        return values;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
