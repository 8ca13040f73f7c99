package ai.aicrypto.plaza.worker;

import ai.aicrypto.plaza.worker.cpu.DjlCpuEngine;
import ai.aicrypto.plaza.worker.data.FloatTensor;
import ai.aicrypto.plaza.worker.data.IdxLoader;
import ai.aicrypto.plaza.worker.data.InMemoryData;
import ai.aicrypto.plaza.worker.data.Shard;
import ai.aicrypto.plaza.worker.engine.Checkpoint;
import ai.aicrypto.plaza.worker.engine.TrainedModel;
import ai.aicrypto.plaza.worker.engine.TrainingListener;
import ai.aicrypto.plaza.worker.model.ModelSpec;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Fine-tuning starts from the parent's weights: a Fashion-MNIST MLP trained on 6,000 images of the training split is
 * fine-tuned on 2,000 t10k images it never saw with its ten classes: its first epoch's loss is far below the same epoch
 * trained from scratch on the same data; and on the same images grouped into five new classes, with a new head.
 */
class FineTuneTest {

    /** Fashion-MNIST's classes in five groups: tops (t-shirt, pullover, coat, shirt), trousers, dresses, footwear, bags. */
    static final List<String> GROUPS = List.of("top", "trouser", "dress", "footwear", "bag");
    static final int[] GROUP_OF = {0, 1, 0, 2, 0, 3, 0, 3, 4, 3};

    static Map<String, FloatTensor> parent;
    static InMemoryData newData, newGroups;

    private static final DjlCpuEngine CPU = new DjlCpuEngine();

    @BeforeAll
    static void parentModel() throws Exception {
        Shard six = IdxLoader.load(TestData.FASHION.resolve("train-images-idx3-ubyte.gz"),
                TestData.FASHION.resolve("train-labels-idx1-ubyte.gz"), 0, 6000);
        parent = CPU.train(mlp(TestData.CLASSES, 3), InMemoryData.of(six, TestData.CLASSES), TrainingListener.NONE).weights();
        newData = TestData.train(2000);
        Shard s = newData.shard(0);
        int[] group = new int[s.rows()];
        for (int i = 0; i < s.rows(); i++) group[i] = GROUP_OF[s.labels()[i]];
        newGroups = InMemoryData.of(new Shard(s.rows(), s.featureCount(), s.features(), group, null), GROUPS);
    }

    /** The example MLP card, with these classes, trained for this many epochs. */
    static ModelSpec mlp(List<String> classes, int epochs) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode card = (ObjectNode) json.readTree(Files.readString(TestData.CARDS.resolve("fashion-mnist-mlp.json")));
        var out = ((ObjectNode) card.get("output")).putArray("classes");
        classes.forEach(out::add);
        ModelSpec spec = ModelSpec.fromCard(card);
        return spec.withHyperparameters(spec.hyperparameters().withEpochs(epochs));
    }

    @Test
    void fineTuningWithTheParentsClassesStartsFromItsWeightsAndLearnsFasterThanFromScratch() throws Exception {
        ModelSpec spec = mlp(TestData.CLASSES, 1);
        Checkpoint start = Checkpoint.fineTuned(spec, 784, parent);
        assertEquals(parent.get("layers.2.weight"), start.tensor("layers.2.weight"), "the parent's head is kept for its classes");
        TrainedModel tuned = CPU.train(spec, newData, start, 1, TrainingListener.NONE);
        TrainedModel scratch = CPU.train(spec, newData, TrainingListener.NONE);
        double tunedLoss = tuned.history().get(0).loss(), scratchLoss = scratch.history().get(0).loss();
        System.out.println("first-epoch loss: fine-tuned " + tunedLoss + ", from scratch " + scratchLoss);
        assertTrue(tunedLoss < 0.75 * scratchLoss, "fine-tuned " + tunedLoss + " against " + scratchLoss + " from scratch");
        assertEquals(0, start.epoch());
        assertEquals(parent.get("layers.0.weight"), start.tensor("layers.0.weight"));
        for (float v : start.tensor(Checkpoint.secondMoment("layers.0.weight")).data()) assertEquals(0f, v, "fresh optimizer moments");
    }

    @Test
    void otherClassesGetANewHeadOnThePretrainedLayers() throws Exception {
        ModelSpec spec = mlp(GROUPS, 1);
        Checkpoint start = Checkpoint.fineTuned(spec, 784, parent);
        assertArrayEquals(new long[]{5, 128}, start.tensor("layers.2.weight").shape(), "a head for the five new classes");
        for (float w : start.tensor("layers.2.weight").data()) assertEquals(0f, w, "a new head starts at zero");
        assertEquals(parent.get("layers.1.weight"), start.tensor("layers.1.weight"));
        double loss = CPU.train(spec, newGroups, start, 1, TrainingListener.NONE).history().get(0).loss();
        // a new head learns on pretrained layers; in one epoch it does not beat a network from scratch (0.64 against
        // 0.53 here): the head starts at zero, every class equally likely
        assertTrue(loss < 0.5 * Math.log(GROUPS.size()), "first-epoch loss " + loss + " against " + Math.log(GROUPS.size()) + " at chance");
    }

    @Test
    void aParentOfAnotherArchitectureIsRefusedByName() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode card = (ObjectNode) json.readTree(Files.readString(TestData.CARDS.resolve("fashion-mnist-mlp.json")));
        ((ObjectNode) card.get("architecture")).putArray("hiddenSizes").add(64);
        ModelSpec narrow = ModelSpec.fromCard(card);
        var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.fineTuned(narrow, 784, parent));
        assertTrue(e.getMessage().contains("layers.0.weight") && e.getMessage().contains("another architecture"), e.getMessage());
    }
}
