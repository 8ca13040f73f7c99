package ai.aicrypto.plaza.model.inference;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Named F32 tensors of a network, read from a file ({@link F32Tensors}) or held in memory ({@link #inMemory}). */
public interface LayerWeights {

    /** How many tensors there are. */
    int tensorCount();

    /** The tensor, which must be F32 of exactly this shape. */
    float[] read(String name, List<Long> shape) throws IOException, F32Tensors.UnfitTensorsException;

    /** A copy of every tensor of a validated file, for a network run many times. */
    static LayerWeights inMemory(F32Tensors file) throws IOException, F32Tensors.UnfitTensorsException {
        Map<String, float[]> values = new HashMap<>();
        Map<String, List<Long>> shapes = new HashMap<>();
        for (var tensor : file.summary().tensors().entrySet()) {
            shapes.put(tensor.getKey(), tensor.getValue().shape());
            values.put(tensor.getKey(), file.read(tensor.getKey(), tensor.getValue().shape()));
        }
        return of(values, shapes);
    }

    /** Tensors held in memory: values and shapes by name. */
    static LayerWeights of(Map<String, float[]> values, Map<String, List<Long>> shapes) {
        return new LayerWeights() {
            @Override
            public int tensorCount() {
                return values.size();
            }

            @Override
            public float[] read(String name, List<Long> shape) throws F32Tensors.UnfitTensorsException {
                if (!values.containsKey(name)) {
                    throw new F32Tensors.UnfitTensorsException("tensor " + name + " is missing");
                }
                if (!shapes.get(name).equals(shape)) {
                    throw new F32Tensors.UnfitTensorsException("tensor " + name + " is " + shapes.get(name) + ", expected " + shape);
                }
                return values.get(name);
            }
        };
    }
}
