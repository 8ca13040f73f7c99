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

    public static final Path SKLEARN = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data");

    private static Shard t10k;

    /**
     * A classification CSV of Debian's python3-sklearn ({@code wine_data.csv}, {@code breast_cancer.csv}): a first line
     * of counts and class names, then rows of numbers with the class index last.
     */
    public static InMemoryData sklearn(String file) throws IOException {
        Path csv = SKLEARN.resolve(file);
        if (!Files.exists(csv)) throw new IllegalStateException("missing " + csv + " (apt-get install python3-sklearn)");
        List<String> lines = Files.readAllLines(csv);
        String[] head = lines.get(0).split(",");
        int rows = Integer.parseInt(head[0]), features = Integer.parseInt(head[1]);
        float[] x = new float[rows * features];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            String[] cells = lines.get(r + 1).split(",");
            for (int f = 0; f < features; f++) x[r * features + f] = Float.parseFloat(cells[f]);
            y[r] = Integer.parseInt(cells[features].strip());
        }
        return InMemoryData.of(new Shard(rows, features, x, y, null), List.of(head).subList(2, head.length));
    }

    /** The same rows as a regression of column {@code target} on the others. */
    public static InMemoryData sklearnRegression(String file, int target) throws IOException {
        Shard s = sklearn(file).shard(0);
        int f = s.featureCount() - 1;
        float[] x = new float[s.rows() * f], t = new float[s.rows()];
        for (int r = 0; r < s.rows(); r++) {
            for (int c = 0, o = 0; c <= f; c++) {
                if (c == target) t[r] = s.features()[r * (f + 1) + c];
                else x[r * f + o++] = s.features()[r * (f + 1) + c];
            }
        }
        return InMemoryData.of(new Shard(s.rows(), f, x, null, t), List.of());
    }

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

    public static ModelSpec cnnCard() throws IOException {
        return ModelSpec.parse(CARDS.resolve("fashion-mnist-cnn.json"));
    }

    /** The CNN card with another architecture (a JSON object: template cnn, its blocks and head). */
    public static ModelSpec cnn(String architectureJson) throws IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var card = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(Files.readString(CARDS.resolve("fashion-mnist-cnn.json")));
        card.set("architecture", json.readTree(architectureJson));
        return ModelSpec.fromCard(card);
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
