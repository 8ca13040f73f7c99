package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.data.IdxLoader;
import ai.aicrypto.plaza.worker.data.InMemoryData;
import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.model.ModelSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Fashion-MNIST slices (Debian's dataset-fashion-mnist) and the app's example model cards. */
public final class TestData {

    public static final Path FASHION = Path.of(System.getProperty("aiplaza.test.data", "/usr/share/datasets/fashion-mnist"));
    public static final Path CARDS = Path.of("../src/main/resources/model-card/examples");
    public static final List<String> CLASSES = List.of("t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal",
            "shirt", "sneaker", "bag", "ankle boot");

    private static Shard t10k;

    private TestData() {
    }

    /** The first 2,500 t10k images (2,000 train + 500 held out), loaded once. */
    public static synchronized Shard t10kHead() throws IOException {
        if (t10k == null) {
            Path images = FASHION.resolve("t10k-images-idx3-ubyte.gz");
            if (!Files.exists(images)) throw new IllegalStateException("missing " + images + " (apt-get install dataset-fashion-mnist)");
            t10k = IdxLoader.load(images, FASHION.resolve("t10k-labels-idx1-ubyte.gz"), 0, 2500);
        }
        return t10k;
    }

    public static InMemoryData train(int rows) throws IOException {
        return InMemoryData.of(t10kHead().slice(0, rows), CLASSES);
    }

    public static InMemoryData heldOut() throws IOException {
        return InMemoryData.of(t10kHead().slice(2000, 2500), CLASSES);
    }

    public static ModelSpec mlpCard() throws IOException {
        return ModelSpec.parse(CARDS.resolve("fashion-mnist-mlp.json"));
    }

    public static ModelSpec softmaxCard() throws IOException {
        return ModelSpec.parse(CARDS.resolve("tabular-softmax-regression.json"));
    }

    /** The MLP card with other hidden sizes / activation / dropout. */
    public static ModelSpec mlp(List<Integer> hidden, String activation, double dropout) throws IOException {
        ModelSpec c = mlpCard();
        return new ModelSpec(c.name(), c.task(), "mlp", hidden, ai.aicrypto.plaza.worker.model.Activation.parse(activation), dropout,
                c.outputSize(), c.outputNames(), c.expectedFeatures(), c.hyperparameters());
    }

    /** Softmax regression over Fashion-MNIST's 784 pixels (the Iris card's template and hyperparameters). */
    public static ModelSpec softmaxFashion() throws IOException {
        ModelSpec c = softmaxCard();
        return new ModelSpec("fashion softmax", c.task(), "softmax-regression", List.of(), null, 0, 10, CLASSES, 784,
                c.hyperparameters());
    }
}
